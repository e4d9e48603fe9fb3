"""Nothing in a working copy reaches readers before an editor publishes it.

A live article's working copy gets a unique marker in every field readers could be shown: title,
standfirst, body, search description, address, a topic, a new entity and its description, and a new
source on a checked claim. Then every public address the site has is requested (the URL conf's routes,
each filled with every value the database holds for it) and the marker must be nowhere. Once the working
copy is published, the marker is where it belongs. Once the article is unpublished, a second marker in
the working copy is again nowhere, and the first stays only where the record of what readers saw stands
(the notice at the article's address, the reader's status page).
"""

from __future__ import annotations

import json

import pytest
from django.db.models import Max
from django.test import Client
from django.urls import get_resolver

from articles import services
from articles.models import Article, Entity, HistoricalArticle, OldAddress, Topic
from articles.sitemaps import SITEMAP_PAGE_SIZE
from corrections.models import CorrectionRequest
from editorial import services as editorial_services
from editorial.models import Person, PolicyPage
from editorial.sitemaps import SITEMAPS
from tests.factories import ArticleFactory, PersonFactory
from tests.publishing import publish
from tests.routes import walk

BODY = "The council approved 12 new homes, the mayor said."

# Committed for real: with the page store on, pages are baked when each change commits, and a page
# baked before a change must not be what readers get after it.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=["per request", "baked"])
def client(request):
    if request.param == "baked":
        request.getfixturevalue("page_store")
    return Client()


# Where each route parameter's values come from: every one the database holds, live or not.
SOURCES = {
    ("articles/", "slug"): lambda: {
        *Article.objects.values_list("slug", flat=True),
        *HistoricalArticle.objects.values_list("slug", flat=True),
        *OldAddress.objects.values_list("slug", flat=True),
    },
    ("topics/", "slug"): lambda: set(Topic.objects.values_list("slug", flat=True)),
    ("entities/", "slug"): lambda: set(Entity.objects.values_list("slug", flat=True)),
    ("authors/", "slug"): lambda: set(Person.objects.values_list("slug", flat=True)),
    ("policies/", "slug"): lambda: set(PolicyPage.objects.values_list("slug", flat=True)),
    ("sitemap-", "section"): lambda: set(SITEMAPS),
    ("corrections/status/", "token"): lambda: set(
        CorrectionRequest.objects.values_list("status_token", flat=True)
    ),
}


def public_urls() -> list[str]:
    """Every public address: each route of the URL conf (the back office aside), with each value the
    database holds for its parameter. A route with a parameter no source fills fails the test."""
    urls = []
    for route in walk(get_resolver().url_patterns):
        if route.startswith("admin/"):
            continue
        if "<" not in route:
            urls.append("/" + route)
            continue
        head, rest = route.split("<", 1)
        converter, tail = rest.split(">", 1)
        assert "<" not in tail, f"{route}: more than one parameter; teach the sweep to fill it"
        source = SOURCES.get((head, converter.split(":")[-1]))
        assert source is not None, f"no source of values for <{converter}> in {route}"
        urls.extend(f"/{head}{value}{tail}" for value in sorted(source()))
    return urls


def sitemap_page(article: Article) -> str:
    """The articles' sitemap page listing `article`: its pages are ranges of ids."""
    number = (article.pk - 1) // SITEMAP_PAGE_SIZE + 1
    return "/sitemap-articles.xml" + (f"?p={number}" if number > 1 else "")


