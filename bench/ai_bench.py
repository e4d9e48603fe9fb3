"""Benchmarks for AI assist: the local provider per kind on the demo article, and a job's round trip
through the ledger, Redis and a real Celery worker. Figures are medians of many runs in one session;
compare them as ratios, since the machine's speed varies.

    make bench                       # local provider only
    DATABASE_URL=postgres://… REDIS_URL=redis://…/13 make bench    # plus the round trip
"""

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "editorial.settings")
os.environ["AI_PROVIDER"] = "local"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from editorial import demo_content  # noqa: E402
from editorial.ai.contract import KINDS, ArticleInput  # noqa: E402
from editorial.ai.local import LocalProvider  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "200"))


def local_provider() -> dict[str, float]:
    article = ArticleInput(
        title=demo_content.PUBLISHED_TITLE,
        dek=demo_content.PUBLISHED_DEK,
        body=demo_content.PUBLISHED_BODY,
        topics=["AI infrastructure", "Energy", "Media"],
    )
    provider = LocalProvider()
    medians = {}
    for kind in KINDS:
        provider.run(kind, article, lambda p: None)  # warm up
        times = []
        for _ in range(RUNS):
            started = time.perf_counter()
            provider.run(kind, article, lambda p: None)
            times.append(time.perf_counter() - started)
        medians[kind] = statistics.median(times) * 1000
    return medians


def round_trip(jobs: int) -> list[float]:
    """Seconds from the request's commit to the worker's recorded finish, one job at a time."""
    import editorial.tasks  # noqa: F401  (registers the tasks that enqueue rings by name)
    from articles.models import Article

    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    article = Article.objects.get(slug=demo_content.PUBLISHED_SLUG)
    worker = _start_worker()
    try:
        return [_time_one_job(article, i) for i in range(jobs)]
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def _start_worker() -> subprocess.Popen:
    """A Celery worker on the AI queue, one job at a time, as in production."""
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
            "--loglevel",
            "WARNING",
            "-n",
            f"bench-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env={**os.environ},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _time_one_job(article, i: int) -> float:
    """Queue job number `i` and wait (up to 30 s) for the worker to finish it; the seconds it took."""
    from editorial.celery import enqueue
    from editorial.models import AssistJob

    # A distinct input each time, so the ledger does not hand back an earlier job.
    job = AssistJob.objects.create(
        article=article,
        version=article.history.latest(),
        kind="claims",
        provider="local",
        model=f"bench-{i}",
        prompt_version="bench",
        input_sha256=f"{i:064d}",
        requested_by=article.author.user,
    )
    requested = time.perf_counter()
    enqueue("editorial.tasks.run_ai_assist_job", job.pk)
    deadline = requested + 30
    while time.perf_counter() < deadline:
        job.refresh_from_db(fields=["status", "finished_at"])
        if job.status in ("succeeded", "failed"):
            break
        time.sleep(0.0005)
    if job.status != "succeeded":
        raise SystemExit(f"job {job.pk} did not finish: {job.status}")
    return time.perf_counter() - requested


def main() -> None:
    medians = local_provider()
    print(f"Local provider on the demo article (median of {RUNS} runs each):")
    for kind, ms in medians.items():
        print(f"  {kind:9} {ms:7.2f} ms")
    fastest = min(medians.values())
    print("  ratios to the fastest kind: " + ", ".join(f"{k} {v / fastest:.1f}x" for k, v in medians.items()))

    if not (settings.REDIS_URL and settings.DATABASES["default"]["ENGINE"].endswith("postgresql")):
        print("Round trip skipped: set DATABASE_URL (PostgreSQL) and REDIS_URL to measure it.")
        return
    jobs = int(os.environ.get("BENCH_JOBS", "100"))
    times = round_trip(jobs)
    median = statistics.median(times) * 1000
    print(f"Job round trip, request to result, through Redis and a Celery worker (median of {jobs}):")
    print(
        f"  {median:.1f} ms; p90 {statistics.quantiles(times, n=10)[-1] * 1000:.1f} ms;"
        f" {median / medians['claims']:.0f}x the provider's own time for the same kind"
    )


if __name__ == "__main__":
    main()
