"""Article workflow actions. Views, admin actions, tasks and commands all call these."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from articles.models import Article


class ArticleActionError(Exception):
    """An action the current state or the acting user does not allow; the message says why."""


def _move(article: Article, to: str, *, by, reason: str, extra_fields: tuple[str, ...] = ()) -> Article:
    if not article.can_move_to(to):
        raise ArticleActionError(
            f"“{article.title}” is {article.get_status_display().lower()}; "
            f"it cannot become {Article.Status(to).label.lower()}."
        )
    article.status = to
    article._change_reason = reason
    article._history_user = by
    article.save(update_fields=["status", *extra_fields])
    return article


def _require(user, perm: str, action: str) -> None:
    if not user.has_perm(perm):
        raise ArticleActionError(f"You do not have permission to {action}.")


def _require_owner_or_reviewer(article: Article, user, action: str) -> None:
    owns = article.author.user_id == user.pk
    if not (owns or user.has_perm("articles.review_article")):
        raise ArticleActionError(f"Only the article's author or an editor can {action}.")


@transaction.atomic
def article_submit(article: Article, *, by) -> Article:
    _require_owner_or_reviewer(article, by, "submit it for review")
    return _move(article, Article.Status.IN_REVIEW, by=by, reason="Submitted for review")


@transaction.atomic
def article_approve(article: Article, *, by, note: str = "") -> Article:
    _require(by, "articles.review_article", "approve articles")
    return _move(article, Article.Status.APPROVED, by=by, reason=f"Approved{': ' + note if note else ''}")


@transaction.atomic
def article_publish(article: Article, *, by) -> Article:
    """Make the current version live. The live pointer names the exact history row readers see."""
    _require(by, "articles.publish_article", "publish articles")
    if article.editor_id is None:
        raise ArticleActionError("Name the responsible editor before publishing.")
    article.published_at = article.published_at or timezone.now()
    _move(article, Article.Status.PUBLISHED, by=by, reason="Published", extra_fields=("published_at",))
    article.live_version = article.history.latest()
    # The pointer is not part of the version itself: saving it must not create another version.
    article.save_without_historical_record(update_fields=["live_version"])
    return article
