"""Article workflow actions. Views, admin actions, tasks and commands all call these; each checks the
acting user's permission and the article's state, and records the move."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from articles import gate
from articles.models import CONTENT_FIELDS, TEXT_FIELDS, Article, HistoricalArticle, ReviewNote, Transition

log = logging.getLogger(__name__)

# Sent inside the transaction of every workflow move, with `article` and `transition`. Other apps
# (e-mail notifications) listen without articles knowing them; what they write commits with the move.
article_moved = Signal()


class ArticleActionError(Exception):
    """An action the article's state or the acting user does not allow; the message says why."""


def _move(article: Article, to: str, *, by, reason: str, note: str = "", version=None) -> Transition:
    if not article.can_move_to(to):
        raise ArticleActionError(
            f"“{article.title}” is {article.get_status_display().lower()}; "
            f"it cannot become {Article.Status(to).label.lower()}."
        )
    from_status = article.status
    article.status = to
    article._change_reason = reason
    article._history_user = by
    article.save()
    transition = Transition.objects.create(
        article=article,
        from_status=from_status,
        to_status=to,
        version=version or article.history.latest(),
        by=by,
        note=note,
    )
    article_moved.send(sender=Article, article=article, transition=transition)
    return transition


def _lock(article: Article) -> Article:
    """Reload the row under a lock, so two editors acting at once cannot both move it."""
    article.refresh_from_db(from_queryset=Article.objects.select_for_update())
    return article


def can_review(user) -> bool:
    return user.has_perm("articles.review_article")


def can_publish(user) -> bool:
    return user.has_perm("articles.publish_article")


def owns_or_reviews(article: Article, user) -> bool:
    return article.author.user_id == user.pk or can_review(user)


@dataclass(frozen=True)
class Action:
    label: str
    to: str | None  # the status it moves to; None for actions that change content, not status
    allowed: Callable[[Article, object], bool]
    refused: str  # what the user is told when `allowed` says no
    only_from: frozenset[str] | None = None  # narrower than the transitions map, where it must be


S = Article.Status
_REVIEWER = "Only an editor can {}."
_PUBLISHER = "Only an editor with publishing rights can {}."
# Every workflow action, who may take it and where it leads. The services enforce it; the admin reads
# it to offer only the buttons that will work.
ACTIONS: dict[str, Action] = {
    "submit": Action(
        "Submit for review",
        S.IN_REVIEW,
        owns_or_reviews,
        "Only the article's author or an editor can submit it for review.",
        # Not from scheduled: an editor cancels the schedule first.
        only_from=frozenset({S.DRAFT, S.CHANGES_REQUESTED, S.APPROVED, S.PUBLISHED, S.UNPUBLISHED}),
    ),
    "request_changes": Action(
        "Request changes",
        S.CHANGES_REQUESTED,
        lambda a, u: can_review(u),
        _REVIEWER.format("request changes"),
    ),
    "approve": Action(
        "Approve",
        S.APPROVED,
        lambda a, u: can_review(u),
        _REVIEWER.format("approve articles"),
        only_from=frozenset({S.IN_REVIEW}),
    ),
    "publish": Action("Publish now", S.PUBLISHED, lambda a, u: can_publish(u), _PUBLISHER.format("publish")),
    "schedule": Action("Schedule", S.SCHEDULED, lambda a, u: can_publish(u), _PUBLISHER.format("schedule")),
    "unschedule": Action(
        "Cancel schedule",
        S.APPROVED,
        lambda a, u: can_publish(u),
        _PUBLISHER.format("cancel a schedule"),
        only_from=frozenset({S.SCHEDULED}),
    ),
    "unpublish": Action(
        "Unpublish", S.UNPUBLISHED, lambda a, u: can_publish(u), _PUBLISHER.format("unpublish")
    ),
    "restore": Action(
        "Restore this version",
        None,
        owns_or_reviews,
        "Only the article's author or an editor can restore its versions.",
    ),
    "comment": Action(
        "Add a review note",
        None,
        owns_or_reviews,
        "Only the article's author or an editor can comment on it.",
    ),
}


def _state_allows(name: str, article: Article) -> bool:
    action = ACTIONS[name]
    if action.only_from is not None and article.status not in action.only_from:
        return False
    if name == "unpublish" and not article.is_live:
        return False
    return action.to is None or article.can_move_to(action.to)


def available_actions(article: Article, user) -> list[str]:
    """The status changes this user may make to the article now."""
    return [
        name
        for name, action in ACTIONS.items()
        if action.to is not None and action.allowed(article, user) and _state_allows(name, article)
    ]


