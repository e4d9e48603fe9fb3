import smtplib
from datetime import timedelta

import pytest
from django.core import mail

from editorial import emails, services, tasks
from editorial.models import OutgoingEmail

pytestmark = pytest.mark.usefixtures("test_templates")


def test_it_stores_the_email_and_queues_it_after_commit(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email = emails.queue("greeting", to="reader@example.com", context={"name": "Sam"})
    assert len(callbacks) == 1
    assert (email.status, email.subject, email.to) == ("queued", "Hello Sam", "reader@example.com")
    assert "<p>Hello Sam, from Newsroom.</p>" in email.body_html
    assert mail.outbox == []


def test_it_keeps_the_subject_on_one_line(db):
    email = emails.queue("greeting", to="r@example.com", context={"name": "Sam\r\nBcc: x@evil.test"})
    assert "\n" not in email.subject and "\r" not in email.subject


def test_it_sends_a_queued_email_once(db):
    email = emails.queue("greeting", to="reader@example.com", context={"name": "Sam"})
    tasks.send_email(email.pk)
    tasks.send_email(email.pk)  # a redelivered message
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("sent", 1)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Hello Sam"
    assert mail.outbox[0].alternatives[0].mimetype == "text/html"


def test_it_records_a_failure_and_retries(db, monkeypatch):
    email = emails.queue("greeting", to="reader@example.com", context={"name": "Sam"})

    def refuse(self, messages):
        raise smtplib.SMTPServerDisconnected("connection lost")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        services.email_send(email.pk)
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("queued", 1)
    assert "connection lost" in email.last_error


def test_it_gives_up_after_the_last_attempt(db, monkeypatch):
    email = emails.queue("greeting", to="reader@example.com", context={"name": "Sam"})
    OutgoingEmail.objects.filter(pk=email.pk).update(attempts=services.MAX_EMAIL_ATTEMPTS - 1)
    monkeypatch.setattr(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        lambda self, messages: (_ for _ in ()).throw(OSError("no route")),
    )
    services.email_send(email.pk)
    email.refresh_from_db()
    assert email.status == "failed"


def test_it_rings_again_for_emails_whose_message_was_lost(
    db, django_capture_on_commit_callbacks, monkeypatch
):
    sent: list[int] = []
    monkeypatch.setattr(tasks.send_email, "apply_async", lambda args, **kwargs: sent.append(args[0]))
    old = emails.queue("greeting", to="a@example.com", context={"name": "A"})
    OutgoingEmail.objects.filter(pk=old.pk).update(created_at=old.created_at - timedelta(hours=1))
    emails.queue("greeting", to="b@example.com", context={"name": "B"})  # still fresh

    assert services.email_resend_unsent() == 1
    assert sent == [old.pk]
