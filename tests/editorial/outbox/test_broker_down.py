"""A broker that cannot be reached costs a request nothing: the publish gives up at once, the process
stops trying for a moment, the outbox row is marked, and the sweeper rings for it as soon as it can."""

from datetime import timedelta

import pytest
from kombu.exceptions import OperationalError

from editorial import emails, services
from editorial.celery import app, enqueue, publisher
from editorial.models import OutgoingEmail

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("test_templates")]


class Pool:
    """Stands for the producer pool: counts the attempts, fails while `down`, records what was sent."""

    def __init__(self):
        self.down, self.attempts, self.sent = True, 0, []

    def acquire(self, **kwargs):
        self.attempts += 1
        if self.down:
            raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.fixture
def pool(monkeypatch):
    pool = Pool()
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setattr(publisher, "producers", lambda: pool)
    monkeypatch.setattr(
        "editorial.tasks.send_email.apply_async", lambda args, **kwargs: pool.sent.append(args[0])
    )
    return pool


def test_after_a_failure_nothing_is_tried_for_a_while(pool, settings):
    settings.BROKER_RETRY_AFTER = 60
    assert enqueue("editorial.tasks.send_email", 1) is False
    assert [enqueue("editorial.tasks.send_email", n) for n in (2, 3, 4)] == [False] * 3
    assert pool.attempts == 1  # one connection attempt, then the pause: no request waits on it
    pool.down = False
    publisher.resume()
    assert enqueue("editorial.tasks.send_email", 5) is True
    assert pool.sent == [5]


def test_an_email_whose_bell_failed_is_rung_by_the_next_sweep(pool, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = emails.queue("greeting", to="reader@example.com", context={"name": "Sam"})
    email.refresh_from_db()
    assert (email.status, email.ring_failed) == ("queued", True)

    assert services.email_resend_unsent() == 0  # still down: the sweep stops at its first failure
    pool.down = False
    publisher.resume()
    assert services.email_resend_unsent() == 1  # at once, not after minutes
    assert pool.sent == [email.pk]
    email.refresh_from_db()
    assert email.ring_failed is False and email.rung_at is not None
    assert services.email_resend_unsent() == 0  # rung a moment ago: not again before a minute


def test_a_message_lost_with_the_broker_is_rung_again_after_a_minute(
    pool, django_capture_on_commit_callbacks
):
    pool.down = False
    with django_capture_on_commit_callbacks(execute=True):
        email = emails.queue("greeting", to="reader@example.com", context={"name": "Sam"})
    assert pool.sent == [email.pk]  # rung, then lost when the broker restarted empty
    assert services.email_resend_unsent() == 0
    OutgoingEmail.objects.filter(pk=email.pk).update(created_at=email.created_at - timedelta(seconds=61))
    assert services.email_resend_unsent() == 1
    assert pool.sent == [email.pk, email.pk]