def later_sitemap_pages() -> list[str]:
    """The articles' sitemap pages after the first (rendered per request), up to the largest id's."""
    top = Article.objects.aggregate(top=Max("pk"))["top"] or 0
    return [f"/sitemap-articles.xml?p={n}" for n in range(2, (top - 1) // SITEMAP_PAGE_SIZE + 2)]


def sweep(client: Client, marker: str) -> dict[str, int]:
    """The public addresses whose answer shows the marker, with their status; and the search asked for it
    in capitals (the page repeats the query: the marker as written is what the search found)."""
    found = {}
    for url in [*public_urls(), *later_sitemap_pages(), f"/search/?q={marker.upper()}"]:
        response = client.get(url)
        assert response.status_code < 500, url
        text = response.content.decode(errors="replace")
        text = text if url.startswith("/search/") else text.lower()
        if marker in text or marker in response.headers.get("Location", "").lower():
            found[url] = response.status_code
    return found


def mark(article: Article, marker: str, *, editor, checker) -> dict:
    """Put the marker in every field of the working copy readers could be shown, without publishing; and
    name another responsible editor, whose profile must not list the article before it is published."""
    topic = Topic.objects.create(name=f"Topic {marker}", slug=f"topic-{marker}")
    article.editor = PersonFactory(name=f"Editor of {marker}", slug=f"editor-of-{marker}")
    entity = Entity.objects.create(name=f"Person{marker}", slug=f"entity-{marker}")
    article.title = f"Title {marker}"
    article.dek = f"Standfirst {marker}"
    article.seo_description = f"Search {marker}"
    article.slug = f"slug-{marker}"
    article.body = f"{BODY}\n\nPerson{marker} said the homes were {marker}."
    services.article_save(
        article,
        by=editor,
        reason="Marked",
        topics=[*article.topics.all(), topic],
        entities=[services.EntityLine(entity, f"Description {marker}")],
    )
    claim = article.claims.get()
    # A source readers see now gets a new address (checked by hand again), and a new source is added.
    minutes = claim.evidence.get(title="Minutes")
    editorial_services.evidence_update(minutes, by=checker, url=f"https://example.org/{marker}/minutes")
    editorial_services.evidence_update(minutes, by=checker, checked_by_hand=True)
    editorial_services.evidence_add(
        claim,
        by=checker,
        url=f"https://example.org/{marker}",
        title=f"Source {marker}",
        public=True,
        checked_by_hand=True,
    )
    return {"topic": topic, "entity": entity}


@pytest.fixture
def live(alice, bob, carol):
    """A live article with a checked claim, a source and a reader's report."""
    article = ArticleFactory(
        author=alice.person, editor=bob.person, title="Council approves homes", body=BODY
    )
    claim = editorial_services.claim_add(article, by=carol, text="The council approved 12 new homes")
    editorial_services.evidence_add(
        claim,
        by=carol,
        url="https://council.example.org/minutes",
        title="Minutes",
        public=True,
        checked_by_hand=True,
    )
    editorial_services.claim_record_verdict(claim, by=carol, status="verified", note="Minutes, item 4.")
    publish(article, author=alice, editor=bob)
    assert "https://council.example.org/minutes" in Client().get(article.get_absolute_url()).content.decode()
    CorrectionRequest.objects.create(
        article=article, quoted_text="12 new homes", explanation="It was 21.", ip_hash="x" * 64
    )
    return article


def test_nothing_of_a_working_copy_is_public_until_it_is_published(client, live, alice, bob, carol):
    marker, address = "zqcanary1", live.slug
    mark(live, marker, editor=bob, checker=carol)
    # The new editor's own profile names them, and does not list the article they do not edit yet.
    assert sweep(client, marker) == {f"/authors/editor-of-{marker}/": 200}
    assert "Council approves homes" not in client.get(f"/authors/editor-of-{marker}/").content.decode()
    # The search finds the live version by its words, and the working copy by none of its own.
    assert "Council approves homes" in client.get("/search/?q=council+homes").content.decode()

    publish(live, author=alice, editor=bob)
    found = sweep(client, marker)
    page = client.get(f"/articles/slug-{marker}/").content.decode()
    for text in ("Title", "Standfirst", "Search", "Topic", "Person", "Description", "Source"):
        assert f"{text} {marker}" in page or f"{text}{marker}" in page, text
    assert f"https://example.org/{marker}" in page
    assert f"https://example.org/{marker}/minutes" in page
    ld = json.loads(page.split('type="application/ld+json"', 1)[1].split(">", 1)[1].split("</script>")[0])
    assert f"Topic {marker}" in ld["keywords"]
    expected = {
        "/",
        "/feed/",
        sitemap_page(live),
        "/sitemap-topics.xml",
        f"/articles/slug-{marker}/",
        f"/articles/slug-{marker}/changes/",
        f"/articles/slug-{marker}/corrections/new/",
        f"/topics/topic-{marker}/",
        f"/entities/entity-{marker}/",
        "/authors/alice/",
        f"/authors/editor-of-{marker}/",
        f"/search/?q={marker.upper()}",
    }
    assert expected <= set(found), sorted(expected - set(found))
    assert all(status == 200 for url, status in found.items() if url in expected)
    old = client.get(f"/articles/{address}/")
    assert (old.status_code, old["Location"]) == (301, f"/articles/slug-{marker}/")


def test_nothing_of_a_working_copy_is_public_after_unpublishing(client, live, alice, bob, carol):
    seen, address = "zqcanary2", live.slug
    mark(live, seen, editor=bob, checker=carol)
    publish(live, author=alice, editor=bob)
    services.article_unpublish(live, by=bob, reason="A legal complaint is being reviewed.")
    live.refresh_from_db()
    draft = "zqcanary3"
    live.title, live.body = f"Title {draft}", f"{live.body}\n\nMore {draft}."
    services.article_save(live, by=alice, reason="Edited after unpublishing")
    assert sweep(client, draft) == {}

    # What readers saw stays only where the record of it stands: the notice at its address (the old
    # address leads there), the reader's own status page.
    token = CorrectionRequest.objects.get().status_token
    pages = ("", "changes/", "corrections/new/")
    allowed = {
        *(f"/articles/slug-{seen}/{page}" for page in pages),
        *(f"/articles/{address}/{page}" for page in pages),
        f"/corrections/status/{token}/",
        f"/authors/editor-of-{seen}/",  # their name; the article no longer listed
    }
    assert f"Title {seen}" not in client.get(f"/authors/editor-of-{seen}/").content.decode()
    found = sweep(client, seen)
    assert set(found) <= allowed, sorted(set(found) - allowed)
    assert found[f"/articles/slug-{seen}/"] == 410
