"""/search/: readers find live versions only, best first, with the words found highlighted."""

import pytest
from django.db import connection

from articles import search, services
from articles.models import Article
from tests.factories import ArticleFactory
from tests.publishing import publish

pytestmark = pytest.mark.django_db


def live(alice, bob, **fields) -> Article:
    article = ArticleFactory(author=alice.person, editor=bob.person, **fields)
    return publish(article, author=alice, editor=bob)


def found(client, query: str) -> str:
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture(params=["as configured", "plain fallback"])
def engine(request, monkeypatch):
    """Each search as the database does it (full text on PostgreSQL), and by the plain fallback."""
    if request.param == "plain fallback":
        monkeypatch.setattr(search, "full_text", lambda: False)
    return request.param


def test_it_finds_a_live_article_by_a_word_of_its_body(client, alice, bob, engine):
    live(alice, bob, title="Power prices", body="The national grid will be upgraded by 2030.")
    page = found(client, "grid")
    assert "Power prices" in page
    assert "Nothing published matches" not in page


@pytest.mark.postgres
def test_it_finds_other_forms_of_the_word_on_postgresql(client, alice, bob):
    live(alice, bob, title="Power prices", body="The national grid will be upgraded by 2030.")
    assert "Power prices" in found(client, "grids upgrading")


def test_it_never_finds_a_draft_or_an_unpublished_edit(client, alice, bob, engine):
    ArticleFactory(author=alice.person, title="Zqdraft story", body="Only zqdraftword here.")
    article = live(alice, bob, title="Power prices", body="The national grid will be upgraded.")
    article.refresh_from_db()
    article.title, article.body = "Zqedit headline", "The grid zqeditword."
    services.article_save(article, by=alice, reason="Edited, not published")
    for word in ("zqdraftword", "zqdraft", "zqeditword", "zqedit"):
        page = found(client, word)
        assert "Nothing published matches" in page, word
        assert "Zqdraft story" not in page and "Zqedit headline" not in page
    assert "Power prices" in found(client, "grid")


def test_it_never_finds_an_unpublished_article(client, alice, bob, engine):
    article = live(alice, bob, title="Power prices", body="The national grid will be upgraded.")
    services.article_unpublish(article, by=bob, reason="Under legal review.")
    assert "Nothing published matches" in found(client, "grid")


def test_it_ranks_a_title_match_above_a_body_match(client, alice, bob, engine):
    live(alice, bob, title="Grid upgrade planned", slug="in-title", body="Work starts in spring.")
    live(alice, bob, title="Spring budget", slug="in-body", body="Money for the grid and for schools.")
    page = found(client, "grid")
    assert page.index("/articles/in-title/") < page.index("/articles/in-body/")


def test_it_highlights_the_word_in_a_snippet(client, alice, bob, engine):
    live(alice, bob, title="Power prices", body="Engineers say the grid <b>needs</b> work & money.")
    page = found(client, "grid")
    assert "<mark>grid</mark>" in page
    assert "<b>needs</b>" not in page and "work &amp; money" in page


def test_it_pages_results(client, alice, bob, engine, monkeypatch):
    monkeypatch.setattr(search, "PAGE_SIZE", 2)
    for n in range(3):
        live(alice, bob, title=f"Grid story {n}", slug=f"grid-{n}", body="About the grid.")
    first = found(client, "grid")
    assert first.count('class="teaser search-result"') == 2
    assert 'href="?q=grid&amp;page=2"' in first
    second = client.get("/search/", {"q": "grid", "page": 2}).content.decode()
    assert second.count('class="teaser search-result"') == 1
    assert 'href="?q=grid&amp;page=1"' in second and "page=3" not in second
    shown = {slug for slug in ("grid-0", "grid-1", "grid-2") if f"/articles/{slug}/" in first + second}
    assert len(shown) == 3
    assert client.get("/search/", {"q": "grid", "page": search.MAX_PAGES + 1}).status_code == 404
    assert client.get("/search/", {"q": "grid", "page": "x"}).status_code == 404


def test_it_explains_an_empty_or_too_long_query(client, alice, bob, engine):
    live(alice, bob, title="Power prices", body="The national grid.")
    assert "Type a word or two" in found(client, "   ")
    page = found(client, "grid " * 100)
    assert f"at most {search.MAX_QUERY_LENGTH} characters" in page
    assert "Power prices" not in page


@pytest.mark.parametrize("query", ["a\x00b", '"', "!&|:*()", "-", "or", "\u202e", "%00", "'; drop table"])
def test_it_answers_odd_queries(client, alice, bob, engine, query):
    live(alice, bob, title="Power prices", body="The national grid.")
    assert client.get("/search/", {"q": query}).status_code == 200


def test_it_is_rendered_per_request_and_not_indexed(client, page_store, alice, bob):
    live(alice, bob, title="Power prices", body="The national grid.")
    response = client.get("/search/", {"q": "grid"})
    assert response["X-Robots-Tag"] == "noindex"
    assert "X-Page-Store" not in response
    assert '<meta name="robots" content="noindex">' in response.content.decode()


def test_every_page_has_a_search_box(client, alice, bob):
    article = live(alice, bob, title="Power prices", body="The national grid.")
    page = client.get(article.get_absolute_url()).content.decode()
    assert '<form class="site-search" role="search" action="/search/"' in page
    assert '<label for="site-search">Search</label>' in page


@pytest.mark.postgres
def test_its_queries_use_the_gin_index(alice, bob):
    live(alice, bob, title="Power prices", body="The national grid.")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = search.live_matches("grid").query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "version_search" in plan, plan


@pytest.mark.postgres
def test_the_admin_list_searches_the_working_copies_by_full_text(client, alice, bob):
    article = live(alice, bob, title="Power prices", slug="power-prices", body="The national grid.")
    article.refresh_from_db()
    article.body = "The national grid, and zqworking batteries."
    services.article_save(article, by=alice, reason="Edited")
    ArticleFactory(author=alice.person, title="Unrelated", slug="unrelated")
    client.force_login(bob)
    for query in ("battery", "grids", "power-pri", "a\x00b"):
        response = client.get("/admin/articles/article/", {"q": query})
        assert response.status_code == 200, query
    assert "Power prices" in client.get("/admin/articles/article/", {"q": "battery"}).content.decode()
    page = client.get("/admin/articles/article/", {"q": "power-pri"}).content.decode()
    assert "Power prices" in page and "Unrelated" not in page
