"""What readers can see is one rule, Article.objects.live(): a live article sent back for review
stays on the site, in the sitemap, the feed and its hubs, until it is unpublished."""

import xml.etree.ElementTree as ET

import pytest

from articles import services
from articles.models import Topic
from tests.publishing import publish
from tests.sitemaps import sitemap_locs

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture
def resubmitted(published_article, alice, bob):
    topic = Topic.objects.create(name="Housing", slug="housing")
    publish(published_article, author=alice, editor=bob, topics=[topic])
    published_article.title = "A headline nobody approved"
    services.article_save(published_article, by=alice, reason="New headline")
    services.article_submit(published_article, by=alice)
    assert published_article.status == "in_review" and published_article.is_live
    return published_article


def _sitemap(client) -> list[str]:
    return sitemap_locs(client)


def test_a_live_article_back_in_review_stays_in_the_sitemap_with_its_hubs(client, resubmitted):
    locs = _sitemap(client)
    assert f"http://testserver/articles/{resubmitted.slug}/" in locs
    assert "http://testserver/topics/housing/" in locs
    assert "http://testserver/authors/alice/" in locs


def test_a_live_article_back_in_review_stays_in_the_feed_and_on_its_hubs(client, resubmitted):
    items = ET.fromstring(client.get("/feed/").content).findall("./channel/item")
    assert [item.findtext("title") for item in items] == ["Council approves homes"]
    for hub in ("/topics/housing/", "/authors/alice/", "/"):
        page = client.get(hub).content.decode()
        assert "Council approves homes" in page, hub
        assert "A headline nobody approved" not in page, hub


def test_an_unpublished_article_leaves_the_sitemap_and_its_hubs(client, resubmitted, bob):
    services.article_unpublish(resubmitted, by=bob, reason="Legal review")
    locs = _sitemap(client)
    assert not any(resubmitted.slug in loc for loc in locs)
    assert "http://testserver/topics/housing/" not in locs
    assert "http://testserver/authors/alice/" not in locs
