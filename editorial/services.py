"""Newsroom-wide actions: the e-mail outbox and its notifications, the fact-check queue, AI assist."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from rapidfuzz import fuzz, process

from articles.models import Article, ArticleEntity, Entity, Topic
from articles.services import owns_or_reviews, reason_refused
from editorial import ai, emails, web_client
from editorial.ai import contract
from editorial.celery import enqueue, enqueue_on_commit
from editorial.models import AICall, AssistJob, Claim, Disclosure, Evidence, OutgoingEmail, Person, PolicyPage

log = logging.getLogger(__name__)

MAX_EMAIL_ATTEMPTS = 5


def email_send(email_id: int) -> OutgoingEmail | None:
    """Send one outbox row, at most once: the row stays locked while it is sent and is marked sent in
    the same transaction. A delivery failure is recorded on the row, then raised so the task retries."""
    failure: Exception | None = None
    with transaction.atomic():
        email = OutgoingEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.status != OutgoingEmail.Status.QUEUED:
            return email
        email.attempts += 1
        message = EmailMultiAlternatives(
            email.subject, email.body_text, settings.DEFAULT_FROM_EMAIL, [email.to]
        )
        if email.body_html:
            message.attach_alternative(email.body_html, "text/html")
        try:
            message.send()
        except Exception as exc:
            failure = exc
            email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if email.attempts >= MAX_EMAIL_ATTEMPTS:
                email.status = OutgoingEmail.Status.FAILED
            log.warning("email %s to %s failed (attempt %s): %s", email.pk, email.to, email.attempts, exc)
        else:
            email.status = OutgoingEmail.Status.SENT
            email.sent_at = timezone.now()
        email.save(update_fields=["attempts", "status", "sent_at", "last_error"])
    if failure is not None and email.status == OutgoingEmail.Status.QUEUED:
        raise failure
    return email


def email_resend_unsent(*, older_than: timedelta = timedelta(minutes=10)) -> int:
    """Ring the bell again for e-mails whose Celery message was lost (Redis restart, worker crash)."""
    cutoff = timezone.now() - older_than
    ids = list(
        OutgoingEmail.objects.filter(status=OutgoingEmail.Status.QUEUED, created_at__lt=cutoff).values_list(
            "pk", flat=True
        )[:500]
    )
    for pk in ids:
        enqueue("editorial.tasks.send_email", pk)
    return len(ids)


def _reviewers_of(article):
    """The responsible editor; while none is assigned, every editor who may review."""
    if article.editor_id and article.editor.user_id:
        return [article.editor.user]
    perm = Q(groups__permissions__codename="review_article") | Q(user_permissions__codename="review_article")
    return list(get_user_model().objects.filter(perm, is_active=True).distinct())


def article_notify(sender, *, article, transition, **kwargs) -> None:
    """Tell the people a workflow move concerns (connected to articles' `article_moved`)."""
    S = type(article).Status
    by_author = {
        S.CHANGES_REQUESTED: emails.article_changes_requested,
        S.APPROVED: emails.article_approved,
        S.PUBLISHED: emails.article_published,
    }
    if transition.to_status == S.IN_REVIEW:
        send, recipients = emails.article_submitted, _reviewers_of(article)
    elif transition.to_status in by_author:
        author = article.author.user
        send, recipients = by_author[transition.to_status], [author] if author else []
    else:
        return
    ctx = {
        "article": article,
        "transition": transition,
        "admin_url": settings.SITE_URL + reverse("admin:articles_article_change", args=[article.pk]),
        "public_url": settings.SITE_URL + article.get_absolute_url(),
    }
    for user in recipients:
        if user.email and user.pk != transition.by_id:  # nobody is told of their own action
            send(user.email, ctx)


# People, disclosures and policy pages


class PeopleError(Exception):
    """A change to a profile, a disclosure or a policy page that the acting person may not make."""


def _manages_people(user) -> bool:
    return user.has_perm("editorial.manage_people")


def _save_version(obj, *, by, reason: str):
    obj._history_user = by
    obj._change_reason = reason
    obj.save()
    return obj


@transaction.atomic
def person_save(person: Person, *, by, reason: str = "") -> Person:
    """Save a profile. Editors who manage people change any; everyone else only their own, and never its
    public address or the account it belongs to."""
    if person.pk is None:
        if not _manages_people(by):
            raise PeopleError("Only an editor can add a person.")
        return _save_version(person, by=by, reason=reason or "Created")
    current = Person.objects.select_for_update().get(pk=person.pk)
    if not _manages_people(by):
        if current.user_id != by.pk:
            raise PeopleError("You can change only your own profile.")
        if (person.slug, person.user_id) != (current.slug, current.user_id):
            raise PeopleError("Only an editor can change a profile's address or the account it belongs to.")
    return _save_version(person, by=by, reason=reason or "Edited")


def _may_disclose_for(person_id: int | None, by) -> bool:
    return _manages_people(by) or Person.objects.filter(pk=person_id, user=by).exists()


@transaction.atomic
def disclosure_save(disclosure: Disclosure, *, by, reason: str = "") -> Disclosure:
    """Save a disclosure of one's own (editors: anyone's); it cannot be moved to someone else's profile."""
    if disclosure.pk is not None:
        current = Disclosure.objects.select_for_update().get(pk=disclosure.pk)
        if not _may_disclose_for(current.person_id, by):
            raise PeopleError("You can change only your own disclosures.")
    if not _may_disclose_for(disclosure.person_id, by):
        raise PeopleError("You can disclose only on your own profile.")
    return _save_version(disclosure, by=by, reason=reason or ("Edited" if disclosure.pk else "Disclosed"))


@transaction.atomic
def disclosure_delete(disclosure: Disclosure, *, by) -> None:
    """Remove a disclosure made in error (one that ended is given an end date instead). Its versions stay."""
    if not _may_disclose_for(disclosure.person_id, by):
        raise PeopleError("You can remove only your own disclosures.")
    disclosure._history_user = by
    disclosure.delete()


@transaction.atomic
def policy_page_save(page: PolicyPage, *, by, reason: str = "") -> PolicyPage:
    if not by.has_perm("editorial.change_policypage"):
        raise PeopleError("Only an editor can change the publisher's policies.")
    return _save_version(page, by=by, reason=reason or "Edited")


# Fact-check queue


class FactCheckError(Exception):
    """A fact-check action the claim's state or the acting user does not allow; the message says why."""


SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _find(text: str, body: str) -> tuple[int, int] | None:
    """Where the claim's words stand in the body: exactly, or with different line breaks and spacing."""
    start = body.find(text)
    if start >= 0:
        return start, start + len(text)
    words = text.split()
    if not words:
        return None
    found = re.search(r"\s+".join(re.escape(word) for word in words), body)
    return found.span() if found else None


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
    span = _find(text, version.body)
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
    claim._history_user = by
    claim.save()
    return claim


CHECKWORTHINESS_CHANGED = "Check-worthiness"  # how the claim's history records a change of score


def may_weigh_claims(user) -> bool:
    """Fact-checkers and editors may change a claim's check-worthiness."""
    return user.has_perm("editorial.check_claim") or user.has_perm("articles.review_article")


@transaction.atomic
def claim_set_checkworthiness(claim: Claim, *, by, value: float, reason: str) -> Claim:
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
    claim._history_user = by
    out, reason = " (out of the publish gate)" if leaves_gate else "", " ".join(reason.split())
    claim._change_reason = f"{CHECKWORTHINESS_CHANGED} {before:g} → {value:g}{out}: {reason}"
    claim.save(update_fields=["checkworthiness"])
    return claim


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
def claim_assign(claim: Claim, *, to, by) -> Claim:
    _require_checker(by)
    claim.assigned_to = to
    claim._history_user = by
    claim.save(update_fields=["assigned_to"])
    return claim


@transaction.atomic
def claim_record_verdict(claim: Claim, *, by, status: str, note: str) -> Claim:
    _require_checker(by)
    if status not in Claim.VERDICTS:
        raise FactCheckError("Choose a verdict.")
    if not note.strip():
        raise FactCheckError("Say how you checked it: the note is what the editor relies on.")
    claim.refresh_from_db(from_queryset=Claim.objects.select_for_update())
    claim.status, claim.note = status, note.strip()
    claim.checked_by, claim.checked_at = by, timezone.now()
    claim._history_user = by
    claim._change_reason = f"Verdict: {claim.get_status_display()}"
    claim.save()
    return claim


def claims_reanchor(article, version) -> int:
    """After a new version: follow each claim to where its sentence now stands. A claim whose words are
    gone or altered goes back to the queue, flagged; untouched claims keep their verdicts. Returns how
    many went back."""
    returned = 0
    for claim in Claim.objects.filter(article=article, changed_in__isnull=True).exclude(
        status__in=[Claim.Status.REMOVED, Claim.Status.NOT_A_CLAIM]
    ):
        span = _find(claim.text, version.body)
        if span is not None:
            if span != (claim.anchor_start, claim.anchor_end):
                # Only the position moved: not an event for the claim's history.
                Claim.objects.filter(pk=claim.pk).update(anchor_start=span[0], anchor_end=span[1])
            continue
        claim.status, claim.changed_in = Claim.Status.PENDING, version
        claim._history_user = version.history_user
        claim._change_reason = f"Changed in a later version (#{version.history_id}): back to the queue"
        claim.save()
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
) -> Evidence:
    _require_checker(by)
    evidence = Evidence(
        claim=claim, url=url, title=title, quote=quote, kind=kind, stance=stance, public=public, added_by=by
    )
    evidence._history_user = by
    evidence.save()
    enqueue_on_commit("editorial.tasks.check_evidence_link", evidence.pk)
    return evidence


