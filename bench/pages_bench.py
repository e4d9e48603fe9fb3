"""Benchmark of published pages against the speed limit of this stack, on a real gunicorn (2 sync workers)
with PostgreSQL and Redis on 127.0.0.1.

For the article, home and topic pages of the demo newsroom, wrk (Debian's package) loads, in turn and for
BENCH_ROUNDS interleaved rounds of BENCH_SECONDS each:
  - the page as readers get it (answered from the page store), and
  - /bench/reference/<page>/: a view returning the same bytes through the same middleware (the limit);
and prints the medians and their ratio. Then it times baking: one article page, and every page a
correction bakes, with the queries each takes.

    make bench
    BENCH_DATABASE_URL=postgres://…/newsroom_bench BENCH_SECONDS=10 python bench/pages_bench.py

The benchmark database is created afresh (dropped first). Only the loopback address is contacted.
"""

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
WORK = Path(tempfile.mkdtemp(prefix="pages-bench-"))
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/newsroom_bench")
ENV = {
    **os.environ,
    "DATABASE_URL": DATABASE_URL,
    "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "PAGE_STORE_DIR": str(WORK / "pages"),
    "BENCH_REFERENCE_DIR": str(WORK / "reference"),
    "BUILD_ID": "bench",
    "STAFF_REQUIRE_2FA": "false",
    "SCHEDULE_IN_PROCESS": "false",
    "DEBUG": "false",
    "CONN_MAX_AGE": "60",
}
os.environ.update(ENV)
sys.path.insert(0, str(ROOT))

from bench.servers import free_port, start_gunicorn, stop  # noqa: E402

SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
RATE = re.compile(r"Requests/sec:\s+([\d.]+)")


def fresh_database() -> None:
    import psycopg

    *server, name = DATABASE_URL.rsplit("/", 1)
    with psycopg.connect(f"{server[0]}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def manage(*args: str) -> str:
    done = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=ROOT, env=ENV, check=True, capture_output=True, text=True
    )
    return done.stdout


def wrk(url: str) -> float:
    done = subprocess.run(  # noqa: S603
        [shutil.which("wrk") or "wrk", "-t2", "-c32", f"-d{SECONDS}s", url],
        capture_output=True,
        text=True,
        check=True,  # noqa: S607
    )
    return float(RATE.search(done.stdout).group(1))


def pages_to_load(base: str) -> dict[str, str]:
    """The demo's article, home and topic pages, each checked to come from the store, and their bytes
    written for the reference view."""
    from editorial.demo_content import PUBLISHED_SLUG

    targets = {"article": f"/articles/{PUBLISHED_SLUG}/", "home": "/", "topic": "/topics/energy/"}
    (WORK / "reference").mkdir()
    for name, path in targets.items():
        page = httpx.get(base + path, timeout=10)
        assert page.status_code == 200 and page.headers.get("X-Page-Store") == "hit", (path, page.headers)
        (WORK / "reference" / f"{name}.html").write_bytes(page.content)
        reference = httpx.get(f"{base}/bench/reference/{name}/", timeout=10)
        assert reference.content == page.content
    return targets


def load(base: str, targets: dict[str, str]) -> None:
    print(f"wrk -t2 -c32 -d{SECONDS}s, {ROUNDS} interleaved rounds, medians (requests/s):")
    rates: dict[tuple[str, str], list[float]] = {}
    for _ in range(ROUNDS):
        for name, path in targets.items():
            rates.setdefault((name, "reference"), []).append(wrk(f"{base}/bench/reference/{name}/"))
            rates.setdefault((name, "store"), []).append(wrk(base + path))
    for name in targets:
        reference = statistics.median(rates[(name, "reference")])
        served = statistics.median(rates[(name, "store")])
        print(f"  {name:8} store {served:8.0f}   reference {reference:8.0f}   ratio {served / reference:.2f}")


def bake_times() -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from articles import pages
    from articles.models import Article
    from editorial.demo_content import PUBLISHED_SLUG

    article = Article.objects.select_related("live_version").get(slug=PUBLISHED_SLUG)
    path = article.get_absolute_url()
    times, queries = [], 0
    for _ in range(20):
        pages.remove(path)
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            pages.bake([path])
        times.append((time.perf_counter() - started) * 1000)
        queries = len(captured)
    print(f"Baking the article page: median {statistics.median(times):.1f} ms, {queries} queries")
    paths = pages.article_pages(article, article.live_version)
    for path in paths:
        pages.remove(path)
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        pages.bake(paths)
    took = (time.perf_counter() - started) * 1000
    shown = f"{len(paths)} pages"
    print(f"Baking every page a correction of it changes ({shown}): {took:.0f} ms, {len(captured)} queries")


def main() -> None:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk (make bench does it)")
    fresh_database()
    manage("migrate", "--noinput")
    manage("seed_demo")
    print(manage("bake_pages").strip())
    port = free_port()
    server = start_gunicorn(ENV, port, WORK / "gunicorn.log", ready="/healthz")
    try:
        base = f"http://127.0.0.1:{port}"
        load(base, pages_to_load(base))
    finally:
        stop(server)
    bake_times()


if __name__ == "__main__":
    main()
