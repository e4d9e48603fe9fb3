"""Newsroom-wide actions: the e-mail outbox and its notifications, and the fact-check queue."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from rapidfuzz import fuzz, process

from editorial import emails, tasks, web_client
from editorial.models import Claim, Evidence, OutgoingEmail

log = logging.getLogger(__name__)

MAX_EMAIL_ATTEMPTS = 5


def enqueue_on_commit(task, *args) -> None:
    """Ring a task's bell once the current transaction commits. The row it works on is the record: if
    the broker is unreachable the error is logged, not raised, and the sweeper rings again later."""

    def send() -> None:
        try:
            task.apply_async(args=args, retry=False)
        except Exception:
            log.exception("could not queue %s%s; the sweeper will retry", task.name, args)

    transaction.on_commit(send)


@transaction.atomic
def email_queue(template: str, *, to: str, context: dict) -> OutgoingEmail:
    """Render templates/emails/<template>-{subject.txt,body.txt,body.html} into an outbox row and ring
    the bell once the surrounding transaction commits."""
    context = {**context, "site_url": settings.SITE_URL, "publisher": settings.PUBLISHER_NAME}
    subject = render_to_string(f"emails/{template}-subject.txt", context)
    email = OutgoingEmail.objects.create(
        template=template,
        to=to,
        # A subject is one line: collapse whatever the template (or reader input in it) put there.
        subject=" ".join(subject.split())[:300],
        body_text=render_to_string(f"emails/{template}-body.txt", context),
        body_html=render_to_string(f"emails/{template}-body.html", context),
    )
    enqueue_on_commit(tasks.send_email, email.pk)
    return email


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
        tasks.send_email.delay(pk)
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
    enqueue_on_commit(tasks.check_evidence_link, evidence.pk)
    return evidence


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
    evidence.link_status, evidence.link_detail = status, detail[:300]
    evidence.suggested_quote, evidence.match_score = passage, score
    evidence.checked_at = timezone.now()
    evidence._change_reason = f"Link checked: {evidence.get_link_status_display()}"
    evidence.save()
    return evidence


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
        tasks.check_evidence_link.apply_async(args=[pk], retry=False)
    return len(ids)