def _authorize(name: str, article: Article, by) -> None:
    action = ACTIONS[name]
    if not action.allowed(article, by):
        raise ArticleActionError(action.refused)
    if not _state_allows(name, article):
        state = article.get_status_display().lower()
        if name == "unpublish":
            raise ArticleActionError(f"“{article.title}” is not live; there is nothing to unpublish.")
        raise ArticleActionError(f"“{article.title}” is {state}: you cannot {action.label.lower()} it now.")


@transaction.atomic
def article_submit(article: Article, *, by, note: str = "") -> Article:
    _authorize("submit", _lock(article), by)
    article.review_requested_at = timezone.now()
    _move(article, S.IN_REVIEW, by=by, reason="Submitted for review", note=note)
    return article


@transaction.atomic
def article_request_changes(article: Article, *, by, note: str) -> Article:
    _authorize("request_changes", _lock(article), by)
    if not note.strip():
        raise ArticleActionError("Say what needs to change: the note goes to the author.")
    transition = _move(article, S.CHANGES_REQUESTED, by=by, reason="Changes requested", note=note.strip())
    ReviewNote.objects.create(
        article=article,
        version=transition.version,
        kind=ReviewNote.Kind.CHANGES_REQUESTED,
        body=note.strip(),
        by=by,
    )
    return article


@transaction.atomic
def article_approve(article: Article, *, by, note: str = "") -> Article:
    """Approve the current version: publishing will make exactly this version live."""
    _authorize("approve", _lock(article), by)
    note = note.strip()
    transition = _move(
        article, S.APPROVED, by=by, reason=f"Approved: {note}" if note else "Approved", note=note
    )
    article.approved_version = transition.version
    article.save_without_historical_record(update_fields=["approved_version"])
    if note:
        ReviewNote.objects.create(
            article=article, version=transition.version, kind=ReviewNote.Kind.APPROVAL, body=note, by=by
        )
    return article


OVERRIDDEN = "Gate overridden: "  # how a publication's transition note records an override


def reason_refused(reason: str) -> str | None:
    """Why a reason for weakening the publish gate (an override, a claim taken out of it) will not do;
    None if it will. It must be a sentence: it is all that later readers of the history have."""
    reason = " ".join(reason.split())
    words = {word.lower() for word in re.findall(r"\w{2,}", reason)}
    if len(reason) < settings.GATE_OVERRIDE_MIN_LENGTH or len(words) < 3:
        return (
            f"Give the reason as a sentence of at least {settings.GATE_OVERRIDE_MIN_LENGTH} characters: "
            "it stays in the history, for every editor to read."
        )
    return None


def _same_reason(a: str, b: str) -> bool:
    return " ".join(a.lower().split()) == " ".join(b.lower().split())


def _last_override(article: Article) -> str:
    """The reason given the last time this article was published (or scheduled) over the gate. While it
    is scheduled, its schedule's reason stands for the publication to come, so it is not "last time"."""
    moves = article.transitions.filter(to_status__in=[S.PUBLISHED, S.SCHEDULED]).order_by("-at", "-pk")
    if article.status == S.SCHEDULED:
        moves = moves.exclude(pk=moves.filter(to_status=S.SCHEDULED).values("pk")[:1])
    for move in moves.exclude(note=""):
        if move.to_status == S.SCHEDULED:
            return move.note  # a schedule's note is its override reason and nothing else
        for line in move.note.splitlines():
            if line.startswith(OVERRIDDEN):
                return line.removeprefix(OVERRIDDEN)
    return ""


def _check_gate(article: Article, override_reason: str) -> str:
    """Refuse with every problem the gate finds; return the override text to record, if any. Overriding
    takes a real reason, and not the one given last time: a standing excuse is no reason."""
    found = gate.problems(article)
    hard = [p.message for p in found if not p.overridable]
    soft = [p.message for p in found if p.overridable]
    reason = override_reason.strip()
    if hard or (soft and not reason):
        hint = " An editor may publish anyway by recording a reason." if soft and not hard else ""
        raise ArticleActionError("Cannot publish yet: " + " ".join(hard + soft) + hint)
    if not soft:
        return ""
    if refused := reason_refused(reason):
        raise ArticleActionError(f"Cannot override the gate with that reason. {refused}")
    if _same_reason(reason, _last_override(article)):
        raise ArticleActionError(
            "That is the reason given for this article's last override: say why the gate may be "
            "overridden this time."
        )
    return f" (gate overridden: {reason}; problems: {' '.join(soft)})"