EVIDENCE_FIELDS = frozenset({"url", "title", "quote", "kind", "stance", "public"})


@transaction.atomic
def evidence_update(evidence: Evidence, *, by, **fields) -> Evidence:
    """Change what a fact-checker entered about a source. A new address is another page: what was
    found at the old one (its link status, the passage offered) no longer holds, so it is cleared and
    the new link is checked."""
    _require_checker(by)
    if unknown := set(fields) - EVIDENCE_FIELDS:
        raise TypeError(f"evidence_update() cannot change {', '.join(sorted(unknown))}")
    evidence.refresh_from_db(from_queryset=Evidence.objects.select_for_update())
    moved = "url" in fields and fields["url"] != evidence.url
    for name, value in fields.items():
        setattr(evidence, name, value)
    if moved:
        evidence.link_status, evidence.link_detail = Evidence.LinkStatus.UNCHECKED, ""
        evidence.suggested_quote, evidence.match_score, evidence.checked_at = "", None, None
    evidence._history_user = by
    evidence._change_reason = "New address: the link is checked again" if moved else "Edited"
    evidence.save()
    if moved:
        enqueue_on_commit("editorial.tasks.check_evidence_link", evidence.pk)
    return evidence


@transaction.atomic
def evidence_remove(evidence: Evidence, *, by) -> None:
    """Take a source off a claim; its history keeps what it was and who removed it."""
    _require_checker(by)
    evidence._history_user = by
    evidence._change_reason = "Removed"
    evidence.delete()


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
        current._change_reason = f"Link checked: {current.get_link_status_display()}"
        current.save()
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


