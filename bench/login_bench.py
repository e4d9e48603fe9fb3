"""Benchmark of the back-office sign-in under attack, against a real gunicorn (2 sync workers) on 127.0.0.1.

(a) ten wrong passwords for one account from one address: each attempt's time; from the sixth on the
    lockout answers, and must do so in under 50 ms (no password hashed);
(b) the right password, refused while locked out;
(c) readers' latency on the demo article, at rest and during a 60 s flood of wrong passwords for several
    usernames (a few threads, loopback only).

    make bench                                   # a temporary SQLite file
    DATABASE_URL=postgres://…/newsroom_bench python bench/login_bench.py

Only the loopback address is ever contacted. Timings depend on the machine: read them as ratios.
"""

import logging
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "editorial.settings")

import django  # noqa: E402

django.setup()
logging.getLogger("httpx").setLevel(logging.WARNING)  # no line per request

from bench.servers import free_port, start_gunicorn, stop  # noqa: E402
from editorial.demo_content import PUBLISHED_SLUG  # noqa: E402
from editorial.management.commands.seed_demo import DEFAULT_PASSWORD  # noqa: E402

LOCKED_OUT_BUDGET_MS = 50
REST_SECONDS = float(os.environ.get("BENCH_REST_SECONDS", "10"))
FLOOD_SECONDS = float(os.environ.get("BENCH_FLOOD_SECONDS", "60"))
FLOOD_THREADS = 4
FLOOD_USERNAMES = ["editor", "author", "checker", "desk", "admin", "root"]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def manage(env: dict, *args: str) -> None:
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )


class SignIn:
    """A browser at one address: the CSRF cookie and token of the admin's login form."""

    def __init__(self, base: str):
        self.client = httpx.Client(base_url=base, timeout=30)
        page = self.client.get("/admin/login/")
        self.token = CSRF.search(page.text).group(1)

    def attempt(self, username: str, password: str) -> tuple[int, float]:
        started = time.perf_counter()
        response = self.client.post(
            "/admin/login/",
            data={
                "csrfmiddlewaretoken": self.token,
                "username": username,
                "password": password,
                "next": "/admin/",
            },
        )
        return response.status_code, (time.perf_counter() - started) * 1000


def readers(base: str, seconds: float, path: str) -> list[tuple[float, float]]:
    """One reader after another (20 ms apart) for `seconds`: when each page was asked for, and its ms."""
    times = []
    with httpx.Client(base_url=base, timeout=30) as client:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.monotonic(), (time.perf_counter() - started) * 1000))
            if response.status_code != 200:
                raise SystemExit(f"the article page answered {response.status_code}")
            time.sleep(0.02)
    return times


def flood(base: str, stop: threading.Event, counts: dict, lock: threading.Lock, offset: int) -> None:
    browser = SignIn(base)
    i = offset
    while not stop.is_set():
        status, _ = browser.attempt(FLOOD_USERNAMES[i % len(FLOOD_USERNAMES)], f"guess-{i}")
        i += FLOOD_THREADS
        with lock:
            counts[status] = counts.get(status, 0) + 1
            if status == 429:
                counts.setdefault("first_refused", time.monotonic())


def summary(samples: list[tuple[float, float]]) -> tuple[float, float]:
    times = [ms for _, ms in samples]
    return statistics.median(times), statistics.quantiles(times, n=10)[-1]


def run(base: str, env: dict) -> None:
    password = os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD

    print("(a) 10 wrong passwords for 'editor' from one address:")
    browser = SignIn(base)
    attempts = [browser.attempt("editor", f"wrong-{i}") for i in range(10)]
    for n, (status, ms) in enumerate(attempts, 1):
        print(f"  attempt {n:2}: {status}  {ms:7.1f} ms")
    later = [ms for _, ms in attempts[5:]]
    refused_fast = all(status == 429 for status, _ in attempts[5:]) and max(later) < LOCKED_OUT_BUDGET_MS
    print(
        f"  6th to 10th: refused (429) in {min(later):.1f}-{max(later):.1f} ms;"
        f" all refused under {LOCKED_OUT_BUDGET_MS} ms: {'yes' if refused_fast else 'NO'}"
    )
    print(f"  (hashed attempts 1-4: median {statistics.median(ms for _, ms in attempts[:4]):.1f} ms)")

    status, ms = browser.attempt("editor", password)
    print(
        f"(b) the right password while locked out: {status} in {ms:.1f} ms"
        + (" (refused)" if status == 429 else "")
    )

    manage(env, "axes_reset")
    path = f"/articles/{PUBLISHED_SLUG}/"
    print(f"(c) readers on {path}, one at a time:")
    rest = summary(readers(base, REST_SECONDS, path))
    print(f"  at rest ({REST_SECONDS:.0f} s): median {rest[0]:.1f} ms, p90 {rest[1]:.1f} ms")

    stop, lock, counts = threading.Event(), threading.Lock(), {}
    threads = [
        threading.Thread(target=flood, args=(base, stop, counts, lock, i)) for i in range(FLOOD_THREADS)
    ]
    for thread in threads:
        thread.start()
    try:
        during = readers(base, FLOOD_SECONDS, path)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    under = summary(during)
    locked_at = counts.pop("first_refused", None)
    total = sum(counts.values())
    flood_shape = f"{FLOOD_SECONDS:.0f} s, {FLOOD_THREADS} threads, {len(FLOOD_USERNAMES)} usernames"
    print(f"  during the flood ({flood_shape}): median {under[0]:.1f} ms, p90 {under[1]:.1f} ms")
    print(
        f"  flood: {total} attempts ({total / FLOOD_SECONDS:.0f}/s), "
        + ", ".join(f"{n} answered {status}" for status, n in sorted(counts.items()))
    )
    print(f"  ratio flood/rest: median {under[0] / rest[0]:.2f}x, p90 {under[1] / rest[1]:.2f}x")
    if locked_at is not None:
        after = [sample for sample in during if sample[0] > locked_at]
        if len(after) >= 10:
            late = summary(after)
            print(
                f"  once the address was locked out ({after[-1][0] - locked_at:.0f} s of the flood): median"
                f" {late[0]:.1f} ms, p90 {late[1]:.1f} ms; ratio to rest {late[0] / rest[0]:.2f}x,"
                f" p90 {late[1] / rest[1]:.2f}x"
            )
    manage(env, "axes_reset")


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="login-bench-"))
    env = {**os.environ, "STAFF_REQUIRE_2FA": "false", "DEBUG": "false"}
    if not env.get("DATABASE_URL"):
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    engine = env["DATABASE_URL"].split(":", 1)[0]
    print(f"Sign-in benchmark: gunicorn, 2 sync workers, database {engine}")
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo")
    manage(env, "axes_reset")
    port = free_port()
    log = workdir / "gunicorn.log"
    server = start_gunicorn(env, port, log)
    try:
        run(f"http://127.0.0.1:{port}", env)
    finally:
        stop(server)


if __name__ == "__main__":
    main()
