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
from articles.models import Entity

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


def unmentioned(entities: Iterable[Entity], *texts: str) -> list[Entity]:
    """The entities that none of `texts` names, by name or alias, as whole words."""
    folded = [phrases.fold(text) for text in texts]
    return [
        entity
        for entity in entities
        if not any(text.contains(name, whole_word=True) for text in folded for name in entity.names)
    ]


@register
def entities_grounded(article) -> Iterable[Problem]:
    """Every entity the approved version lists must appear in its text, by name or alias."""
    version = article.approved_version
    if version is None:
        return
    listed = Entity.objects.filter(pk__in=version.entities.values("entity_id"))
    for entity in unmentioned(listed, version.title, version.dek, version.body):
        yield Problem(
            f"“{entity.name}” is listed among the entities but the text never mentions it: mention it, "
            "or remove it under “Entities in the article” and approve again.",
            overridable=False,
        )