# AI assist


class AssistError(Exception):
    """An AI-assist action that is not allowed or not possible; the message says why."""


def _input_for(version) -> contract.ArticleInput:
    return contract.ArticleInput(
        title=version.title,
        dek=version.dek,
        body=version.body,
        topics=list(Topic.objects.values_list("name", flat=True)),
    )


def _article_now(job: AssistJob) -> Article:
    return Article.objects.select_related("live_version").get(pk=job.article_id)


def ai_send_refusal(article: Article, version, provider: contract.Provider) -> str:
    """Why this version of the article may not go to the provider, or "" if it may. The data policy: a
    non-local provider gets only the text readers see now (the live version, to the letter) unless
    AI_SEND_UNPUBLISHED is on. Checked when a job is asked for, to tell the person at once; the checks
    that hold are the worker's, against the provider it really calls and the article as it stands then,
    when it takes the job and right before each request leaves."""
    if provider.name == "local" or settings.AI_SEND_UNPUBLISHED:
        return ""
    live = article.live_version if article.live_version_id else None
    if live is not None and live.content_hash == version.content_hash:
        return ""
    return (
        "Refused: this text is not published, and AI_SEND_UNPUBLISHED is off, so it is not sent to "
        f"{provider.name}."
    )


@transaction.atomic
def ai_job_request(article, *, kind: str, by) -> AssistJob:
    """Record the request in the ledger and queue it once this transaction commits. Asking again for the
    same kind on the same text returns the job already asked for."""
    if kind not in contract.KINDS:
        raise AssistError(f"There is no AI assistance of the kind “{kind}”.")
    if not owns_or_reviews(article, by):
        raise AssistError("Only the article's author or an editor can ask for AI assistance on it.")
    provider = ai.get_provider()
    version = article.history.latest()
    if refusal := ai_send_refusal(article, version, provider):
        raise AssistError(refusal)
    sha = _input_for(version).sha256()
    same = AssistJob.objects.filter(
        article=article,
        kind=kind,
        input_sha256=sha,
        provider=provider.name,
        model=provider.model,
        prompt_version=contract.PROMPT_VERSION,
    ).exclude(status=AssistJob.Status.FAILED)
    if existing := same.first():
        return existing
    job = AssistJob.objects.create(
        article=article,
        version=version,
        kind=kind,
        provider=provider.name,
        model=provider.model,
        prompt_version=contract.PROMPT_VERSION,
        input_sha256=sha,
        requested_by=by,
    )
    enqueue_on_commit("editorial.tasks.run_ai_assist_job", job.pk)
    return job


