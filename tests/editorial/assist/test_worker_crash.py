"""A worker process is killed (by PID) in the middle of an AI job: the call it was making is on record,
and the sweeper brings the job to completion exactly once, on another worker; a job whose worker dies on
every attempt fails after the last one. Real PostgreSQL, Redis, Celery worker processes and an
OpenAI-compatible server on 127.0.0.1."""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings as django_settings
from django.db import connection

from articles.models import Article
from editorial import services
from editorial.models import AICall, AssistJob
from tests.factories import ArticleFactory
from tests.fake_llm import FakeLLM

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
LEASE = 2
ANSWER = {
    "claims": [
        {"text": "The council approved 12 new homes", "start": 0, "end": 33, "score": 0.9, "cues": ["number"]}
    ]
}


def start_worker(name: str, llm: FakeLLM, **overrides: str) -> subprocess.Popen:
    """A Celery worker process on the `ai` queue, configured for the fake server (and `overrides`)."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": django_settings.REDIS_URL,
        "AI_PROVIDER": "openai",
        "AI_BASE_URL": llm.url,
        "AI_MODEL": "fake-model",
        "AI_SEND_UNPUBLISHED": "true",
        "AI_JOB_LEASE_SECONDS": str(LEASE),
        "AI_TIMEOUT_SECONDS": "20",
        **overrides,
    }
    return subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "editorial",
            "worker",
            "-Q",
            "ai",
            "--pool",
            "solo",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "INFO",
            "-n",
            f"{name}-{os.getpid()}@%h",
        ],
        cwd=django_settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def stop(worker: subprocess.Popen) -> str:
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    return worker.stdout.read() if worker.stdout else ""


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_killed_worker_loses_nothing_and_the_job_completes_once(alice, bob, settings):
    settings.AI_PROVIDER, settings.AI_MODEL, settings.AI_SEND_UNPUBLISHED = "openai", "fake-model", True
    settings.AI_JOB_LEASE_SECONDS = LEASE
    article = ArticleFactory(
        author=alice.person, editor=bob.person, body="The council approved 12 new homes, the mayor said."
    )
    with FakeLLM() as llm:
        settings.AI_BASE_URL = llm.url
        # The first call never answers (the worker is killed while waiting); the second one does.
        llm.hang(60).ok(ANSWER)
        first = start_worker("first", llm)
        second = None
        try:
            job = services.ai_job_request(article, kind="claims", by=alice)
            wait_for(lambda: len(llm.requests) == 1, 60, "the first worker to call the provider")
            wait_for(lambda: AssistJob.objects.get(pk=job.pk).status == "running", 10, "the job to run")

            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=10)
            job.refresh_from_db()
            assert (job.status, job.attempts) == ("running", 1)
            # The call was on record before it left, and the killed worker could not complete it.
            (cut,) = AICall.objects.filter(job=job)
            assert (cut.status, cut.attempt, cut.bytes_sent) == ("pending", 1, len(llm.requests[0].body))
            assert cut.finished_at is None

            second = start_worker("second", llm)
            time.sleep(LEASE + 0.5)  # the dead worker's lease runs out
            assert services.ai_jobs_sweep() == 1
            cut.refresh_from_db()
            assert (cut.status, cut.error) == ("cut_short", "The worker stopped before the call ended.")
            assert cut.finished_at is not None
            wait_for(lambda: AssistJob.objects.get(pk=job.pk).status == "succeeded", 60, "the job to succeed")
            services.ai_jobs_sweep()  # a second sweep, and the original message redelivered later:
            services.ai_job_run(job.pk)  # neither runs it again
        finally:
            log = stop(first) + (stop(second) if second else "")

        job.refresh_from_db()
        assert (job.status, job.attempts, job.provider, job.model) == (
            "succeeded",
            2,
            "openai",
            "fake-model",
        ), log
        assert job.output == ANSWER
        assert len(llm.requests) == 2  # one call per attempt, none after success
        calls = AICall.objects.filter(job=job).order_by("at", "pk")
        assert [(call.attempt, call.status) for call in calls] == [(1, "cut_short"), (2, "succeeded")]
        assert calls[1].bytes_sent == len(llm.requests[1].body) and calls[1].finished_at is not None
        assert Article.objects.get(pk=article.pk).history.count() == 1  # the job changed nothing


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_job_whose_worker_keeps_dying_fails_after_its_last_attempt(alice, bob, settings):
    settings.AI_PROVIDER, settings.AI_MODEL, settings.AI_SEND_UNPUBLISHED = "openai", "fake-model", True
    settings.AI_JOB_LEASE_SECONDS = LEASE
    article = ArticleFactory(author=alice.person, editor=bob.person, body="The council approved 12 homes.")
    with FakeLLM() as llm:
        settings.AI_BASE_URL = llm.url
        llm.hang(60).hang(60).hang(60).ok(ANSWER)
        workers = [start_worker("doomed1", llm)]
        try:
            job = services.ai_job_request(article, kind="claims", by=alice)
            for attempt in range(1, settings.AI_JOB_MAX_ATTEMPTS + 1):
                wait_for(lambda n=attempt: len(llm.requests) == n, 60, f"attempt {attempt} to call out")
                if attempt < settings.AI_JOB_MAX_ATTEMPTS:  # the next one boots while this one dies
                    workers.append(start_worker(f"doomed{attempt + 1}", llm))
                os.kill(workers[attempt - 1].pid, signal.SIGKILL)
                workers[attempt - 1].wait(timeout=10)
                time.sleep(LEASE + 0.5)  # the dead worker's lease runs out
                rung = services.ai_jobs_sweep()  # a takeover is another attempt, while there is one left
                assert rung == (1 if attempt < settings.AI_JOB_MAX_ATTEMPTS else 0)
        finally:
            log = "".join(stop(worker) for worker in workers)

        job.refresh_from_db()
        assert (job.status, job.attempts, job.error) == (
            "failed",
            3,
            "The worker stopped 3 times while running this job.",
        ), log
        assert len(llm.requests) == 3 and llm.pending == 1
    calls = AICall.objects.filter(job=job).order_by("at", "pk")
    assert [(call.attempt, call.status) for call in calls] == [
        (1, "cut_short"),
        (2, "cut_short"),
        (3, "cut_short"),
    ]
