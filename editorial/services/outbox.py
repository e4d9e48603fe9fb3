"""The e-mail outbox (sending, resending) and the notifications of workflow moves."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from editorial import emails
from editorial.celery import enqueue
from editorial.models import OutgoingEmail

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


def email_resend_unsent(*, older_than: timedelta = timedelta(minutes=1)) -> int:
    """Ring the bell again for e-mails not sent yet: at once for those whose bell could not be rung (the
    broker was down), and for those asked for more than `older_than` ago (a message lost with a broker
    restart or a worker crash). Sending locks and checks the row, so a second bell sends nothing twice.
    Stops at the first bell that cannot be rung; returns how many were rung."""
    now = timezone.now()
    cutoff = now - older_than
    due = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.QUEUED).filter(
        Q(ring_failed=True) | Q(rung_at__lt=cutoff) | Q(rung_at__isnull=True, created_at__lt=cutoff)
    )
    rung = []
    for pk in due.order_by("created_at").values_list("pk", flat=True)[:500]:
        if not enqueue("editorial.tasks.send_email", pk):
            break
        rung.append(pk)
    OutgoingEmail.objects.filter(pk__in=rung).update(ring_failed=False, rung_at=now)
    return len(rung)


def _reviewers_of(article):
    """The responsible editor; while none is assigned, every editor who may review."""
    if article.editor_id and article.editor.user_id:
        return [article.editor.user]
    perm = Q(groups__permissions__codename="review_article") | Q(user_permissions__codename="review_article")
    return list(get_user_model().objects.filter(perm, is_active=True).distinct())


def _overdue_recipients(article, transition) -> list:
    """The editor who scheduled the publication and the responsible editor (every editor while none is
    assigned): the move is recorded as the scheduler's, but nobody took it, so they are told too."""
    scheduler = article.scheduled_by or transition.by
    people = {user.pk: user for user in [scheduler, *_reviewers_of(article)]}
    return list(people.values())


def article_notify(sender, *, article, transition, **kwargs) -> None:
    """Tell the people a workflow move concerns (connected to articles' `article_moved`)."""
    S = type(article).Status
    by_author = {
        S.CHANGES_REQUESTED: emails.article_changes_requested,
        S.APPROVED: emails.article_approved,
        S.PUBLISHED: emails.article_published,
    }
    actor = transition.by_id  # nobody is told of their own action
    if transition.to_status == S.IN_REVIEW:
        send, recipients = emails.article_submitted, _reviewers_of(article)
    elif transition.to_status == S.OVERDUE:
        send, recipients, actor = emails.article_overdue, _overdue_recipients(article, transition), None
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
        if user.email and user.pk != actor:
            send(user.email, ctx)
