"""Every public page has one canonical address and a social card (Open Graph and Twitter tags), with
values from the live version and the site's settings, never from the working copy or the request; the
same whether rendered per request or baked into the page store."""

import re
from collections import defaultdict
from html.parser import HTMLParser

import pytest
from django.test import Client

from articles import services
from articles.models import Entity
from corrections.models import CorrectionRequest
from editorial.models import PolicyPage
from tests.factories import ArticleFactory, CorrectionFactory, TopicFactory
from tests.publishing import publish

SITE = "http://testserver"  # the address pages are baked for
SECONDS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")
CARD = ["og:title", "og:description", "og:type", "og:site_name", "twitter:card", "twitter:title"]


class Tags(HTMLParser):
    """The canonical links and the <meta property|name> tags of a page's head, each with every value."""

    def __init__(self, html: str):
        super().__init__()
        self.canonical: list[str] = []
        self.meta: dict[str, list[str]] = defaultdict(list)
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") == "canonical":
            self.canonical.append(attrs["href"])
        elif tag == "meta" and (attrs.get("property") or attrs.get("name")):
            self.meta[attrs.get("property") or attrs["name"]].append(attrs.get("content", ""))

    def one(self, name: str) -> str:
        assert len(self.meta[name]) == 1, f"{name}: {self.meta[name]}"
        return self.meta[name][0]


def tags(response) -> Tags:
    return Tags(response.content.decode())


@pytest.fixture(params=["per request", "baked"])
def client(request, settings):
    settings.SITE_URL = SITE
    settings.PUBLISHER_NAME = "The Gazette"
    if request.param == "baked":
        request.getfixturevalue("page_store")
    return Client()


@pytest.fixture
def site(alice, bob):
    """A live article filed under a topic and showing an entity, with a published correction and a
    reader's report; and an article that was unpublished."""
    topic = TopicFactory(name="Housing", slug="housing")
    entity = Entity.objects.create(name="Town Council", slug="town-council")
    article = ArticleFactory(
        author=alice.person,
        editor=bob.person,
        title="Council approves homes",
        dek="Twelve homes on the old depot.",
        body="The Town Council approved 12 new homes.",
    )
    publish(
        article,
        author=alice,
        editor=bob,
        topics=[topic],
        entities=[services.EntityLine(entity, "The town's elected council.")],
    )
    CorrectionFactory(article=article)
    report = CorrectionRequest.objects.create(
        article=article, quoted_text="12 new homes", explanation="It was 21.", ip_hash="x" * 64
    )
    gone = ArticleFactory(author=alice.person, editor=bob.person, title="Depot sold", body="The depot sold.")
    publish(gone, author=alice, editor=bob)
    services.article_unpublish(gone, by=bob, reason="A legal complaint is being reviewed.")
    return {"article": article, "gone": gone, "report": report}


def pages(site) -> dict[str, tuple[str, str, str]]:
    """Each public page: its address, og:title and og:type."""
    slug = site["article"].slug
    policy = PolicyPage.objects.get(slug="corrections-policy")
    return {
        "home": ("/", "The Gazette", "website"),
        "article": (f"/articles/{slug}/", "Council approves homes", "article"),
        "changes": (f"/articles/{slug}/changes/", "Changes to “Council approves homes”", "website"),
        "correction form": (f"/articles/{slug}/corrections/new/", "Report an error", "website"),
        "gone": (f"/articles/{site['gone'].slug}/", "“Depot sold” was unpublished", "website"),
        "author": ("/authors/alice/", "Alice", "profile"),
        "editor": ("/authors/bob/", "Bob", "profile"),
        "topic": ("/topics/housing/", "Housing", "website"),
        "entity": ("/entities/town-council/", "Town Council", "website"),
        "policy": (policy.get_absolute_url(), policy.title, "website"),
        "corrections log": ("/corrections/", "Corrections and clarifications", "website"),
    }