def ai_job_run(job_id: int) -> AssistJob | None:
    """Lease the job, run the provider outside any transaction, and store what it said.

    A job whose lease expired (its worker died) is taken over; a takeover is an attempt like any other, and
    once AI_JOB_MAX_ATTEMPTS are used the job fails instead of running again. Whoever holds the latest
    lease writes the result, once. The data policy is checked here and before each request leaves."""
    now = timezone.now()
    with transaction.atomic():
        job = AssistJob.objects.select_for_update(skip_locked=True).filter(pk=job_id).first()
        if job is None:
            return None  # gone, or another worker is taking it right now
        expired = job.status == AssistJob.Status.RUNNING and job.lease_until and job.lease_until < now
        if job.status != AssistJob.Status.QUEUED and not expired:
            return job
        if expired and job.attempts >= settings.AI_JOB_MAX_ATTEMPTS:
            return _ai_job_give_up(job, now)
        _ai_calls_cut_short(now, job=job)  # the dead worker's calls, if any
        provider = ai.get_provider()
        job.status, job.attempts, job.progress, job.error = AssistJob.Status.RUNNING, job.attempts + 1, 0, ""
        job.started_at, job.lease_until = now, now + timedelta(seconds=settings.AI_JOB_LEASE_SECONDS)
        # The ledger names what actually ran, should the configuration have changed since the request.
        job.provider, job.model = provider.name, provider.model
        if refusal := ai_send_refusal(_article_now(job), job.version, provider):
            job.status, job.error, job.finished_at = AssistJob.Status.FAILED, refusal, now
            job.lease_until = None
        job.save()
        if refusal:
            return job
    lease = AssistJob.objects.filter(pk=job.pk, status=AssistJob.Status.RUNNING, attempts=job.attempts)

    def progress(percent: int) -> None:
        # Progress is also the heartbeat: it renews the lease.
        renewed = timezone.now() + timedelta(seconds=settings.AI_JOB_LEASE_SECONDS)
        lease.update(progress=max(0, min(100, percent)), lease_until=renewed)

    calls = _CallsOnRecord(job, provider, lease)
    try:
        result = provider.run(job.kind, _input_for(job.version), progress, calls)
        output = contract.validate(job.kind, result.output)
    except contract.ProviderError as exc:
        calls.close(str(exc))
        return _ai_job_fail(job, error=str(exc), retryable=exc.retryable)
    except Exception as exc:
        calls.close(f"The worker failed: {type(exc).__name__}")
        raise
    calls.close("")
    return _ai_job_finish(job, output=output, result=result)


class _CallsOnRecord:
    """The ledger's `contract.CallLog` for one attempt of a job: one AICall per HTTP request, retries
    included, committed as pending before the request leaves and completed when it ends. A worker killed
    mid-call leaves its pending call behind, which the sweeper marks cut short.

    Before each request the attempt must still hold the lease (renewing it) and the data policy must still
    let the text go; otherwise the provider is stopped and nothing is sent."""

    def __init__(self, job: AssistJob, provider, lease):
        self.job, self.provider, self.lease = job, provider, lease
        self.pending: tuple[int, int] | None = None  # the open call's pk and size

    def sending(self, bytes_sent: int) -> None:
        self.close("The provider sent another request before this one ended.")
        renewed = timezone.now() + timedelta(seconds=settings.AI_JOB_LEASE_SECONDS)
        if not self.lease.update(lease_until=renewed):
            raise contract.ProviderError("Another worker took this job over; this attempt sends no more.")
        if refusal := ai_send_refusal(_article_now(self.job), self.job.version, self.provider):
            raise contract.ProviderError(refusal)
        # Durable: the record is committed before the request leaves, whatever happens to the worker then.
        with transaction.atomic(durable=True):
            call = AICall.objects.create(
                job=self.job,
                attempt=self.job.attempts,
                provider=self.provider.name,
                model=self.provider.model,
                bytes_sent=bytes_sent,
                input_sha256=self.job.input_sha256,
                requested_by_id=self.job.requested_by_id,
                status=AICall.Status.PENDING,
            )
        self.pending = (call.pk, bytes_sent)

    def finished(self, bytes_sent: int, error: str = "") -> None:
        if self.pending is None:
            return
        # A late answer also completes a call the sweeper took for cut short: the record says what happened.
        AICall.objects.filter(
            pk=self.pending[0], status__in=[AICall.Status.PENDING, AICall.Status.CUT_SHORT]
        ).update(
            status=AICall.Status.FAILED if error else AICall.Status.SUCCEEDED,
            bytes_sent=bytes_sent,
            error=error[:2000],
            finished_at=timezone.now(),
        )
        self.pending = None

    def close(self, error: str) -> None:
        """Complete a call the provider left open ("" once the provider has answered)."""
        if self.pending is not None:
            self.finished(self.pending[1], error)


