"""The publish gate: checks an article must pass before its approved version goes live.

The checks are the `hooks.PUBLISH_CHECKS` hook's functions: the article's own are registered here; other
parts add theirs from their AppConfig.ready() (the fact-check queue: "are the check-worthy claims
verified?").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from articles import hooks, phrases

if TYPE_CHECKING:
    from articles.models import Article


@dataclass(frozen=True)
class Problem:
    message: str
    # An editor may publish over an overridable problem by recording why; never over the others.
    overridable: bool = True


Check = Callable[["Article"], Iterable[Problem]]


def register(check: Check) -> Check:
    return hooks.register(hooks.PUBLISH_CHECKS, check)


def problems(article) -> list[Problem]:
    return [problem for check in hooks.get_hooks(hooks.PUBLISH_CHECKS) for problem in check(article)]


@register
def responsible_editor_named(article) -> Iterable[Problem]:
    version = article.approved_version
    if version is None:
        yield Problem("No version has been approved yet.", overridable=False)
    elif version.editor_id is None:
        yield Problem(
            "The approved version names no responsible editor: assign one and approve again.",
            overridable=False,
        )


@register
def entities_grounded(article) -> Iterable[Problem]:
    """Every entity listed on the page must appear in the text, by name or alias."""
    version = article.approved_version
    if version is None:
        return
    texts = [phrases.fold(text) for text in (version.title, version.dek, version.body)]
    for link in article.article_entities.select_related("entity"):
        if not any(text.contains(name, whole_word=True) for text in texts for name in link.entity.names):
            yield Problem(
                f"“{link.entity.name}” is listed among the entities but the text never mentions it: "
                "mention it or remove it from the entities.",
                overridable=False,
            )
