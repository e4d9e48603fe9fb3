import logging
import os

from celery import Celery
from django.db import transaction
from kombu import Queue

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
    "resend-unsent-email": {"task": "editorial.tasks.resend_unsent_email", "schedule": 300.0},
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


def enqueue(task: str, *args, countdown: int = 0) -> None:
    """Ring a task's bell now, by the task's name. The row it works on is the record: if the broker is
    unreachable the error is logged, not raised, and the sweeper rings again later. (By name, so that the
    services that queue work need not import the tasks that call them.)"""
    try:
        registered(task).apply_async(args=args, countdown=countdown, retry=False)
    except Exception:
        log.exception("could not queue %s%s; the sweeper will retry", task, args)


def enqueue_on_commit(task: str, *args, countdown: int = 0) -> None:
    """Ring a task's bell once the current transaction commits (never for a rolled-back row)."""
    transaction.on_commit(lambda: enqueue(task, *args, countdown=countdown))
