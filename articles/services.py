"""Article workflow actions. Views, admin actions, tasks and commands all call these; each checks the
acting user's permission and the article's state, and records the move."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from diff_match_patch import diff_match_patch
from django.conf import settings
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from articles import gate
from articles.models import (
    CONTENT_FIELDS,
    SNAPSHOT_FIELDS,
    TEXT_FIELDS,
    Article,
    OldAddress,
    ReviewNote,
    Transition,
    content_hash,
)
from articles.versions import save_unversioned, save_version
from articles.workflow import ACTIONS, can_review, owns_or_reviews, refusal
from articles.workflow import available_actions as available_actions  # the admin asks services

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    HistoricalArticle = Any  # simple-history generates it with Article: no fields the type checker knows
else:
    from articles.models import HistoricalArticle

S = Article.Status

log = logging.getLogger(__name__)

# Sent inside the transaction of every workflow move, with `article` and `transition`. Other apps
# (e-mail notifications) listen without articles knowing them; what they write commits with the move.
article_moved = Signal()


class ArticleActionError(Exception):
    """An action the article's state or the acting user does not allow; the message says why."""


def _move(
    article: Article, name: str, *, by, reason: str, note: str = "", version=None, **recorded
) -> Transition:
    """Take workflow action `name`: move the article to its status, as a new version, and record the move
    (with `recorded`: the transition's update note or override reason)."""
    if refused := refusal(name, article, None):
        raise ArticleActionError(refused)
    from_status, to = article.status, ACTIONS[name].to
    assert to is not None, f"{name} changes content, not status"
    article.status = to
    save_version(article, by=by, reason=reason)
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


def _lock(article: Article) -> Article:
    """Reload the row under a lock, so two editors acting at once cannot both move it."""
    article.refresh_from_db(from_queryset=Article.objects.select_for_update())
    return article


def _authorize(name: str, article: Article, by: User) -> None:
    if refused := refusal(name, article, by):
        raise ArticleActionError(refused)


@transaction.atomic
def article_submit(article: Article, *, by: User, note: str = "") -> Article:
    _authorize("submit", _lock(article), by)
    article.review_requested_at = timezone.now()
    _move(article, "submit", by=by, reason="Submitted for review", note=note)
    return article


@transaction.atomic
def article_request_changes(article: Article, *, by: User, note: str) -> Article:
    _authorize("request_changes", _lock(article), by)
    if not note.strip():
        raise ArticleActionError("Say what needs to change: the note goes to the author.")
    transition = _move(article, "request_changes", by=by, reason="Changes requested", note=note.strip())
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
    _authorize("approve", _lock(article), by)
    note = note.strip()
    transition = _move(
        article, "approve", by=by, reason=f"Approved: {note}" if note else "Approved", note=note
    )
    article.approved_version = transition.version
    save_unversioned(article, "approved_version")
    if note:
        ReviewNote.objects.create(
            article=article, version=transition.version, kind=ReviewNote.Kind.APPROVAL, body=note, by=by
        )
    return article


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
    is scheduled (or overdue), its schedule's reason stands for the publication to come, so it is not
    "last time"."""
    moves = article.transitions.filter(to_status__in=[S.PUBLISHED, S.SCHEDULED]).order_by("-at", "-pk")
    if article.status in (S.SCHEDULED, S.OVERDUE):
        moves = moves.exclude(pk=moves.filter(to_status=S.SCHEDULED).values("pk")[:1])
    return moves.exclude(override_reason="").values_list("override_reason", flat=True).first() or ""


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
    approved: Any = article.approved_version
    words = [getattr(approved, field) for field in TEXT_FIELDS]
    writer = None
    versions = article.history.filter(history_id__lte=approved.history_id).order_by("-history_id")
    for version in versions.only(*TEXT_FIELDS, "history_user_id"):
        if [getattr(version, field) for field in TEXT_FIELDS] != words:
            break
        writer = version.history_user_id
    return writer == user.pk


def _require_second_editor(article: Article, by: User) -> None:
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
def article_publish(
    article: Article, *, by: User, override_reason: str = "", update_note: str = ""
) -> Article:
    """Make the approved version live. Readers see exactly that version, whatever was edited since.

    `update_note` marks a republication as a substantive update: the public "Updated" date moves and
    the note is shown on the article's public list of changes. Without it, the date stays honest."""
    _authorize("publish", _lock(article), by)
    _require_second_editor(article, by)
    _require_free_address(article, _approved(article).slug)
    overridden = _check_gate(article, override_reason)
    now = timezone.now()
    if update_note.strip():
        if article.published_at is None:
            raise ArticleActionError("A first publication is not an update: leave the update note empty.")
        article.updated_at = now
    article.published_at = article.published_at or now
    article.scheduled_for = None
    article.scheduled_by = None
    reason = "Published" + (" as an update" if update_note.strip() else "") + overridden
    _move(
        article,
        "publish",
        by=by,
        reason=reason,
        version=article.approved_version,
        update_note=update_note.strip(),
        override_reason=override_reason.strip() if overridden else "",
    )
    previous = article.live_version or article._last_public_version()
    article.live_version = article.approved_version
    save_unversioned(article, "live_version")
    _keep_old_address(article, previous)
    return article


