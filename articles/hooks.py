"""Where the newsroom's other parts plug into articles, without articles knowing them (Wagtail's hooks).

A part registers its functions under a hook's name, from its AppConfig.ready() or its admin module;
articles calls every function registered under that name, in the order they were registered:

- `ARTICLE_PANELS`: `(request, article) -> Panel | None`, a section of the article's change form;
- `ARTICLE_ACTIONS`: admin actions (`@admin.action` functions) on the article list;
- `PUBLISH_CHECKS`: `(article) -> Iterable[gate.Problem]`, what the publish gate refuses;
- `ARTICLE_PAGE_CONTEXT`: `(article) -> dict`, added to the public article page's template context;
- `PUBLISHER_JSON_LD`: `(absolute) -> dict`, added to the publisher in the article's schema.org data
  (`absolute` turns a path into an absolute URL);
- `ARTICLE_PAGES`: `(article, versions) -> Iterable[str]`, the paths of the part's public pages that show
  something of those versions of the article (the page store bakes them when it goes live or changes);
- `SITE_PAGES`: `() -> Iterable[str]`, the part's public pages that show no article (policy pages),
  for `manage.py bake_pages`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

ARTICLE_PANELS = "article_panels"
ARTICLE_ACTIONS = "article_actions"
PUBLISH_CHECKS = "publish_checks"
ARTICLE_PAGE_CONTEXT = "article_page_context"
PUBLISHER_JSON_LD = "publisher_json_ld"
ARTICLE_PAGES = "article_pages"
SITE_PAGES = "site_pages"

NAMES = frozenset(
    {
        ARTICLE_PANELS,
        ARTICLE_ACTIONS,
        PUBLISH_CHECKS,
        ARTICLE_PAGE_CONTEXT,
        PUBLISHER_JSON_LD,
        ARTICLE_PAGES,
        SITE_PAGES,
    }
)

_registry: defaultdict[str, list[Callable[..., Any]]] = defaultdict(list)


def _known(name: str) -> None:
    if name not in NAMES:
        raise ValueError(f"No hook named {name!r}; the hooks are {', '.join(sorted(NAMES))}.")


def register[F: Callable[..., Any]](name: str, fn: F) -> F:
    """Add `fn` under the hook `name`; registering the same function twice adds it once."""
    _known(name)
    if fn not in _registry[name]:
        _registry[name].append(fn)
    return fn


def get_hooks(name: str) -> list[Callable[..., Any]]:
    _known(name)
    return list(_registry[name])


@contextmanager
def register_temporarily(name: str, fn: Callable[..., Any]) -> Iterator[None]:
    """Add `fn` under `name` for the duration of a `with` block (tests)."""
    added = fn not in get_hooks(name)
    register(name, fn)
    try:
        yield
    finally:
        if added:
            _registry[name].remove(fn)


@dataclass(frozen=True)
class Panel:
    """A section another part adds to the article's change form, rendered from its own template.

    `place`: "status" shows it with the article's state and the publish gate, above the workflow's
    buttons; "tools" below them. The template gets `original` (the article) and the keys of `context`."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)
    place: Literal["status", "tools"] = "tools"
