"""Without a broker, the serving process runs the beat schedule in a thread: once per process,
stoppable, and only where asked."""

import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from articles import services
from articles.models import Article
from editorial import local_beat
from tests.factories import ArticleFactory

PUBLISH = "articles.tasks.publish_due_articles"


@pytest.fixture(autouse=True)
def stopped():
    yield
    local_beat.stop()


def test_it_runs_the_minute_jobs_every_tick_and_the_others_at_beats_period():
    periods = local_beat.periods(5.0)
    assert periods[PUBLISH] == 5.0
    assert periods["editorial.tasks.sweep_ai_jobs"] == 5.0
    assert periods["editorial.tasks.resend_unsent_email"] == 5.0  # every 30 s in beat: within a minute
    assert periods["corrections.tasks.send_corrections_digest"] == 300.0


def test_it_publishes_due_articles_each_tick(alice, bob, monkeypatch):
    monkeypatch.setattr(local_beat, "close_old_connections", lambda: None)  # the test's transaction stays
    article = ArticleFactory(author=alice.person, editor=bob.person)
    services.article_submit(article, by=alice)
    services.article_approve(article, by=bob)
    services.article_schedule(article, by=bob, when=timezone.now() + timedelta(seconds=1))
    last_run: dict[str, float] = {}

    assert PUBLISH in local_beat.run_due(last_run, 5.0, now=1000.0)
    assert local_beat.run_due(last_run, 5.0, now=1004.0) == []
    monkeypatch.setattr(timezone, "now", lambda: article.scheduled_for + timedelta(seconds=1))
    due = [PUBLISH, "editorial.tasks.sweep_ai_jobs", "editorial.tasks.resend_unsent_email"]
    assert local_beat.run_due(last_run, 5.0, now=1005.0) == due

    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED


def test_a_failing_job_does_not_stop_the_others(monkeypatch):
    ran = []

    def task(name):
        def run():
            ran.append(name)
            if name == PUBLISH:
                raise RuntimeError("database is locked")

        return run

    monkeypatch.setattr(local_beat, "registered", task)
    monkeypatch.setattr(local_beat, "close_old_connections", lambda: None)
    local_beat.run_due({}, 5.0, now=0.0)
    assert PUBLISH in ran and len(ran) == len(local_beat.periods(5.0))


def test_it_starts_once_per_process_and_stops(monkeypatch):
    ticks = threading.Semaphore(0)
    monkeypatch.setattr(local_beat, "run_due", lambda *args: ticks.release())

    assert local_beat.start(tick=0.01) is True
    assert local_beat.start(tick=0.01) is False
    assert ticks.acquire(timeout=5) and ticks.acquire(timeout=5)  # it ticks
    assert [t.name for t in threading.enumerate()].count("local-beat") == 1

    local_beat.stop()
    assert "local-beat" not in [t.name for t in threading.enumerate()]


def test_it_starts_only_where_asked(settings, monkeypatch):
    monkeypatch.setattr(local_beat, "run_due", lambda *args: None)
    settings.SCHEDULE_IN_PROCESS = False  # with a broker: beat runs the schedule
    assert local_beat.start_if_configured() is False
    settings.SCHEDULE_IN_PROCESS = True
    assert local_beat.start_if_configured() is True


def test_tests_run_no_schedule_of_their_own():
    assert "local-beat" not in [t.name for t in threading.enumerate()]
