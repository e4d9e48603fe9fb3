"""The fact-check queue: claims, check-worthiness, verdicts, evidence and its link checks, the gate."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from rapidfuzz import fuzz, process

from articles import phrases
from articles.services import reason_refused
from articles.versions import delete_version, save_version
from editorial import web_client
from editorial.celery import enqueue, enqueue_on_commit
from editorial.models import Claim, Evidence

if TYPE_CHECKING:
    from django.contrib.auth.models import User

log = logging.getLogger(__name__)


class FactCheckError(Exception):
    """A fact-check action the claim's state or the acting user does not allow; the message says why."""


SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _require_checker(user) -> None:
    if not user.has_perm("editorial.check_claim"):
        raise FactCheckError("Only fact-checkers can do that.")


@transaction.atomic
def claim_add(
    article, *, by, text: str, checkworthiness: float = 1.0, origin: str = Claim.Origin.MANUAL
) -> Claim:
    """Put a claim from the article's current version in the queue. The text must stand in the body."""
    if not by.has_perm("editorial.add_claim"):
        raise FactCheckError("You do not have permission to add claims.")
    text = " ".join(text.split())
    version = article.history.latest()
    span = phrases.find(text, version.body)
    if not text or span is None:
        raise FactCheckError("That text does not appear in the article's current version: copy it exactly.")
    if Claim.objects.filter(article=article, text=text).exclude(status=Claim.Status.REMOVED).exists():
        raise FactCheckError("That claim is already in the queue.")
    claim = Claim(
        article=article,
        version=version,
        text=text,
        anchor_start=span[0],
        anchor_end=span[1],
        checkworthiness=max(0.0, min(1.0, checkworthiness)),
        origin=origin,
        created_by=by,
    )
    return save_version(claim, by=by)


CHECKWORTHINESS_CHANGED = "Check-worthiness"  # how the claim's history records a change of score


def may_weigh_claims(user) -> bool:
    """Fact-checkers and editors may change a claim's check-worthiness."""
    return user.has_perm("editorial.check_claim") or user.has_perm("articles.review_article")


@transaction.atomic
def claim_set_checkworthiness(claim: Claim, *, by: User, value: float, reason: str) -> Claim:
    """Change how much a claim needs checking, recording who and why in its history. Fact-checkers and
    editors may; taking a pending claim out of the publish gate (from the threshold or above to below
    it) is an editor's decision, since the gate then lets the article go out unchecked."""
    if not may_weigh_claims(by):
        raise FactCheckError("Only fact-checkers and editors can change a claim's check-worthiness.")
    if not isinstance(value, int | float) or not 0 <= value <= 1:  # NaN fails the comparison too
        raise FactCheckError("Check-worthiness is a number from 0 to 1.")
    if refused := reason_refused(reason):
        raise FactCheckError(refused)
    claim.refresh_from_db(from_queryset=Claim.objects.select_for_update())
    before, threshold = claim.checkworthiness, settings.FACTCHECK_GATE_THRESHOLD
    if value == before:
        raise FactCheckError(f"The claim's check-worthiness is already {before:g}.")
    leaves_gate = claim.status == Claim.Status.PENDING and before >= threshold > value
    if leaves_gate and not by.has_perm("articles.review_article"):
        raise FactCheckError("Only an editor can take a claim out of the publish gate.")
    claim.checkworthiness = value
    out, reason = " (out of the publish gate)" if leaves_gate else "", " ".join(reason.split())
    change = f"{CHECKWORTHINESS_CHANGED} {before:g} → {value:g}{out}: {reason}"
    return save_version(claim, by=by, reason=change, update_fields=["checkworthiness"])


@dataclass(frozen=True)
class GateRelease:
    """A pending claim the publish gate no longer holds because its check-worthiness was lowered."""

    claim: Claim
    by: object  # the user, or None if nobody was recorded
    at: datetime
    before: float
    after: float
    reason: str  # empty if none was recorded (a change made before reasons were required)


