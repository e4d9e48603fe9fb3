"""What screen readers, keyboards, validators and crawlers need of the public pages: fields described by
their help and errors, a reachable table scroll region, `<time datetime>` values HTML accepts, and status
pages crawlers may read so as to see their noindex."""

import re
import time
from html.parser import HTMLParser

import pytest
from django.core.cache import cache

from articles.markdown import sanitize_html
from corrections.forms import form_token
from tests.factories import CorrectionFactory, DisclosureFactory, TopicFactory
from tests.publishing import publish

TABLE = "## Results\n\n| Ward | Homes |\n|---|---|\n| North | 12 |\n| South | 14 |\n"
# HTML's date-time strings allow one to three fractional digits of a second.
TOO_PRECISE = re.compile(r'datetime="[^"]*\.\d{4,}')


class Elements(HTMLParser):
    """Every start tag's name, attributes and open ancestors' attributes (nearest last), in order."""

    VOID = {"input", "br", "img", "meta", "link", "hr"}

    def __init__(self, html: str):
        super().__init__()
        self.elements: list[tuple[str, dict, list[dict]]] = []
        self.open: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs), [attributes for _, attributes in self.open]))
        if tag not in self.VOID:
            self.open.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        while self.open and self.open.pop()[0] != tag:
            pass

    def by_id(self) -> dict[str, dict]:
        return {attrs["id"]: attrs for _, attrs, _ in self.elements if attrs.get("id")}


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()


def _report(client, article, **fields):
    data = {
        "quoted_text": "The council approved 12 new homes",
        "explanation": "It was 14 homes, according to the council minutes.",
        "evidence_url": "https://council.example.org/minutes/2026-11",
        "name": "Sam Reader",
        "email": "sam@example.org",
        "website": "",
        "started": form_token(time.time() - 30),
        **fields,
    }
    return client.post(f"/articles/{article.slug}/corrections/new/", data)


def test_it_describes_each_field_by_its_help_and_its_errors(client, published_article):
    response = _report(
        client, published_article, explanation="", email="not an address", evidence_url="x" * 600
    )
    assert response.status_code == 400
    page = Elements(response.content.decode())
    ids = page.by_id()
    fields = {attrs["name"]: attrs for tag, attrs, _ in page.elements if tag in {"input", "textarea"}}

    for name in ("explanation", "email", "evidence_url"):
        assert fields[name].get("aria-invalid") == "true", name
    assert fields["email"]["aria-describedby"] == "id_email_helptext id_email_error"
    assert fields["explanation"]["aria-describedby"] == "id_explanation_error"
    assert fields["quoted_text"]["aria-describedby"] == "id_quoted_text_helptext"
    assert "aria-invalid" not in fields["quoted_text"]
    for name, attrs in fields.items():
        for described_by in (attrs.get("aria-describedby") or "").split():
            assert described_by in ids, f"{name} is described by {described_by}, which is not in the page"
            kind = "help" if described_by.endswith("_helptext") else "error"
            assert kind in (ids[described_by].get("class") or "").split(), described_by
    assert "Tell us what is wrong" in response.content.decode().split('id="id_explanation_error"')[1]


def test_it_puts_an_articles_table_in_a_named_region_the_keyboard_reaches(
    client, published_article, alice, bob
):
    published_article.body = TABLE
    publish(published_article, author=alice, editor=bob, topics=[TopicFactory()])

    page = Elements(client.get(published_article.get_absolute_url()).content.decode())

    (ancestors,) = [ancestors for tag, _, ancestors in page.elements if tag == "table"]
    assert ancestors[-1] == {
        "class": "table-scroll",
        "tabindex": "0",
        "role": "region",
        "aria-label": "Table 1",
    }


@pytest.mark.parametrize("page", ["home", "article", "author", "topic", "corrections log"])
def test_it_writes_datetimes_to_the_second_at_most_to_the_millisecond(
    client, published_article, alice, bob, page
):
    topic = TopicFactory(slug="housing")
    publish(published_article, author=alice, editor=bob, topics=[topic])
    CorrectionFactory(article=published_article)
    DisclosureFactory(person=alice.person)
    address = {
        "home": "/",
        "article": published_article.get_absolute_url(),
        "author": "/authors/alice/",
        "topic": "/topics/housing/",
        "corrections log": "/corrections/",
    }[page]

    html = client.get(address).content.decode()

    assert 'datetime="' in html
    assert TOO_PRECISE.findall(html) == []


def test_it_lets_crawlers_read_the_status_pages_noindex(client, published_article):
    robots = client.get("/robots.txt").content.decode()
    assert "/corrections/status/" not in robots
    assert "Disallow: /admin/" in robots

    status = client.get(_report(client, published_article).headers["Location"])
    assert status.status_code == 200
    assert '<meta name="robots" content="noindex">' in status.content.decode()
    assert status.headers["X-Robots-Tag"] == "noindex"


def test_it_keeps_only_the_scroll_regions_attributes_on_a_div():
    html = (
        '<div class="table-scroll" tabindex="0" role="region" aria-label="Table 2">a</div>'
        '<div class="x" tabindex="-1" role="alert" aria-label="Click me" onclick="go()">b</div>'
    )
    assert sanitize_html(html) == (
        '<div class="table-scroll" tabindex="0" role="region" aria-label="Table 2">a</div><div>b</div>'
    )
