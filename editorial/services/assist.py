"""AI assist: the ledger of jobs, the data policy, running a job, and accepting its output."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import slugify

from articles.models import Article, Entity, Topic
from articles.services import (
    ArticleActionError,
    EntityLine,
    article_save,
    owns_or_reviews,
    working_relations,
)
from editorial import ai
from editorial.ai import contract
from editorial.ai.contract import says_nothing
from editorial.celery import enqueue, enqueue_on_commit
from editorial.models import AICall, AssistJob, Claim
from editorial.services.factcheck import FactCheckError, claim_add

if TYPE_CHECKING:
    from django.contrib.auth.models import User

log = logging.getLogger(__name__)


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
def ai_job_request(article, *, kind: str, by: User) -> AssistJob:
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


def _accepting(job: AssistJob, *, by: User, part: str, items: list) -> AssistJob:
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


def _output(job: AssistJob) -> dict:
    if job.output is None:
        raise AssistError("The job has no result to accept.")
    return job.output


def _pick(job: AssistJob, key: str, indexes: list[int]) -> list[dict]:
    items = _output(job)[key]
    if not indexes or any(not 0 <= i < len(items) for i in indexes):
        raise AssistError("Choose at least one item from the job's output.")
    return [items[i] for i in sorted(set(indexes))]


@transaction.atomic
def ai_job_accept_claims(job: AssistJob, *, by: User, indexes: list[int]) -> list[Claim]:
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
def ai_job_accept_entities(job: AssistJob, *, by: User, indexes: list[int]) -> list[EntityLine]:
    """Add the chosen entities to the article's working copy, as one new version. A description that only
    says where the name stands is not kept: readers see the entity once an editor writes one."""
    if not by.has_perm("articles.review_article"):
        raise AssistError("Only an editor can put entities on an article.")
    article = job.article
    lines = {line.entity.pk: line for line in working_relations(article).entities}
    added = []
    for item in _pick(job, "entities", indexes):
        entity, _ = Entity.objects.get_or_create(
            slug=slugify(item["name"])[:200] or "entity",
            defaults={
                "name": item["name"],
                "kind": item["type"],
                "cluster": item["cluster"],
                "aliases": item["aliases"],
            },
        )
        description = "" if says_nothing(item["description"]) else item["description"]
        kept = lines.get(entity.pk)
        line = EntityLine(entity, kept.description if kept and kept.description else description)
        lines[entity.pk] = line
        added.append(line)
    _accepting(job, by=by, part="entities", items=sorted(set(indexes)))
    reason = f"AI entities accepted by {by.get_username()}"
    _save_article(article, by=by, reason=reason, entities=lines.values())
    return added


@transaction.atomic
def ai_job_accept_metadata(job: AssistJob, *, by: User, fields: list[str]):
    article = job.article
    if not owns_or_reviews(article, by):
        raise AssistError("Only the article's author or an editor can change its metadata.")
    if not fields or not set(fields) <= {"dek", "seo_description", "topics"}:
        raise AssistError("Choose which suggested fields to use.")
    _accepting(job, by=by, part="metadata", items=sorted(fields))
    output = _output(job)
    article.refresh_from_db()
    for name in {"dek", "seo_description"} & set(fields):
        setattr(article, name, output[name])
    topics = None
    if "topics" in fields:
        topics = [*article.topics.all(), *Topic.objects.filter(name__in=output["topics"])]
    reason = f"AI metadata accepted by {by.get_username()}: {', '.join(sorted(fields))}"
    return _save_article(article, by=by, reason=reason, topics=topics)


@transaction.atomic
def ai_job_accept_suggestion(job: AssistJob, *, by: User, index: int):
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
    reason = f"AI suggestion accepted by {by.get_username()}: {item['reason'][:150]}"
    return _save_article(article, by=by, reason=reason)


def _save_article(article, *, by: User, reason: str, **relations):
    """Save the accepted output as a new version through the articles service, which checks the person."""
    try:
        return article_save(article, by=by, reason=reason, **relations)
    except ArticleActionError as exc:
        raise AssistError(str(exc)) from exc


def ai_job_accept(job: AssistJob, *, by: User, items: list[int], fields: list[str]) -> str:
    """Accept the chosen parts of a finished job's output the way its kind is accepted: `items` are
    indexes into its list (claims, entities, one suggestion), `fields` the metadata to use. Returns what
    was done, for the person who accepted."""
    match job.kind:
        case AssistJob.Kind.CLAIMS:
            claims = ai_job_accept_claims(job, by=by, indexes=items)
            return f"{len(claims)} claim(s) queued for checking"
        case AssistJob.Kind.ENTITIES:
            links = ai_job_accept_entities(job, by=by, indexes=items)
            return f"{len(links)} entities added to the working copy"
        case AssistJob.Kind.METADATA:
            ai_job_accept_metadata(job, by=by, fields=fields)
            return "Metadata applied as a new version"
        case AssistJob.Kind.SUGGEST:
            if len(items) != 1:
                raise AssistError("Accept one suggestion at a time.")
            ai_job_accept_suggestion(job, by=by, index=items[0])
            return "Suggestion applied as a new version"
    raise AssistError("Quality checks are for reading; there is nothing to accept.")
