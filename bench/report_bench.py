"""Benchmark of the reader's correction form under a steady load, with Redis up and with Redis stopped.

gunicorn (2 sync workers) on PostgreSQL and a Redis server of the benchmark's own (on its own port, the
only one it stops). Reports are posted to the demo article at fixed rates (BENCH_REPORT_RATES, 100 and
40 a second, for BENCH_REPORT_SECONDS, 10, each) by an open-loop generator: each report has its time,
and its latency counts from that time, so a slow server cannot slow the load down and hide its own
delay. Each report carries a form token of its own (one showing of the form sends one report). Printed
for each rate, first with Redis up, then with Redis stopped: p50, p99 and the slowest answer, the rate
served, and how many were not stored.

    make bench
    BENCH_REPORT_DATABASE_URL=postgres://…/newsroom_report_bench python bench/report_bench.py

Only the loopback address is ever contacted. Timings depend on the machine: read them side by side.
"""

import logging
import os
import queue
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
WORK = Path(tempfile.mkdtemp(prefix="report-bench-"))
DATABASE_URL = os.environ.get(
    "BENCH_REPORT_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/newsroom_report_bench"
)
# 100 a second, as asked of the form; and a rate this machine's two workers sustain, to compare the answers
# with Redis up and down below saturation (at 100 a second they queue on a 2-core machine).
RATES = [float(rate) for rate in os.environ.get("BENCH_REPORT_RATES", "100,40").split(",")]
SECONDS = float(os.environ.get("BENCH_REPORT_SECONDS", "10"))
THREADS = 64
sys.path.insert(0, str(ROOT))

from bench.servers import Redis, free_port, start_gunicorn, stop  # noqa: E402


def fresh_database() -> None:
    import psycopg

    *server, name = DATABASE_URL.rsplit("/", 1)
    with psycopg.connect(f"{server[0]}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def manage(env: dict, *args: str) -> None:
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
    )


def load(base: str, slug: str, round_name: str, rate: float) -> list[float]:
    """Post `rate` reports a second for SECONDS; the latency of each from its scheduled time, in ms."""
    from corrections.forms import form_token

    url = f"{base}/articles/{slug}/corrections/new/"
    page = httpx.get(url, timeout=10)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    cookie = f"csrftoken={page.cookies['csrftoken']}"
    total = int(rate * SECONDS)
    tokens = [form_token(time.time() - 60) for _ in range(total)]  # each read for a minute, then sent
    latencies: list[float] = []
    statuses: list[int] = []
    lock = threading.Lock()
    clients: queue.Queue[httpx.Client] = queue.Queue()
    for _ in range(THREADS):  # made before the clock starts: a client costs milliseconds to make
        clients.put(httpx.Client(timeout=30, headers={"Cookie": cookie}))

    def send(i: int, at: float) -> None:
        client = clients.get()
        time.sleep(max(0.0, at - time.perf_counter()))
        data = {"csrfmiddlewaretoken": csrf, "started": tokens[i], "email": f"reader{i}@example.org",
                "explanation": f"{round_name} {i}: the figure in the third paragraph is wrong."}  # fmt: skip
        try:
            status = client.post(url, data=data).status_code
        except httpx.HTTPError:
            status = 0
        clients.put(client)
        with lock:
            latencies.append((time.perf_counter() - at) * 1000)
            statuses.append(status)

    start = time.perf_counter() + 0.5
    with ThreadPoolExecutor(THREADS) as pool:
        for i in range(total):
            pool.submit(send, i, start + i / rate)
    served = total / (time.perf_counter() - start)
    refused = sum(1 for s in statuses if s != 302)
    q = statistics.quantiles(latencies, n=100)
    print(f"  {round_name:<14} {rate:>4g}/s  p50 {q[49]:7.1f} ms   p99 {q[98]:7.1f} ms   "
          f"slowest {max(latencies):7.1f} ms   served {served:5.1f}/s   "
          f"not stored: {refused} of {total}")  # fmt: skip
    return latencies


def main() -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    redis = Redis(WORK)
    redis.start()
    env = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": redis.url,
        "DJANGO_SETTINGS_MODULE": "editorial.settings",
        "PAGE_STORE_DIR": str(WORK / "pages"),
        "STAFF_REQUIRE_2FA": "false",
        "SCHEDULE_IN_PROCESS": "false",
        "DEBUG": "false",
        "CORRECTIONS_PER_ADDRESS": "1000000",  # every report comes from this one address
        "CORRECTIONS_PER_ARTICLE_HOUR": "1000000",
    }
    os.environ.update(env)
    import django

    django.setup()
    from editorial.demo_content import PUBLISHED_SLUG

    fresh_database()
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo")
    port = free_port()
    server = start_gunicorn(env, port, WORK / "gunicorn.log", ready=f"/articles/{PUBLISHED_SLUG}/")
    base = f"http://127.0.0.1:{port}"
    print(f"The correction form under load (gunicorn, 2 sync workers; PostgreSQL; Redis on :{redis.port})")
    try:
        load(base, PUBLISHED_SLUG, "warm-up", min(RATES))
        up = {rate: load(base, PUBLISHED_SLUG, "Redis up", rate) for rate in RATES}
        redis.stop()
        down = {rate: load(base, PUBLISHED_SLUG, "Redis stopped", rate) for rate in RATES}
        for rate in RATES:
            ratio = statistics.median(down[rate]) / statistics.median(up[rate])
            print(f"  at {rate:g}/s, p50 with Redis stopped / with Redis up: {ratio:.2f}")
    finally:
        stop(server)
        redis.stop()


if __name__ == "__main__":
    main()