def address_holder(article: Article, slug: str) -> Article | None:
    """Another article readers find at /articles/<slug>/: live under it, moved from it (an old address
    answering 301), or unpublished from it (its notice stands there)."""
    others = Article.objects.exclude(pk=article.pk)
    gone = others.filter(
        live_version__isnull=True, transitions__to_status=S.UNPUBLISHED, transitions__version__slug=slug
    )
    moved = (
        OldAddress.objects.filter(slug=slug).exclude(article_id=article.pk).select_related("article").first()
    )
    return others.at_address(slug).first() or (moved.article if moved else None) or gone.first()


def _approved(article: Article) -> Any:
    if article.approved_version is None:
        raise ArticleActionError(f"“{article.title}” has no approved version to publish.")
    return article.approved_version


def _require_free_address(article: Article, slug: str) -> None:
    if (holder := address_holder(article, slug)) is not None:
        raise ArticleActionError(
            f"The address /articles/{slug}/ belongs to “{holder.public_title}”: choose another slug."
        )


def _keep_old_address(article: Article, previous) -> None:
    """A published slug change leaves the old address answering with a 301 to the new one, for ever."""
    slug = article.public_slug
    OldAddress.objects.filter(article=article, slug=slug).delete()  # back to an address it had before
    if previous is not None and previous.slug != slug:
        OldAddress.objects.update_or_create(slug=previous.slug, defaults={"article": article})


@transaction.atomic
def article_schedule(article: Article, *, by: User, when: datetime, override_reason: str = "") -> Article:
    _authorize("schedule", _lock(article), by)
    if when <= timezone.now():
        raise ArticleActionError("Choose a time in the future, or publish now.")
    _require_second_editor(article, by)
    _require_free_address(article, _approved(article).slug)
    overridden = _check_gate(article, override_reason)
    article.scheduled_for = when
    article.scheduled_by = by
    reason = f"Scheduled for {timezone.localtime(when):%Y-%m-%d %H:%M %Z}{overridden}"
    # The override reason travels with the schedule, for the publication it stands for.
    _move(
        article,
        "schedule",
        by=by,
        reason=reason,
        version=article.approved_version,
        override_reason=override_reason.strip() if overridden else "",
    )
    return article


@transaction.atomic
def article_unschedule(article: Article, *, by: User) -> Article:
    _authorize("unschedule", _lock(article), by)
    article.scheduled_for = None
    article.scheduled_by = None
    _move(article, "unschedule", by=by, reason="Schedule cancelled", version=article.approved_version)
    return article


@transaction.atomic
def article_mark_overdue(article: Article, *, by: User, refusal: str) -> Article:
    """Take a due scheduled article off the schedule because its publication was refused, with the
    refusal as the move's note (the notifications tell it). `by` is the editor on the schedule's record.
    Called by the scheduler, which has checked the article is due."""
    _lock(article)
    _move(
        article,
        "mark_overdue",
        by=by,
        reason=f"Overdue: the scheduled publication was refused. {refusal}",
        note=refusal,
        version=article.approved_version,
    )
    return article


@transaction.atomic
def article_send_back(article: Article, *, by: User, note: str = "") -> Article:
    """Send an overdue article back to review, off the schedule."""
    _authorize("send_back", _lock(article), by)
    article.scheduled_for = None
    article.scheduled_by = None
    article.review_requested_at = timezone.now()
    _move(article, "send_back", by=by, reason="Sent back to review", note=note.strip())
    return article


