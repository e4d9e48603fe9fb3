import logging
import os
import threading
import time

from celery import Celery
from django.conf import settings
from django.db import transaction
from kombu import Queue, pools

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "editorial.settings")

app = Celery("newsroom")
app.config_from_object("django.conf:settings", namespace="CELERY")

# One queue per kind of work, so a slow AI provider never holds up e-mail or fact-checking.
app.conf.task_queues = (
    Queue("default"),
    Queue("ai"),
    Queue("factcheck"),
    Queue("mail"),
)
app.conf.task_routes = {
    "editorial.tasks.send_email": {"queue": "mail"},
    "editorial.tasks.check_evidence_link": {"queue": "factcheck"},
    "editorial.tasks.run_ai_assist_job": {"queue": "ai"},
    "editorial.tasks.recheck_evidence_links": {"queue": "factcheck"},
}
app.conf.beat_schedule = {
    "publish-due-articles": {"task": "articles.tasks.publish_due_articles", "schedule": 60.0},
    "sweep-ai-jobs": {"task": "editorial.tasks.sweep_ai_jobs", "schedule": 60.0},
    # Every 30 s: an e-mail whose bell could not be rung (the broker was down) goes out within a minute of
    # the broker coming back.
    "resend-unsent-email": {"task": "editorial.tasks.resend_unsent_email", "schedule": 30.0},
    # Every few minutes; the digest itself waits CORRECTIONS_DIGEST_MINUTES since the last one, so a lost
    # message delays it by minutes, not by a whole interval.
    "send-corrections-digest": {"task": "corrections.tasks.send_corrections_digest", "schedule": 300.0},
    "recheck-evidence-links": {"task": "editorial.tasks.recheck_evidence_links", "schedule": 24 * 3600.0},
}

app.autodiscover_tasks()

log = logging.getLogger(__name__)


def registered(task: str):
    """The task called `task`. Only workers import the task modules when they start; a web process
    (and the in-process mode) imports them the first time it rings a bell."""
    if task not in app.tasks:
        app.loader.import_default_modules()
    return app.tasks[task]


class _Publisher:
    """How web processes reach the broker: a pool of producers whose connections give up at once (short
    connect and read timeouts, no retries), and a pause after a failure during which nothing is tried,
    so that a broker that is down or hangs costs a request nothing while the rows wait for the sweepers.
    (The workers' own consuming connections keep Celery's patient reconnecting.)"""

    def __init__(self) -> None:
        self._pool = None
        self._paused_until = 0.0
        self._lock = threading.Lock()

    def connection(self):
        timeout = settings.BROKER_PUBLISH_TIMEOUT
        return app.connection_for_write(
            connect_timeout=timeout,
            transport_options={
                "max_retries": 0,
                "socket_connect_timeout": timeout,
                "socket_timeout": timeout,
            },
        )

    def producers(self):
        with self._lock:
            if self._pool is None:
                self._pool = pools.producers[self.connection()]
            return self._pool

    def resume(self) -> None:
        """Try the broker again at the next publish, pause or not."""
        self._paused_until = 0.0

    @property
    def paused(self) -> bool:
        return time.monotonic() < self._paused_until

    def publish(self, task: str, args: tuple, countdown: int) -> None:
        try:
            with self.producers().acquire(block=True, timeout=settings.BROKER_PUBLISH_TIMEOUT) as producer:
                registered(task).apply_async(args=args, countdown=countdown, retry=False, producer=producer)
        except Exception:
            self._paused_until = time.monotonic() + settings.BROKER_RETRY_AFTER
            raise
        self.resume()


publisher = _Publisher()


def prepare() -> None:
    """Done once when a serving process starts, so that its first request does not pay for it (most of a
    second): import the task modules, register the tasks, load the broker's transport."""
    app.loader.import_default_modules()
    app.finalize(auto=True)
    if not app.conf.task_always_eager:
        app.amqp.router, app.amqp.Producer, app.amqp.create_task_message  # noqa: B018
        publisher.producers()


def enqueue(task: str, *args, countdown: int = 0) -> bool:
    """Ring a task's bell now, by the task's name; False when it could not be rung. The row the task works
    on is the record: when the broker is unreachable (or was a moment ago) nothing waits for it, the
    failure is logged, and the sweeper rings again. (By name, so that the services that queue work need
    not import the tasks that call them.)"""
    if publisher.paused:
        log.debug("broker unavailable: %s%s left to the sweeper", task, args)  # the failure was logged
        return False
    try:
        if app.conf.task_always_eager:  # no broker: the task runs here, now
            registered(task).apply_async(args=args, countdown=countdown)
        else:
            publisher.publish(task, args, countdown)
    except Exception as exc:
        log.warning(
            "could not queue %s%s (%s: %s); the sweeper will retry", task, args, type(exc).__name__, exc
        )
        return False
    return True


def broker_reachable() -> None:
    """Raise unless the broker answers now (the health check), within the publishing timeouts."""
    with publisher.connection() as connection:
        connection.ensure_connection(max_retries=1, timeout=settings.BROKER_PUBLISH_TIMEOUT)
        connection.default_channel.client.ping()


def enqueue_on_commit(task: str, *args, countdown: int = 0) -> None:
    """Ring a task's bell once the current transaction commits (never for a rolled-back row)."""
    transaction.on_commit(lambda: enqueue(task, *args, countdown=countdown))