def _ai_calls_cut_short(now, **only) -> int:
    """Mark cut short the pending calls whose attempt is over (its lease ran out, it was taken over, or the
    job ended): their worker stopped before they ended, so nobody else will complete them."""
    alive = Q(job__status=AssistJob.Status.RUNNING, job__attempts=F("attempt"), job__lease_until__gte=now)
    return (
        AICall.objects.filter(status=AICall.Status.PENDING, **only)
        .exclude(alive)
        .update(
            status=AICall.Status.CUT_SHORT,
            finished_at=now,
            error="The worker stopped before the call ended.",
        )
    )


def _ai_job_give_up(job: AssistJob, now) -> AssistJob:
    """Fail a stranded job (locked by the caller) whose worker stopped on its last attempt."""
    job.status, job.finished_at, job.lease_until = AssistJob.Status.FAILED, now, None
    job.error = f"The worker stopped {job.attempts} times while running this job."
    job.save()
    _ai_calls_cut_short(now, job=job)
    return job


def _still_ours(job: AssistJob) -> AssistJob | None:
    current = AssistJob.objects.select_for_update().get(pk=job.pk)
    if current.status == AssistJob.Status.RUNNING and current.attempts == job.attempts:
        return current
    return None  # the lease was taken over: this attempt's result is dropped


@transaction.atomic
def _ai_job_finish(job: AssistJob, *, output: dict, result) -> AssistJob:
    current = _still_ours(job)
    if current is None:
        return AssistJob.objects.get(pk=job.pk)
    current.status, current.output, current.progress = AssistJob.Status.SUCCEEDED, output, 100
    current.tokens_in, current.tokens_out = result.tokens_in, result.tokens_out
    current.finished_at, current.lease_until = timezone.now(), None
    current.save()
    return current


@transaction.atomic
def _ai_job_fail(job: AssistJob, *, error: str, retryable: bool) -> AssistJob:
    current = _still_ours(job)
    if current is None:
        return AssistJob.objects.get(pk=job.pk)
    current.error, current.lease_until = error[:2000], None
    if retryable and current.attempts < settings.AI_JOB_MAX_ATTEMPTS:
        current.status = AssistJob.Status.QUEUED
        current.save()
        countdown = 30 * 2 ** (current.attempts - 1)
        enqueue_on_commit("editorial.tasks.run_ai_assist_job", current.pk, countdown=countdown)
    else:
        current.status, current.finished_at = AssistJob.Status.FAILED, timezone.now()
        current.save()
    return current


def ai_jobs_sweep() -> int:
    """Tidy the ledger after lost messages and dead workers: fail the stranded jobs whose attempts are all
    used, mark the calls of attempts that are over as cut short, and ring again for the other stranded
    jobs (running a job is idempotent, so ringing twice is harmless). Returns how many were rung for."""
    now = timezone.now()
    spent = AssistJob.objects.stranded(now).filter(
        status=AssistJob.Status.RUNNING, attempts__gte=settings.AI_JOB_MAX_ATTEMPTS
    )
    given_up = 0
    for pk in list(spent.values_list("pk", flat=True)[:500]):
        with transaction.atomic():
            # Locked and checked again: a worker may be taking it over right now.
            job = spent.select_for_update(skip_locked=True).filter(pk=pk).first()
            if job is not None:
                _ai_job_give_up(job, now)
                given_up += 1
    cut_short = _ai_calls_cut_short(now)
    ids = list(AssistJob.objects.stranded(now).values_list("pk", flat=True)[:500])
    for pk in ids:
        enqueue("editorial.tasks.run_ai_assist_job", pk)
    if given_up or cut_short:
        log.warning(
            "AI sweep: %d job(s) failed on their last attempt, %d call(s) cut short", given_up, cut_short
        )
    return len(ids)