def _wrote_approved_text(article: Article, user) -> bool:
    """Whether `user` is the article's author or the last person who changed the approved words.
    Workflow moves save the article too (the approval itself is a version), so walk back past every
    version with the same words to the save that made them."""
    if article.author.user_id == user.pk:
        return True
    approved = article.approved_version
    words = [getattr(approved, field) for field in TEXT_FIELDS]
    writer = None
    versions = article.history.filter(history_id__lte=approved.history_id).order_by("-history_id")
    for version in versions.only(*TEXT_FIELDS, "history_user_id"):
        if [getattr(version, field) for field in TEXT_FIELDS] != words:
            break
        writer = version.history_user_id
    return writer == user.pk


def _require_second_editor(article: Article, by) -> None:
    """With PUBLISH_SECOND_EDITOR, an editor publishes their own text only once another editor approved it."""
    if not settings.PUBLISH_SECOND_EDITOR or article.approved_version_id is None:
        return
    if not _wrote_approved_text(article, by):
        return
    approval = (
        Transition.objects.filter(article=article, to_status=S.APPROVED, version=article.approved_version)
        .order_by("-at", "-pk")
        .first()
    )
    if approval is None or approval.by_id == by.pk:
        raise ArticleActionError("Publishing your own text needs a second editor's approval.")


@transaction.atomic
def article_publish(article: Article, *, by, override_reason: str = "", update_note: str = "") -> Article:
    """Make the approved version live. Readers see exactly that version, whatever was edited since.

    `update_note` marks a republication as a substantive update: the public "Updated" date moves and
    the note is shown on the article's public list of changes. Without it, the date stays honest."""
    _authorize("publish", _lock(article), by)
    _require_second_editor(article, by)
    overridden = _check_gate(article, override_reason)
    now = timezone.now()
    if update_note.strip():
        if article.published_at is None:
            raise ArticleActionError("A first publication is not an update: leave the update note empty.")
        article.updated_at = now
    article.published_at = article.published_at or now
    article.scheduled_for = None
    article.scheduled_by = None
    notes = [
        f"{OVERRIDDEN}{override_reason.strip()}" if overridden else "",
        f"Update: {update_note.strip()}" if update_note.strip() else "",
    ]
    reason = "Published" + (" as an update" if update_note.strip() else "") + overridden
    _move(
        article,
        S.PUBLISHED,
        by=by,
        reason=reason,
        note="\n".join(n for n in notes if n),
        version=article.approved_version,
    )
    article.live_version = article.approved_version
    # The pointer is not content: saving it must not create another version.
    article.save_without_historical_record(update_fields=["live_version"])
    return article


@transaction.atomic
def article_schedule(article: Article, *, by, when: datetime, override_reason: str = "") -> Article:
    _authorize("schedule", _lock(article), by)
    if when <= timezone.now():
        raise ArticleActionError("Choose a time in the future, or publish now.")
    _require_second_editor(article, by)
    overridden = _check_gate(article, override_reason)
    article.scheduled_for = when
    article.scheduled_by = by
    reason = f"Scheduled for {timezone.localtime(when):%Y-%m-%d %H:%M %Z}{overridden}"
    # The override reason travels with the schedule, for the publication it stands for.
    _move(
        article,
        S.SCHEDULED,
        by=by,
        reason=reason,
        note=override_reason.strip() if overridden else "",
        version=article.approved_version,
    )
    return article


@transaction.atomic
def article_unschedule(article: Article, *, by) -> Article:
    _authorize("unschedule", _lock(article), by)
    article.scheduled_for = None
    article.scheduled_by = None
    _move(article, S.APPROVED, by=by, reason="Schedule cancelled", version=article.approved_version)
    return article


@transaction.atomic
def article_unpublish(article: Article, *, by, reason: str) -> Article:
    _authorize("unpublish", _lock(article), by)
    if not reason.strip():
        raise ArticleActionError("Give the reason for unpublishing; it is kept in the article's history.")
    article.scheduled_for = None
    article.scheduled_by = None
    _move(
        article,
        S.UNPUBLISHED,
        by=by,
        reason=f"Unpublished: {reason.strip()}",
        note=reason.strip(),
        version=article.live_version,
    )
    article.live_version = None
    article.save_without_historical_record(update_fields=["live_version"])
    return article


