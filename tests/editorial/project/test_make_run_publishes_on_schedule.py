"""Under `make run` (a SQLite file, no REDIS_URL, tasks in-process, runserver) an article scheduled a
minute ahead goes live within two minutes, with no Celery beat running: the serving process runs the
schedule itself. A real runserver, started as the Makefile starts it (autoreloader included), on a fresh
database."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
TICK = "5"  # seconds between the schedule's runs; `make run` keeps the default, a minute

SCHEDULE = """
from datetime import timedelta
from django.contrib.auth.models import User
from django.utils import timezone
from articles import services
from articles.models import Article

editor = User.objects.get(username="editor")
article = Article(title="Tide tables", slug="tide-tables", body="High water at 06:12.",
                  author=editor.person, editor=editor.person)
services.article_save(article, by=editor, reason="Created")
services.article_submit(article, by=editor)
services.article_approve(article, by=editor)
services.article_schedule(article, by=editor, when=timezone.now() + timedelta(seconds=60))
print(article.scheduled_for.timestamp())
"""


def make_run_env(tmp_path: Path) -> dict[str, str]:
    """The environment `make run` gives the server: the caller's, with nothing configured, plus the
    Makefile's own export (STAFF_REQUIRE_2FA=false)."""
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "SCHEDULE_IN_PROCESS"}}
    env |= {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "STAFF_REQUIRE_2FA": "false"}
    # A page store of its own: the checkout's holds pages other runs baked from other databases.
    env |= {"PAGE_STORE_DIR": str(tmp_path / "pages")}
    return env | {"SCHEDULE_TICK_SECONDS": TICK, "PYTHONUNBUFFERED": "1"}


def manage(env, *args: str) -> str:
    command = [sys.executable, "manage.py", *args]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    return done.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0  # not answering yet


@pytest.fixture
def server(tmp_path):
    """`make run`'s steps on a fresh SQLite file, then its runserver; stopped (its process group, by
    the id of the process started here) whatever happens."""
    env = make_run_env(tmp_path)
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo")
    port = free_port()
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while status(base + "/") != 200:
            up = process.poll() is None and time.monotonic() < deadline
            assert up, (tmp_path / "server.log").read_text()
            time.sleep(0.5)
        yield base, env, tmp_path / "server.log"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()


@pytest.mark.slow
def test_an_article_scheduled_a_minute_ahead_is_live_within_two_minutes(server):
    base, env, log = server
    due = float(manage(env, "shell", "-c", SCHEDULE).strip().splitlines()[-1])
    page = base + "/articles/tide-tables/"
    assert status(page) == 404  # not before its time

    seen = []
    while time.time() < due + 60 and (code := status(page)) != 200:
        seen.append(code)
        time.sleep(1)

    assert status(page) == 200, log.read_text()
    live_after = time.time() - due
    assert 0 <= live_after < 60, live_after  # within two minutes of scheduling it
    assert set(seen) == {404}
    # The schedule ran in the serving process only, not in the autoreloader's parent as well.
    assert log.read_text().count("this process runs the beat schedule") == 1
