"""Review: an article goes to its editor, comes back with changes requested or is approved; notes on
its versions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from articles.models import Article, ReviewNote
from articles.services.moves import ArticleActionError, authorize, lock, move
from articles.versions import save_unversioned

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@transaction.atomic
def article_submit(article: Article, *, by: User, note: str = "") -> Article:
    authorize("submit", lock(article), by)
    article.review_requested_at = timezone.now()
    move(article, "submit", by=by, note=note)
    return article


@transaction.atomic
def article_request_changes(article: Article, *, by: User, note: str) -> Article:
    authorize("request_changes", lock(article), by)
    if not note.strip():
        raise ArticleActionError("Say what needs to change: the note goes to the author.")
    transition = move(article, "request_changes", by=by, note=note.strip())
    ReviewNote.objects.create(
        article=article,
        version=transition.version,
        kind=ReviewNote.Kind.CHANGES_REQUESTED,
        body=note.strip(),
        by=by,
    )
    return article


@transaction.atomic
def article_approve(article: Article, *, by: User, note: str = "") -> Article:
    """Approve the current version: publishing will make exactly this version live."""
    authorize("approve", lock(article), by)
    note = note.strip()
    transition = move(article, "approve", by=by, note=note)
    article.approved_version = transition.version
    save_unversioned(article, "approved_version")
    if note:
        ReviewNote.objects.create(
            article=article, version=transition.version, kind=ReviewNote.Kind.APPROVAL, body=note, by=by
        )
    return article


@transaction.atomic
def article_withdraw_approval(article: Article, *, by: User, reason: str) -> Article:
    """Send an approved or scheduled draft back to review because the approved text went stale (a
    correction was published meanwhile). Called by other services once they have checked the actor."""
    lock(article)
    article.scheduled_for = None
    article.scheduled_by = None
    move(article, "withdraw_approval", by=by, note=reason)
    article.approved_version = article.live_version
    save_unversioned(article, "approved_version")
    return article


@transaction.atomic
def article_send_back(article: Article, *, by: User, note: str = "") -> Article:
    """Send an overdue article back to review, off the schedule."""
    authorize("send_back", lock(article), by)
    article.scheduled_for = None
    article.scheduled_by = None
    article.review_requested_at = timezone.now()
    move(article, "send_back", by=by, note=note.strip())
    return article


@transaction.atomic
def review_note_add(article: Article, *, by: User, body: str) -> ReviewNote:
    authorize("comment", article, by)
    if not body.strip():
        raise ArticleActionError("The note is empty.")
    return ReviewNote.objects.create(
        article=article, version=article.history.latest(), body=body.strip(), by=by
    )