@transaction.atomic
def article_withdraw_approval(article: Article, *, by, reason: str) -> Article:
    """Send an approved or scheduled draft back to review because the approved text went stale (a
    correction was published meanwhile). Called by other services once they have checked the actor."""
    _lock(article)
    article.scheduled_for = None
    article.scheduled_by = None
    _move(article, S.IN_REVIEW, by=by, reason=f"Approval withdrawn: {reason}", note=reason)
    article.approved_version = article.live_version
    article.save_without_historical_record(update_fields=["approved_version"])
    return article


@transaction.atomic
def article_restore_version(article: Article, version: HistoricalArticle, *, by) -> Article:
    """Make an old version's content the working copy again, as a new version. What readers see
    changes only when that version is approved and published."""
    _authorize("restore", _lock(article), by)
    if version.id != article.pk:
        raise ArticleActionError("That version belongs to another article.")
    for field in CONTENT_FIELDS:
        setattr(article, field, getattr(version, field))
    when = timezone.localtime(version.history_date)
    article._change_reason = f"Restored the version of {when:%Y-%m-%d %H:%M} (#{version.history_id})"
    article._history_user = by
    article.save()
    return article


@transaction.atomic
def review_note_add(article: Article, *, by, body: str) -> ReviewNote:
    _authorize("comment", article, by)
    if not body.strip():
        raise ArticleActionError("The note is empty.")
    return ReviewNote.objects.create(
        article=article, version=article.history.latest(), body=body.strip(), by=by
    )


def publish_due_articles(*, now: datetime | None = None) -> int:
    """Publish every scheduled article whose time has come. Safe to run twice at once: each article is
    locked and re-checked, so it is published once."""
    now = now or timezone.now()
    published = 0
    for pk in Article.objects.due_for_publication(now).values_list("pk", flat=True):
        with transaction.atomic():
            article = Article.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if article is None or article.status != Article.Status.SCHEDULED or article.scheduled_for > now:
                continue  # another worker has it, or it was published or rescheduled meanwhile
            # The editor's reason for scheduling over the gate stands for this publication; _check_gate
            # knows it is this schedule's reason, not "the same as last time".
            override = Transition.objects.filter(article=article, to_status=Article.Status.SCHEDULED).last()
            try:
                article_publish(
                    article, by=article.scheduled_by, override_reason=override.note if override else ""
                )
            except ArticleActionError as exc:
                log.warning("scheduled publication of article %s failed: %s", article.pk, exc)
                continue
            published += 1
    return published


def display_name(user) -> str:
    """How the back office names a staff member: their byline name, else their account's name."""
    person = getattr(user, "person", None)
    return person.name if person is not None else user.get_full_name() or user.get_username()


class EditConflict(ArticleActionError):
    """Someone saved a newer version of the text since the form was loaded."""

    def __init__(self, article: Article, base: HistoricalArticle | None, latest: HistoricalArticle):
        self.base, self.latest = base, latest
        who = display_name(latest.history_user) if latest.history_user else "Someone"
        when = timezone.localtime(latest.history_date)
        super().__init__(
            f"{who} saved a newer version of “{article.title}” at {when:%H:%M} while you were editing. "
            "Your text is kept below: compare it with theirs, then save again to replace their version."
        )


def edit_conflict(article: Article, base_version_id: int | None) -> EditConflict | None:
    """The conflict a save based on `base_version_id` would cause, if any. Only content counts: a workflow
    move (a status change) since the form was loaded changes nothing the form holds."""
    if article.pk is None or not base_version_id:
        return None
    latest = article.history.select_related("history_user").latest()
    if latest.history_id == base_version_id:
        return None
    base = article.history.filter(history_id=base_version_id).first()
    if base is not None and base.content_hash == latest.content_hash:
        return None
    return EditConflict(article, base, latest)


@transaction.atomic
def article_save(article: Article, *, by, reason: str, base_version_id: int | None = None) -> Article:
    """Save the working copy as a new version. Refused if `by` may not change this article, if an author
    tries to change the byline, or (EditConflict) if someone saved other text since `base_version_id`."""
    if article.pk is not None:
        current = Article.objects.select_for_update().select_related("author").get(pk=article.pk)
        if not owns_or_reviews(current, by):
            raise ArticleActionError("Only the article's author or an editor can change it.")
        byline = (current.author_id, current.editor_id)
        if not can_review(by) and (article.author_id, article.editor_id) != byline:
            raise ArticleActionError("Only an editor can change who wrote and who edits an article.")
        if conflict := edit_conflict(current, base_version_id):
            raise conflict
    elif not can_review(by) and getattr(article.author, "user_id", None) != by.pk:
        raise ArticleActionError("Authors write articles under their own name.")
    article._history_user = by
    article._change_reason = reason
    article.save()
    return article
