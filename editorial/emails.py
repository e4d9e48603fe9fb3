"""The e-mails the newsroom sends: queueing into the outbox, and one function per e-mail. Each writes an
outbox row, sent by a task after the transaction commits. Imports no other part of the newsroom: callers
hand over the context."""

import sys

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.template.loader import render_to_string

from editorial.celery import enqueue
from editorial.models.outbox import OutgoingEmail


@transaction.atomic
def queue(template: str, *, to: str, context: dict) -> OutgoingEmail:
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
    transaction.on_commit(lambda: ring(email.pk))
    return email


def ring(email_id: int) -> None:
    """Ask a worker to send an outbox row. If the broker cannot be reached the row is marked, and the
    sweeper (every 30 s) asks again as soon as it can."""
    if not enqueue("editorial.tasks.send_email", email_id):
        OutgoingEmail.objects.filter(pk=email_id).update(ring_failed=True)


def article_submitted(to: str, ctx: dict) -> OutgoingEmail:
    return queue("article-submitted", to=to, context=ctx)


def article_changes_requested(to: str, ctx: dict) -> OutgoingEmail:
    return queue("article-changes-requested", to=to, context=ctx)


def article_approved(to: str, ctx: dict) -> OutgoingEmail:
    return queue("article-approved", to=to, context=ctx)


def article_published(to: str, ctx: dict) -> OutgoingEmail:
    return queue("article-published", to=to, context=ctx)


def article_overdue(to: str, ctx: dict) -> OutgoingEmail:
    return queue("article-overdue", to=to, context=ctx)


def correction_received(to: str, ctx: dict) -> OutgoingEmail:
    return queue("correction-received", to=to, context=ctx)


def correction_accepted(to: str, ctx: dict) -> OutgoingEmail:
    return queue("correction-accepted", to=to, context=ctx)


def correction_declined(to: str, ctx: dict) -> OutgoingEmail:
    return queue("correction-declined", to=to, context=ctx)


def correction_published(to: str, ctx: dict) -> OutgoingEmail:
    return queue("correction-published", to=to, context=ctx)


def corrections_digest(to: str, ctx: dict) -> OutgoingEmail:
    return queue("corrections-digest", to=to, context=ctx)


class SummaryBackend(BaseEmailBackend):
    """Where e-mails go with no EMAIL_URL (`make run`): one line each on the console, naming who it is
    for and its subject; the whole message is in the back office's outbox (every e-mail is a row)."""

    def send_messages(self, email_messages) -> int:
        for message in email_messages:
            to = ", ".join(message.to)
            sys.stderr.write(f"e-mail to {to}: {message.subject}  (the outbox in /admin/ shows it)\n")
        return len(email_messages)