@transaction.atomic
def article_unpublish(article: Article, *, by: User, reason: str) -> Article:
    _authorize("unpublish", _lock(article), by)
    if not reason.strip():
        raise ArticleActionError("Give the reason for unpublishing; it is kept in the article's history.")
    article.scheduled_for = None
    article.scheduled_by = None
    _move(
        article,
        "unpublish",
        by=by,
        reason=f"Unpublished: {reason.strip()}",
        note=reason.strip(),
        version=article.live_version,
    )
    article.live_version = None
    save_unversioned(article, "live_version")
    return article


@transaction.atomic
def article_withdraw_approval(article: Article, *, by: User, reason: str) -> Article:
    """Send an approved or scheduled draft back to review because the approved text went stale (a
    correction was published meanwhile). Called by other services once they have checked the actor."""
    _lock(article)
    article.scheduled_for = None
    article.scheduled_by = None
    _move(article, "withdraw_approval", by=by, reason=f"Approval withdrawn: {reason}", note=reason)
    article.approved_version = article.live_version
    save_unversioned(article, "approved_version")
    return article


# Strict: a correction lands in a draft only where the surrounding text is unchanged, wherever it moved.
_patcher = diff_match_patch()
_patcher.Match_Threshold = 0.01
_patcher.Match_Distance = 10**9
_patcher.Patch_DeleteThreshold = 0.0
_patcher.Patch_Margin = 8  # with Match_MaxBits 32, a larger margin makes patch_splitMax loop forever


def _apply_to_draft(live_body: str, corrected_body: str, draft_body: str) -> str | None:
    patches = _patcher.patch_make(live_body, corrected_body)
    patched, applied = _patcher.patch_apply(patches, draft_body)
    return patched if all(applied) else None


@dataclass(frozen=True)
class CorrectedVersion:
    previous: HistoricalArticle  # the version readers saw until now
    corrected: HistoricalArticle  # the version they see from now on
    published_at: datetime


@transaction.atomic
def article_publish_correction(
    article: Article, *, by: User, body: str, label: str, note: str
) -> CorrectedVersion:
    """Publish the live text with `body` corrected as a new live version at once, and move the Updated
    date. Called by the corrections desk's services once they have checked the actor and the note.

    Unpublished edits in the draft are kept: the correction is applied to them too when it fits;
    otherwise the draft is left as it was and a review note tells its author and editor what to merge.
    An approval of a draft made before the correction is withdrawn: its text is stale."""
    _lock(article)
    if not article.is_live:
        raise ArticleActionError("The article is not live: correct the draft and publish it instead.")
    live: Any = article.live_version
    body = body.replace("\r\n", "\n").strip()
    if body == live.body:
        raise ArticleActionError("The corrected text is the same as the live text: change the passage first.")
    draft = {field: getattr(article, field) for field in SNAPSHOT_FIELDS}
    draft_changed = article.content_hash != live.content_hash
    pending = article.approved_version_id not in (None, live.pk) and article.status in (
        S.APPROVED,
        S.SCHEDULED,
        S.OVERDUE,
    )

    for field in SNAPSHOT_FIELDS:
        setattr(article, field, getattr(live, field))
    article.body, article.updated_at = body, timezone.now()
    save_version(article, by=by, reason=f"{label} published: {note}")
    corrected = article.history.latest()
    article.live_version = corrected
    if not pending:
        article.approved_version = corrected
    save_unversioned(article, "live_version", "approved_version")
    if draft_changed:
        _keep_draft(article, draft, live, corrected, by=by, label=label, note=note)
    if pending:
        article_withdraw_approval(
            article, by=by, reason=f"A {label.lower()} was published since this draft was approved."
        )
    return CorrectedVersion(live, corrected, article.updated_at)


def _keep_draft(article: Article, draft: dict, live, corrected, *, by: User, label: str, note: str) -> None:
    """Put the unpublished edits back over the corrected version, with the correction where it fits."""
    for field, value in draft.items():
        setattr(article, field, value)
    patched = _apply_to_draft(live.body, corrected.body, draft["body"])
    if patched is not None:
        article.body = patched
        save_version(article, by=by, reason=f"{label} applied to the unpublished draft too")
        return
    save_version(
        article, by=by, reason=f"Draft kept as it was: the {label.lower()} must be merged into it by hand"
    )
    ReviewNote.objects.create(
        article=article,
        version=article.history.latest(),
        by=by,
        body=(
            f"A {label.lower()} was published while this draft had unpublished edits, and it could not "
            f"be applied to them automatically. Merge it before the draft is published: compare version "
            f"#{live.pk} with #{corrected.pk}. Note: {note}"
        ),
    )


