"""The public article page's contract (byline, dates, boxes, JSON-LD, CSP), both as rendered per request
and as baked into the page store and served from it."""

import json
import re
from datetime import timedelta

import pytest
from django.test import Client

from articles import services
from articles.models import Article
from articles.versions import save_unversioned
from tests.factories import ArticleFactory, CorrectionFactory, TopicFactory
from tests.publishing import publish


class StoreClient(Client):
    """A reader's client that checks each page it gets was answered from the page store."""

    def get(self, *args, **kwargs):
        response = super().get(*args, **kwargs)
        if response.status_code == 200:
            assert response["X-Page-Store"] in ("hit", "miss"), "not served from the page store"
        return response


@pytest.fixture(params=["per request", "baked"])
def client(request, settings):
    settings.SITE_URL = "http://testserver"  # the address the pages are baked for
    if request.param == "per request":
        return Client()
    request.getfixturevalue("page_store")
    return StoreClient()


def json_ld(response) -> dict:
    blocks = re.findall(rb'<script type="application/ld\+json"[^>]*>(.*?)</script>', response.content, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def test_it_shows_the_byline_with_author_and_editor_profiles(client, published_article):
    response = client.get(published_article.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert '<a rel="author" class="author" href="/authors/alice/">Alice</a>' in html
    assert '<a class="editor" href="/authors/bob/">Bob</a>' in html
    published = published_article.published_at.isoformat(timespec="seconds")
    assert f'<time class="published" datetime="{published}">' in html
    assert 'class="updated"' not in html


def test_it_shows_the_updated_date_once_there_is_one(client, published_article):
    published_article.updated_at = published_article.published_at + timedelta(days=2)
    save_unversioned(published_article, "updated_at")
    html = client.get(published_article.get_absolute_url()).content.decode()
    updated = published_article.updated_at.isoformat(timespec="seconds")
    assert f'<time class="updated" datetime="{updated}">Updated ' in html


def test_it_describes_the_article_in_json_ld(client, published_article, alice, bob):
    publish(published_article, author=alice, editor=bob, topics=[TopicFactory(name="Housing")])
    correction = CorrectionFactory(article=published_article, note="The vote was 7-2, not 6-3.")
    published_article.updated_at = correction.published_at
    save_unversioned(published_article, "updated_at")

    data = json_ld(client.get(published_article.get_absolute_url()))

    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Council approves homes"
    assert data["author"] == [{"@type": "Person", "name": "Alice", "url": "http://testserver/authors/alice/"}]
    assert data["editor"] == {"@type": "Person", "name": "Bob", "url": "http://testserver/authors/bob/"}
    assert data["datePublished"] == published_article.published_at.isoformat()
    assert data["dateModified"] == correction.published_at.isoformat()
    assert data["keywords"] == ["Housing"]
    assert data["correction"] == [
        {
            "@type": "CorrectionComment",
            "text": "The vote was 7-2, not 6-3.",
            "datePublished": correction.published_at.isoformat(),
        }
    ]
    publisher = data["publisher"]
    assert publisher["correctionsPolicy"] == "http://testserver/policies/corrections-policy/"
    assert publisher["publishingPrinciples"] == "http://testserver/policies/publishing-principles/"


def test_it_uses_the_published_date_as_date_modified_without_updates(client, published_article):
    data = json_ld(client.get(published_article.get_absolute_url()))
    assert data["dateModified"] == data["datePublished"]


def test_it_cannot_be_broken_out_of_by_text_in_the_json_ld(client, published_article):
    published_article.title = "</script><script>alert(1)</script>"
    published_article.save()
    published_article.live_version = published_article.history.latest()
    save_unversioned(published_article, "live_version")
    response = client.get(published_article.get_absolute_url())
    assert b"<script>alert(1)" not in response.content
    assert json_ld(response)["headline"] == "</script><script>alert(1)</script>"


def test_it_serves_the_live_version_not_later_edits(client, published_article):
    published_article.title = "Council rejects homes"
    published_article.body = "Unreviewed text."
    published_article.save()

    html = client.get(published_article.get_absolute_url()).content.decode()

    assert "Council approves homes" in html
    assert "Council rejects homes" not in html
    assert "Unreviewed text." not in html


def test_it_hides_articles_that_are_not_live(client, alice):
    draft = ArticleFactory(author=alice.person)
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_it_lists_correction_notes(client, published_article):
    CorrectionFactory(article=published_article, note="We misnamed the council leader.")
    html = client.get(published_article.get_absolute_url()).content.decode()
    assert "Corrections and clarifications" in html
    assert "We misnamed the council leader." in html


def test_it_runs_no_script_but_the_sites_own_files(client, published_article):
    response = client.get(published_article.get_absolute_url())
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp and "nonce" not in csp  # the same bytes for every reader
    scripts = re.findall(r"<script([^>]*)>", response.content.decode())
    assert scripts and all(
        'src="/static/' in attrs or 'type="application/ld+json"' in attrs for attrs in scripts
    )


def test_it_lists_live_articles_newest_first_on_the_home_page(client, published_article, alice):
    ArticleFactory(author=alice.person, title="A draft nobody should see")
    html = client.get("/").content.decode()
    assert "Council approves homes" in html
    assert "A draft nobody should see" not in html


def test_it_lists_a_topics_articles(client, published_article, alice, bob):
    topic = TopicFactory(name="Housing", slug="housing")
    publish(published_article, author=alice, editor=bob, topics=[topic])
    response = client.get("/topics/housing/")
    assert response.status_code == 200
    assert "Council approves homes" in response.content.decode()
    assert client.get("/topics/nope/").status_code == 404


def test_it_orders_the_home_page_by_publication(client, published_article, alice, bob):
    newer = ArticleFactory(author=alice.person, editor=bob.person, title="Newer story")
    services.article_submit(newer, by=alice)
    services.article_approve(newer, by=bob)
    services.article_publish(newer, by=bob)
    Article.objects.filter(pk=published_article.pk).update(
        published_at=newer.published_at - timedelta(hours=1)
    )
    html = client.get("/").content.decode()
    assert html.index("Newer story") < html.index("Council approves homes")
