"""What every workflow action shares: the refusal it raises, the lock it takes and the one helper that
moves an article to a new status and records the move."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.dispatch import Signal

from articles.models import Article, Transition
from articles.versions import save_unversioned
from articles.workflow import ACTIONS, refusal

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Sent inside the transaction of every workflow move, with `article` and `transition`. Other apps
# (e-mail notifications) listen without articles knowing them; what they write commits with the move.
article_moved = Signal()

# What a move changes of the article besides its status: bookkeeping, not content. A move is a
# transition, never a version.
MOVE_FIELDS = (
    "status",
    "review_requested_at",
    "scheduled_for",
    "scheduled_by",
    "published_at",
    "updated_at",
    "approved_version",
    "live_version",
)


class ArticleActionError(Exception):
    """An action the article's state or the acting user does not allow; the message says why."""


def move(article: Article, name: str, *, by, note: str = "", version=None, **recorded) -> Transition:
    """Take workflow action `name`: move the article to its status and record the move (with `recorded`:
    the transition's update note or override reason). The transition names the version it was about
    (`version`, else the newest); the move itself is not a version: the text did not change."""
    if refused := refusal(name, article, None):
        raise ArticleActionError(refused)
    from_status, to = article.status, ACTIONS[name].to
    assert to is not None, f"{name} changes content, not status"
    article.status = to
    save_unversioned(article, *MOVE_FIELDS)
    transition = Transition.objects.create(
        article=article,
        from_status=from_status,
        to_status=article.status,
        version=version or article.history.latest(),
        by=by,
        note=note,
        **recorded,
    )
    article_moved.send(sender=Article, article=article, transition=transition)
    return transition


def lock(article: Article) -> Article:
    """Reload the row under a lock, so two editors acting at once cannot both move it."""
    article.refresh_from_db(from_queryset=Article.objects.select_for_update())
    return article


def authorize(name: str, article: Article, by: User) -> None:
    if refused := refusal(name, article, by):
        raise ArticleActionError(refused)