def assert_card(page: Tags, *, url: str | None, title: str, type: str) -> None:
    """The card, with the canonical address `url` (None: an error page, which has none)."""
    if url is None:
        assert page.canonical == []
        assert "og:url" not in page.meta
    else:
        assert page.canonical == [SITE + url]
        assert page.one("og:url") == SITE + url
    assert page.one("og:title") == page.one("twitter:title") == title
    assert page.one("og:type") == type
    assert page.one("og:site_name") == "The Gazette"
    assert page.one("og:description") == page.one("twitter:description") != ""
    # No image library yet and no default image in static/: a summary card without an image.
    assert page.one("twitter:card") == "summary"
    assert "og:image" not in page.meta


@pytest.mark.parametrize(
    "name",
    [
        "home",
        "article",
        "changes",
        "correction form",
        "gone",
        "author",
        "editor",
        "topic",
        "entity",
        "policy",
        "corrections log",
    ],
)
def test_it_gives_each_public_page_a_canonical_address_and_a_card(client, site, name):
    url, title, type = pages(site)[name]
    response = client.get(url)
    assert response.status_code in (200, 404, 410)
    assert_card(tags(response), url=url, title=title, type=type)


def test_it_gives_error_pages_a_card_without_an_address(client, site):
    # A 404 must not echo the path it was asked for (a working copy's slug, say): no canonical.
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert_card(tags(response), url=None, title="Page not found", type="website")
    assert "no-such-page" not in response.content.decode()

    url = f"/articles/{site['article'].slug}/corrections/new/"
    response = client.post(url, "a=1", content_type="application/x-www-form-urlencoded; charset=latin-1")
    assert response.status_code == 400
    assert_card(tags(response), url=None, title="Your request could not be read", type="website")


def test_it_takes_the_article_card_from_the_live_version(client, site, alice):
    article = site["article"]
    article.title, article.dek = "Unpublished title", "Unpublished standfirst."
    services.article_save(article, by=alice, reason="Edited, not published")
    page = tags(client.get(article.get_absolute_url()))

    assert page.one("og:title") == page.one("twitter:title") == "Council approves homes"
    assert page.one("og:description") == page.one("twitter:description") == "Twelve homes on the old depot."
    assert page.one("article:published_time") == article.published_at.isoformat(timespec="seconds")
    assert page.one("article:modified_time") == article.date_modified.isoformat(timespec="seconds")
    assert SECONDS.match(page.one("article:published_time"))
    assert SECONDS.match(page.one("article:modified_time"))
    assert page.one("article:author") == f"{SITE}/authors/alice/"


def test_it_gives_a_profile_no_article_tags(client, site):
    page = tags(client.get("/authors/alice/"))
    assert page.one("og:description") == page.one("description")
    assert page.one("og:description").startswith("Alice, Reporter: background")
    assert not {"article:published_time", "article:modified_time", "article:author"} & set(page.meta)


def test_it_keeps_the_readers_status_page_out_of_canonical_addresses_and_indexes(client, site):
    response = client.get(site["report"].get_status_url())
    page = tags(response)
    assert response.status_code == 200
    assert page.canonical == []
    assert "og:url" not in page.meta
    assert page.one("robots") == "noindex"
    assert page.one("og:title") == "Your report"
    assert site["report"].reference not in page.one("og:title") + page.one("og:description")


def test_it_keeps_a_lists_cursor_and_drops_other_query_strings(client, site):
    assert tags(client.get("/?utm_source=feed")).canonical == [SITE + "/"]
    page = tags(client.get("/topics/housing/?before=4102444800000000.1&utm_source=feed"))
    assert page.canonical == [SITE + "/topics/housing/?before=4102444800000000.1"]
    assert page.one("og:url") == page.canonical[0]
    article = site["article"].get_absolute_url()
    assert tags(client.get(f"{article}?before=1.1")).canonical == [SITE + article]


def test_it_builds_addresses_from_the_site_url_not_the_request(site, settings):
    settings.SITE_URL = "https://news.example.org"
    settings.ALLOWED_HOSTS = ["*"]
    url = site["article"].get_absolute_url()
    page = tags(Client().get(url, HTTP_HOST="mirror.example.net"))
    assert page.canonical == ["https://news.example.org" + url]
    assert page.one("article:author") == "https://news.example.org/authors/alice/"
