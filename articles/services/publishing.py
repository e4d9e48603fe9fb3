"""Publishing: the live pointer and the address readers find an article at. Publishing now or on
schedule, the publish gate and its override, the second-editor rule, unpublishing, and the scheduler's
run. (A correction moves the live pointer too: articles.services.correcting.)"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from articles import gate, pages
from articles.models import TEXT_FIELDS, Article, Listing, OldAddress, Transition
from articles.services.moves import ArticleActionError, authorize, lock, move
from articles.versions import save_unversioned

if TYPE_CHECKING:
    from django.contrib.auth.models import User

S = Article.Status

log = logging.getLogger(__name__)


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
    """Refuse with every problem the gate finds; return the problems an override publishes over, to
    record with the move, if any. Overriding takes a real reason, and not the one given last time: a
    standing excuse is no reason."""
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
    return "Published over the publish gate's problems: " + " ".join(soft)


def _wrote_approved_text(article: Article, user) -> bool:
    """Whether `user` is the article's author or the last person who changed the approved words: walk
    back past every version with the same words (a byline or topic change) to the save that made them."""
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
    authorize("publish", lock(article), by)
    _require_second_editor(article, by)
    require_free_address(article, _approved(article).slug)
    overridden = _check_gate(article, override_reason)
    now = timezone.now()
    if update_note.strip():
        if article.published_at is None:
            raise ArticleActionError("A first publication is not an update: leave the update note empty.")
        article.updated_at = now
    article.published_at = article.published_at or now
    article.scheduled_for = None
    article.scheduled_by = None
    move(
        article,
        "publish",
        by=by,
        note=overridden,
        version=article.approved_version,
        update_note=update_note.strip(),
        override_reason=override_reason.strip() if overridden else "",
    )
    previous = article.live_version or article._last_public_version()
    article.live_version = article.approved_version
    save_unversioned(article, "live_version")
    _keep_old_address(article, previous)
    relist(article)
    pages.bake_on_commit(pages.article_pages(article, previous, article.live_version))
    return article


def relist(article: Article) -> None:
    """Rewrite the article's listings (the hubs' index) from its live version; none if it is not live.
    Called by every move of the live pointer: publishing, a correction, unpublishing."""
    article.listings.all().delete()
    live: Any = article.live_version
    if live is None or article.published_at is None:
        return
    K = Listing.Kind
    targets = [(K.TOPIC, pk) for pk in live.topics.values_list("topic_id", flat=True)]
    shown = live.entities.filter(description__gt="", entity__isnull=False)
    targets += [(K.ENTITY, pk) for pk in shown.values_list("entity_id", flat=True)]
    targets += [(K.PERSON, pk) for pk in dict.fromkeys((live.author_id, live.editor_id)) if pk]
    Listing.objects.bulk_create(
        Listing(article=article, kind=kind, target_id=pk, published_at=article.published_at)
        for kind, pk in dict.fromkeys(targets)
    )


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


def require_free_address(article: Article, slug: str) -> None:
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
    authorize("schedule", lock(article), by)
    if when <= timezone.now():
        raise ArticleActionError("Choose a time in the future, or publish now.")
    _require_second_editor(article, by)
    require_free_address(article, _approved(article).slug)
    overridden = _check_gate(article, override_reason)
    article.scheduled_for = when
    article.scheduled_by = by
    # The override reason travels with the schedule, for the publication it stands for.
    move(
        article,
        "schedule",
        by=by,
        note=overridden,
        version=article.approved_version,
        override_reason=override_reason.strip() if overridden else "",
    )
    return article


@transaction.atomic
def article_unschedule(article: Article, *, by: User) -> Article:
    authorize("unschedule", lock(article), by)
    article.scheduled_for = None
    article.scheduled_by = None
    move(article, "unschedule", by=by, version=article.approved_version)
    return article


@transaction.atomic
def article_mark_overdue(article: Article, *, by: User, refusal: str) -> Article:
    """Take a due scheduled article off the schedule because its publication was refused, with the
    refusal as the move's note (the notifications tell it). `by` is the editor on the schedule's record.
    Called by the scheduler, which has checked the article is due."""
    lock(article)
    move(article, "mark_overdue", by=by, note=refusal, version=article.approved_version)
    return article


@transaction.atomic
def article_unpublish(article: Article, *, by: User, reason: str) -> Article:
    authorize("unpublish", lock(article), by)
    if not reason.strip():
        raise ArticleActionError("Give the reason for unpublishing; it is kept in the article's history.")
    article.scheduled_for = None
    article.scheduled_by = None
    was_live = article.live_version
    move(article, "unpublish", by=by, note=reason.strip(), version=was_live)
    article.live_version = None
    save_unversioned(article, "live_version")
    relist(article)
    pages.bake_on_commit(pages.article_pages(article, was_live))
    return article


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