def claims_out_of_gate(article) -> list[GateRelease]:
    """The article's pending claims below the gate's threshold that were once at or above it: who
    lowered each, when and why (the latest lowering), read from the claims' history."""
    threshold = settings.FACTCHECK_GATE_THRESHOLD
    claims = {c.pk: c for c in Claim.objects.open().filter(article=article, checkworthiness__lt=threshold)}
    records = (
        Claim.history.filter(id__in=claims)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    released: dict[int, GateRelease] = {}
    previous = None
    for record in records:
        if (
            previous is not None
            and previous.id == record.id
            and previous.status == record.status == Claim.Status.PENDING
            and previous.checkworthiness >= threshold > record.checkworthiness
        ):
            change = record.history_change_reason or ""
            reason = change.partition(": ")[2] if change.startswith(CHECKWORTHINESS_CHANGED) else change
            released[record.id] = GateRelease(
                claims[record.id],
                record.history_user,
                record.history_date,
                previous.checkworthiness,
                record.checkworthiness,
                reason,
            )
        previous = record
    return sorted(released.values(), key=lambda release: release.at)


@transaction.atomic
def claim_assign(claim: Claim, *, to, by: User) -> Claim:
    _require_checker(by)
    claim.assigned_to = to
    return save_version(claim, by=by, update_fields=["assigned_to"])


@transaction.atomic
def claim_record_verdict(claim: Claim, *, by: User, status: str, note: str) -> Claim:
    _require_checker(by)
    if status not in Claim.VERDICTS:
        raise FactCheckError("Choose a verdict.")
    if not note.strip():
        raise FactCheckError("Say how you checked it: the note is what the editor relies on.")
    claim.refresh_from_db(from_queryset=Claim.objects.select_for_update())
    claim.status, claim.note = status, note.strip()
    claim.checked_by, claim.checked_at = by, timezone.now()
    return save_version(claim, by=by, reason=f"Verdict: {claim.get_status_display()}")


def claims_reanchor(article, version) -> int:
    """After a new version: follow each claim to where its sentence now stands. A claim whose words are
    gone or altered goes back to the queue, flagged; untouched claims keep their verdicts. Returns how
    many went back."""
    returned = 0
    for claim in Claim.objects.filter(article=article, changed_in__isnull=True).exclude(
        status__in=[Claim.Status.REMOVED, Claim.Status.NOT_A_CLAIM]
    ):
        span = phrases.find(claim.text, version.body)
        if span is not None:
            if span != (claim.anchor_start, claim.anchor_end):
                # Only the position moved: not an event for the claim's history.
                Claim.objects.filter(pk=claim.pk).update(anchor_start=span[0], anchor_end=span[1])
            continue
        claim.status, claim.changed_in = Claim.Status.PENDING, version
        back = f"Changed in a later version (#{version.history_id}): back to the queue"
        save_version(claim, by=version.history_user, reason=back)
        returned += 1
    return returned


def factcheck_gate(article):
    """The publish gate's fact-check: check-worthy claims without a verdict hold publication."""
    from articles.gate import Problem

    waiting = list(Claim.objects.blocking().filter(article=article).values_list("text", flat=True)[:20])
    if waiting:
        listed = "; ".join(f"“{text[:120]}”" for text in waiting)
        yield Problem(f"{len(waiting)} check-worthy claim(s) have no verdict: {listed}.")


@transaction.atomic
def evidence_add(
    claim: Claim,
    *,
    by,
    url: str,
    title: str = "",
    quote: str = "",
    kind: str = "primary",
    stance: str = "supports",
    public: bool = False,
    checked_by_hand: bool = False,
) -> Evidence:
    _require_checker(by)
    evidence = Evidence(
        claim=claim, url=url, title=title, quote=quote, kind=kind, stance=stance, public=public, added_by=by
    )
    _set_checked_by_hand(evidence, checked_by_hand, by=by)
    save_version(evidence, by=by)
    enqueue_on_commit("editorial.tasks.check_evidence_link", evidence.pk)
    return evidence


EVIDENCE_FIELDS = frozenset({"url", "title", "quote", "kind", "stance", "public", "checked_by_hand"})


def _set_checked_by_hand(evidence: Evidence, checked: bool, *, by: User) -> None:
    """Record which fact-checker vouched for the source by hand, and when; unticking takes it back."""
    if checked == evidence.checked_by_hand:
        return
    evidence.checked_by_hand = checked
    evidence.hand_checked_by, evidence.hand_checked_at = (by, timezone.now()) if checked else (None, None)


@transaction.atomic
def evidence_update(evidence: Evidence, *, by: User, **fields) -> Evidence:
    """Change what a fact-checker entered about a source. A new address is another page: what was
    found at the old one (its link status, the passage offered, a check by hand) no longer holds, so it
    is cleared and the new link is checked. Ticking `checked_by_hand` records the acting checker."""
    _require_checker(by)
    if unknown := set(fields) - EVIDENCE_FIELDS:
        raise TypeError(f"evidence_update() cannot change {', '.join(sorted(unknown))}")
    evidence.refresh_from_db(from_queryset=Evidence.objects.select_for_update())
    moved = "url" in fields and fields["url"] != evidence.url
    by_hand = fields.pop("checked_by_hand", evidence.checked_by_hand)
    for name, value in fields.items():
        setattr(evidence, name, value)
    if moved:
        evidence.link_status, evidence.link_detail = Evidence.LinkStatus.UNCHECKED, ""
        evidence.suggested_quote, evidence.match_score, evidence.checked_at = "", None, None
        by_hand = False  # what the checker vouched for was the old page
    _set_checked_by_hand(evidence, bool(by_hand), by=by)
    save_version(evidence, by=by, reason="New address: the link is checked again" if moved else "Edited")
    if moved:
        enqueue_on_commit("editorial.tasks.check_evidence_link", evidence.pk)
    return evidence


@transaction.atomic
def evidence_remove(evidence: Evidence, *, by: User) -> None:
    """Take a source off a claim; its history keeps what it was and who removed it."""
    _require_checker(by)
    delete_version(evidence, by=by, reason="Removed")


def evidence_check_link(evidence_id: int) -> Evidence | None:
    """Fetch the evidence page, record whether it is reachable, and offer its passage closest to the claim."""
    evidence = Evidence.objects.select_related("claim").filter(pk=evidence_id).first()
    if evidence is None:
        return None
    try:
        page = web_client.fetch_text(
            evidence.url,
            timeout=settings.FACTCHECK_FETCH_TIMEOUT,
            max_bytes=settings.FACTCHECK_MAX_BYTES,
            allowed_hosts=settings.FACTCHECK_ALLOWED_HOSTS,
        )
    except web_client.FetchError as exc:
        status, detail, passage, score = exc.kind, exc.detail, "", None
    else:
        status, detail = Evidence.LinkStatus.OK, f"{page.status} {page.content_type}"
        passage, score = best_passage(evidence.claim.text, page.text)
    with transaction.atomic():
        current = Evidence.objects.select_for_update().filter(pk=evidence_id).first()
        if current is None or current.url != evidence.url:
            return current  # its address changed during the fetch: the new one has its own check queued
        current.link_status, current.link_detail = status, detail[:300]
        current.suggested_quote, current.match_score = passage, score
        current.checked_at = timezone.now()
        save_version(current, by=None, reason=f"Link checked: {current.get_link_status_display()}")
    return current


def best_passage(claim: str, text: str) -> tuple[str, float | None]:
    """The sentence of the page that best matches the claim, and how well (0 to 1)."""
    sentences = [
        s.strip() for line in text.splitlines() for s in SENTENCE_END.split(line) if len(s.strip()) > 20
    ]
    if not sentences:
        return "", None
    match = process.extractOne(claim, sentences, scorer=fuzz.token_set_ratio)
    return (match[0], round(match[1] / 100, 3)) if match else ("", None)


def evidence_recheck_stale(*, older_than: timedelta = timedelta(days=7)) -> int:
    """Re-check evidence links on a schedule, so a source that disappears is noticed."""
    cutoff = timezone.now() - older_than
    ids = list(
        Evidence.objects.filter(Q(checked_at__lt=cutoff) | Q(checked_at__isnull=True)).values_list(
            "pk", flat=True
        )[:500]
    )
    for pk in ids:
        enqueue("editorial.tasks.check_evidence_link", pk)
    return len(ids)
