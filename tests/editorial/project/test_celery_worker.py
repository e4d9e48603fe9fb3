"""One round trip through Redis and a real Celery worker: the task is sent after commit, the worker
picks it up, and the outbox row it loads is the one the web request wrote."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from editorial import emails
from editorial.celery import app
from editorial.models import OutgoingEmail

pytestmark = [pytest.mark.redis, pytest.mark.usefixtures("test_templates")]


@pytest.fixture(scope="module")
def celery_worker(django_db_blocker):
    from django.conf import settings

    if not settings.REDIS_URL:
        pytest.skip("needs Redis")  # the marker's own check fails the run in CI
    from django.db import connections

    # The worker thread's connection must close after each task, or the test database cannot be dropped.
    connections.settings["default"]["CONN_MAX_AGE"] = 0
    with django_db_blocker.unblock():
        app.control.purge()
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
            yield worker


def wait_for(predicate, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_sends_the_email_through_the_worker(celery_worker):
    email = emails.queue("greeting", to="reader@example.com", context={"name": "Sam"})

    assert wait_for(lambda: OutgoingEmail.objects.get(pk=email.pk).status == "sent")
    assert [m.to for m in mail.outbox] == [["reader@example.com"]]