def _accepting(job: AssistJob, *, by, part: str, items: list) -> AssistJob:
    job.refresh_from_db(from_queryset=AssistJob.objects.select_for_update())
    if job.status != AssistJob.Status.SUCCEEDED:
        raise AssistError("Only a finished job's output can be accepted.")
    job.accepted = [
        *job.accepted,
        {"part": part, "items": items, "by": by.get_username(), "at": timezone.now().isoformat()},
    ]
    job.accepted_by, job.accepted_at = by, timezone.now()
    job.save(update_fields=["accepted", "accepted_by", "accepted_at"])
    return job


def _pick(job: AssistJob, key: str, indexes: list[int]) -> list[dict]:
    items = job.output[key]
    if not indexes or any(not 0 <= i < len(items) for i in indexes):
        raise AssistError("Choose at least one item from the job's output.")
    return [items[i] for i in sorted(set(indexes))]


@transaction.atomic
def ai_job_accept_claims(job: AssistJob, *, by, indexes: list[int]) -> list[Claim]:
    """Put chosen claims in the fact-check queue. A claim no longer in the text is skipped."""
    chosen = _pick(job, "claims", indexes)
    claims = []
    for item in chosen:
        try:
            claims.append(
                claim_add(
                    job.article,
                    by=by,
                    text=item["text"],
                    checkworthiness=item["score"],
                    origin=Claim.Origin.AI,
                )
            )
        except FactCheckError as exc:
            if "permission" in str(exc):
                raise AssistError(str(exc)) from exc
    _accepting(job, by=by, part="claims", items=sorted(set(indexes)))
    return claims


@transaction.atomic
def ai_job_accept_entities(job: AssistJob, *, by, indexes: list[int]) -> list[ArticleEntity]:
    if not by.has_perm("articles.review_article"):
        raise AssistError("Only an editor can put entities on an article.")
    accepted = []
    for item in _pick(job, "entities", indexes):
        entity, _ = Entity.objects.get_or_create(
            slug=slugify(item["name"])[:200] or "entity",
            defaults={
                "name": item["name"],
                "kind": item["type"],
                "cluster": item["cluster"],
                "description": item["description"],
                "aliases": item["aliases"],
            },
        )
        link, _ = ArticleEntity.objects.get_or_create(
            article=job.article, entity=entity, defaults={"accepted_by": by}
        )
        accepted.append(link)
    _accepting(job, by=by, part="entities", items=sorted(set(indexes)))
    return accepted


@transaction.atomic
def ai_job_accept_metadata(job: AssistJob, *, by, fields: list[str]):
    article = job.article
    if not owns_or_reviews(article, by):
        raise AssistError("Only the article's author or an editor can change its metadata.")
    if not fields or not set(fields) <= {"dek", "seo_description", "topics"}:
        raise AssistError("Choose which suggested fields to use.")
    _accepting(job, by=by, part="metadata", items=sorted(fields))
    output = job.output
    for name in {"dek", "seo_description"} & set(fields):
        setattr(article, name, output[name])
    article._history_user = by
    article._change_reason = f"AI metadata accepted by {by.get_username()}: {', '.join(sorted(fields))}"
    article.save()
    if "topics" in fields:
        article.topics.add(*Topic.objects.filter(name__in=output["topics"]))
    return article


@transaction.atomic
def ai_job_accept_suggestion(job: AssistJob, *, by, index: int):
    """Apply one suggested rewrite to the working copy, as a new version; readers see it only once the
    article is approved and published again."""
    article = job.article
    if not owns_or_reviews(article, by):
        raise AssistError("Only the article's author or an editor can change its text.")
    (item,) = _pick(job, "suggestions", [index])
    article.refresh_from_db()
    if article.body.count(item["original"]) != 1:
        raise AssistError(
            "The passage has changed since the suggestion was made: it can no longer be applied."
        )
    _accepting(job, by=by, part="suggestions", items=[index])
    article.body = article.body.replace(item["original"], item["rewrite"], 1)
    article._history_user = by
    article._change_reason = f"AI suggestion accepted by {by.get_username()}: {item['reason'][:150]}"
    article.save()
    return article