@transaction.atomic
def article_restore_version(
    article: Article, version: HistoricalArticle, *, by: User, byline: bool = False
) -> Article:
    """Make an old version's text the working copy again, as a new version. The people named stay as
    they are now (an old version may name nobody as the responsible editor) unless `byline` asks for
    theirs too, which only an editor may. What readers see changes only when it is approved and published."""
    _authorize("restore", _lock(article), by)
    if version.id != article.pk:
        raise ArticleActionError("That version belongs to another article.")
    if byline and not can_review(by):
        raise ArticleActionError("Only an editor can change who wrote and who edits an article.")
    for field in CONTENT_FIELDS if byline else TEXT_FIELDS:
        setattr(article, field, getattr(version, field))
    when = timezone.localtime(version.history_date)
    return save_version(
        article, by=by, reason=f"Restored the version of {when:%Y-%m-%d %H:%M} (#{version.history_id})"
    )


@transaction.atomic
def review_note_add(article: Article, *, by: User, body: str) -> ReviewNote:
    _authorize("comment", article, by)
    if not body.strip():
        raise ArticleActionError("The note is empty.")
    return ReviewNote.objects.create(
        article=article, version=article.history.latest(), body=body.strip(), by=by
    )


def publish_due_articles(*, now: datetime | None = None) -> int:
    """Publish every scheduled article whose time has come; one whose publication is refused becomes
    overdue, and its editors are told, once. Safe to run twice at once: each article is locked and
    re-checked, so it is published (or marked overdue) once."""
    now = now or timezone.now()
    due = Article.objects.due_for_publication(now).values_list("pk", flat=True)
    return sum(_publish_if_due(pk, now) for pk in due)


@transaction.atomic
def _publish_if_due(pk: int, now: datetime) -> bool:
    """Publish one scheduled article as the editor on its schedule's record, if it is still due; True if
    it went live. Whatever refuses or breaks the publication moves the article to overdue instead."""
    article = Article.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
    when = article.scheduled_for if article is not None and article.status == S.SCHEDULED else None
    if article is None or when is None or when > now:
        return False  # another worker has it, or it was published or rescheduled meanwhile
    # The editor's reason for scheduling over the gate stands for this publication; _check_gate knows
    # it is this schedule's reason, not "the same as last time".
    schedule = Transition.objects.filter(article=article, to_status=S.SCHEDULED).select_related("by").last()
    by = schedule.by if schedule is not None else article.scheduled_by
    if by is None:
        log.error("article %s is scheduled by nobody on record; it cannot be published", article.pk)
        return False
    refused = _publication_refused(article, by=by, schedule=schedule)
    if refused is None:
        return True
    log.warning("scheduled publication of article %s refused: %s", article.pk, refused)
    article.refresh_from_db()  # drop what the refused attempt changed in memory
    article_mark_overdue(article, by=by, refusal=refused)
    return False


def _publication_refused(article: Article, *, by: User, schedule: Transition | None) -> str | None:
    """Publish the scheduled article; None if it went live, else why not, in words for its editors."""
    if schedule is None:
        return "Its schedule is not on record: schedule it again."
    try:
        with transaction.atomic():  # a savepoint: a refused publication leaves nothing behind
            article_publish(article, by=by, override_reason=schedule.override_reason)
    except ArticleActionError as exc:
        return str(exc)
    except Exception as exc:  # a broken check must not leave the article scheduled past its time
        log.exception("scheduled publication of article %s failed", article.pk)
        return f"The publication failed with an error ({type(exc).__name__}); see the logs."
    return None


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
def article_save(article: Article, *, by: User, reason: str, base_version_id: int | None = None) -> Article:
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
    _require_free_address(article, article.slug)
    article.normalise()
    if article.pk is not None and content_hash(article) == current.content_hash:
        return article  # nothing readers would see has changed: not a new version
    return save_version(article, by=by, reason=reason)
