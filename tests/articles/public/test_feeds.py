import xml.etree.ElementTree as ET

from tests.factories import ArticleFactory


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
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [loc.text for loc in ET.fromstring(response.content).findall("./s:url/s:loc", ns)]
    assert f"http://testserver/articles/{published_article.slug}/" in locs
    assert "http://testserver/authors/alice/" in locs
    assert "http://testserver/policies/corrections-policy/" in locs
    assert not any("secret-draft" in loc for loc in locs)


def test_it_points_crawlers_at_the_sitemap_and_away_from_the_admin(client, db):
    response = client.get("/robots.txt")
    assert response.headers["Content-Type"] == "text/plain"
    assert "Disallow: /admin/" in response.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()
