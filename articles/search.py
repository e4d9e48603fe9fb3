"""Search: readers' over the live snapshots (/search/), staff's over the working copies (the admin's list).

On PostgreSQL it is full-text search: the title weighs A, the standfirst B, the body C, in the text search
configuration SEARCH_LANGUAGE; results are ranked (ts_rank) and each gets a snippet of its body with the
words found highlighted (ts_headline). Readers' searches read the live versions (HistoricalArticle rows an
article's live_version points to), through a GIN index on that table's vector (migration 0012) whose
expression is `document("")` below, word for word: a query must build the same expression to use it. On
SQLite (`make run`) it is a plain match of every word in the title, standfirst or body, title matches first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case, Q, QuerySet, Value, When
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article

MAX_QUERY_LENGTH = 200
PAGE_SIZE = 20
# Ranked results have no stable key to continue after, so they come in offset pages; past this many pages
# a search is a list to narrow, not to read, and an offset costs what it skips.
MAX_PAGES = 10
# Where ts_headline (or the fallback) marks a word found; escaped text never holds them, so once the
# snippet is escaped they become <mark> tags and nothing else can.
START, STOP = "\x02", "\x03"
SNIPPET_WORDS = 30


def document(prefix: str = "") -> SearchVector:
    """The weighted search vector of an article's text; `prefix` reaches it through a relation
    ("live_version__"). The GIN index is this expression with no prefix, on the versions' table."""
    language = settings.SEARCH_LANGUAGE
    return (
        SearchVector(f"{prefix}title", weight="A", config=language)
        + SearchVector(f"{prefix}dek", weight="B", config=language)
        + SearchVector(f"{prefix}body", weight="C", config=language)
    )


def full_text() -> bool:
    return connection.vendor == "postgresql"


def _query(terms: str) -> SearchQuery:
    # websearch syntax takes any input ("quoted phrases", -not, or) without ever raising a syntax error.
    return SearchQuery(terms, search_type="websearch", config=settings.SEARCH_LANGUAGE)


def _words(terms: str) -> list[str]:
    return [word for word in re.split(r"\W+", terms) if word][:20]


def _every_word(words: list[str], prefix: str) -> Q:
    found = Q()
    for word in words:
        found &= (
            Q(**{f"{prefix}title__icontains": word})
            | Q(**{f"{prefix}dek__icontains": word})
            | Q(**{f"{prefix}body__icontains": word})
        )
    return found


def live_matches(terms: str) -> QuerySet[Article]:
    """The live articles whose live version matches `terms`, best first, each with `snippet` (marked
    with START/STOP on PostgreSQL). Never a working copy: only the versions readers see are read."""
    rows = Article.objects.live().with_live_version()
    if full_text():
        query = _query(terms)
        snippet = SearchHeadline(
            "live_version__body",
            query,
            config=settings.SEARCH_LANGUAGE,
            start_sel=START,
            stop_sel=STOP,
            max_words=SNIPPET_WORDS,
            min_words=SNIPPET_WORDS // 2,
            max_fragments=2,
            fragment_delimiter=" … ",
        )
        return (
            rows.annotate(document=document("live_version__"))
            .filter(document=query)
            .annotate(rank=SearchRank(document("live_version__"), query), snippet=snippet)
            .order_by("-rank", "-published_at", "-pk")
        )
    words = _words(terms)
    if not words:
        return rows.none()
    title_first = Case(
        When(live_version__title__icontains=words[0], then=Value(2)),
        When(live_version__dek__icontains=words[0], then=Value(1)),
        default=Value(0),
    )
    return (
        rows.filter(_every_word(words, "live_version__"))
        .annotate(rank=title_first)
        .order_by("-rank", "-published_at", "-pk")
    )


def working_matches(rows: QuerySet[Article], terms: str) -> QuerySet[Article]:
    """Staff's search over the working copies (title, standfirst, body) and their slugs, on PostgreSQL."""
    terms = terms.replace("\x00", "").strip()[:MAX_QUERY_LENGTH]
    return rows.annotate(document=document()).filter(Q(document=_query(terms)) | Q(slug__icontains=terms))


@dataclass(frozen=True)
class Results:
    """One page of a search: its articles (each with `snippet_html`), its number, whether more follow."""

    articles: list[Article]
    page: int
    more: bool


def live_page(terms: str, page: int) -> Results:
    start = (page - 1) * PAGE_SIZE
    found = list(live_matches(terms)[start : start + PAGE_SIZE + 1])
    articles = found[:PAGE_SIZE]
    for article in articles:
        text = getattr(article, "snippet", None)
        if text is None:
            text = _fallback_snippet(article.live_version.body, _words(terms))
        article.snippet_html = highlight(text)  # type: ignore[attr-defined]
    return Results(articles, page, len(found) > PAGE_SIZE and page < MAX_PAGES)


def _fallback_snippet(body: str, words: list[str]) -> str:
    """About SNIPPET_WORDS words of `body` around the first word found, with the words found marked."""
    tokens = body.split()
    lowered = [word.lower() for word in words]
    first = next((i for i, token in enumerate(tokens) if any(w in token.lower() for w in lowered)), 0)
    start = max(0, first - SNIPPET_WORDS // 3)
    text = " ".join(tokens[start : start + SNIPPET_WORDS])
    if not lowered:
        return text
    pattern = re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)
    return pattern.sub(lambda found: f"{START}{found.group(0)}{STOP}", text)


def highlight(snippet: str) -> SafeString:
    """The snippet as HTML: its text escaped, the words found in <mark>."""
    clean = escape(snippet.replace("\x00", ""))
    return mark_safe(clean.replace(START, "<mark>").replace(STOP, "</mark>"))  # noqa: S308 - escaped above
