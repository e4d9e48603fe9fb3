"""Reading the public article page the way a reader does: the transparency box's sentences and the
sources list, as plain text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from articles import services
from articles.models import Article, Transition
from editorial.models import Claim


class _Box(HTMLParser):
    """Collects the text of each paragraph and list item inside one <section class="box NAME">, and the
    links in them."""

    def __init__(self, name: str):
        super().__init__()
        self.name, self.depth, self.current = name, 0, None
        self.sentences: list[str] = []
        self.links: list[tuple[str, str]] = []
        self._href = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and self.name in (attrs.get("class") or "").split():
            self.depth = 1
        elif self.depth and tag == "section":
            self.depth += 1
        elif self.depth and tag in ("p", "li"):
            self.current = []
        elif self.depth and tag == "a":
            self._href, self._text = attrs.get("href"), []

    def handle_endtag(self, tag):
        if self.depth and tag == "section":
            self.depth -= 1
        elif self.depth and tag in ("p", "li") and self.current is not None:
            self.sentences.append(" ".join("".join(self.current).split()))
            self.current = None
        elif self.depth and tag == "a" and self._href is not None:
            self.links.append((" ".join("".join(self._text).split()), self._href))
            self._href = None

    def handle_data(self, data):
        if self.depth and self.current is not None:
            self.current.append(data)
        if self.depth and self._href is not None:
            self._text.append(data)


def read_box(client, article: Article, name: str = "transparency") -> _Box:
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    parser = _Box(name)
    parser.feed(response.content.decode())
    return parser


def sentences(client, article: Article) -> list[str]:
    return read_box(client, article).sentences


def sources(client, article: Article) -> list[str]:
    """The titles (or addresses) of the sources listed under the article."""
    return [text for text, _href in read_box(client, article, "sources").links]


def one(found: list[str], pattern: str) -> re.Match:
    """The one sentence matching `pattern` (a regular expression over the whole sentence)."""
    matches = [m for m in (re.fullmatch(pattern, s) for s in found) if m]
    assert len(matches) == 1, f"{pattern!r} matched {len(matches)} of {found}"
    return matches[0]


def none(found: list[str], pattern: str) -> None:
    assert not [s for s in found if re.search(pattern, s)], f"{pattern!r} found in {found}"


def publish(article: Article, *, by, override_reason: str = "") -> Article:
    """Move an article through review and publish it (over the gate with a reason)."""
    if article.status != Article.Status.IN_REVIEW:
        services.article_submit(article, by=article.author.user)
    services.article_approve(article, by=by)
    return services.article_publish(article, by=by, override_reason=override_reason)


def publication(article: Article) -> Transition:
    """The recorded move that put the live version before readers."""
    article.refresh_from_db()
    return Transition.objects.get(article=article, to_status="published", version=article.live_version)


def claims_as_published(article: Article) -> dict[str, int]:
    """How many of the article's claims had each status when its live version was published, read
    with simple-history's own point-in-time query."""
    records = Claim.history.as_of(publication(article).at).filter(article_id=article.pk)
    counts: dict[str, int] = {}
    for claim in records:
        counts[claim.status] = counts.get(claim.status, 0) + 1
    return counts


def count_sentence(n: int, status: str) -> str:
    """The sentence pattern the box uses for `n` claims of a status (checked against numbers from the
    database, not fixed text)."""
    claim, was = ("claim", "was") if n == 1 else ("claims", "were")
    return {
        "verified": rf"{n} {claim} {was} verified by a fact-checker\.",
        "corrected": rf"{n} {claim} {was} found inaccurate and corrected\.",
        "unverifiable": rf"{n} {claim} could not be verified\.",
        "pending": rf"{n} {claim} {was} still waiting for a verdict\.",
    }[status]
