import xml.etree.ElementTree as ET

from tests.factories import ArticleFactory
from tests.sitemaps import sitemap_locs


def test_it_lists_live_articles_in_the_feed(client, published_article, alice):
    ArticleFactory(author=alice.person, title="Unpublished draft")
    published_article.title = "An unreviewed headline"
    published_article.save()

    response = client.get("/feed/")

    assert response.status_code == 200
    items = ET.fromstring(response.content).findall("./channel/item")
    assert [item.findtext("title") for item in items] == ["Council approves homes"]
    assert items[0].findtext("link") == "http://testserver/articles/" + published_article.slug + "/"


def test_it_lists_live_articles_topics_and_authors_in_the_sitemap(client, published_article, alice):
    ArticleFactory(author=alice.person, slug="secret-draft")
    locs = sitemap_locs(client)
    assert f"http://testserver/articles/{published_article.slug}/" in locs
    assert "http://testserver/authors/alice/" in locs
    assert "http://testserver/policies/corrections-policy/" in locs
    assert not any("secret-draft" in loc for loc in locs)


def test_it_points_crawlers_at_the_sitemap_and_away_from_the_admin(client, db):
    response = client.get("/robots.txt")
    assert response.headers["Content-Type"] == "text/plain"
    assert "Disallow: /admin/" in response.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()


def test_the_sitemap_pages_its_articles_by_id_ranges_listing_each_live_one_once(
    client, published_article, alice, bob, monkeypatch
):
    from articles.sitemaps import ArticleSitemap
    from tests.publishing import publish

    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    live = [published_article]
    for i in range(4):
        article = ArticleFactory(author=alice.person, editor=bob.person, slug=f"live-{i}")
        ArticleFactory(author=alice.person, slug=f"draft-{i}")
        live.append(publish(article, author=alice, editor=bob))
    locs = [loc for loc in sitemap_locs(client) if "/articles/" in loc]
    assert sorted(locs) == sorted(f"http://testserver/articles/{a.slug}/" for a in live)
    assert client.get("/sitemap-articles.xml?p=999").status_code == 404
    assert client.get("/sitemap-articles.xml?p=x").status_code == 404
