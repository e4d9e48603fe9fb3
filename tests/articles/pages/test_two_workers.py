"""Zero stale pages after a commit: a correction accepted through the service is what every gunicorn
worker answers the moment the service returns, 100 requests to each of two worker processes."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection

from corrections import services as desk
from corrections.models import CorrectionRequest

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[3]
OLD, NEW = "12 new homes", "14 new homes"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our own server
            return response.status, response.headers.get("ETag", ""), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, "", ""
    except OSError:
        return 0, "", ""


@pytest.fixture
def gunicorn(settings, page_store, tmp_path):
    """gunicorn with two sync workers on the test database and this test's page store."""
    settings.BUILD_ID = "two-workers"
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"} | {
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "PAGE_STORE_DIR": str(page_store),
        "BUILD_ID": settings.BUILD_ID,
        "SITE_URL": settings.SITE_URL,
        "SCHEDULE_IN_PROCESS": "false",
    }
    port = free_port()
    access = tmp_path / "access.log"
    log = (tmp_path / "gunicorn.log").open("w")
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "editorial.wsgi:application", "--workers", "2",
         "--bind", f"127.0.0.1:{port}", "--access-logfile", str(access), "--access-logformat", "%(p)s %(U)s"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while fetch(f"http://127.0.0.1:{port}/healthz")[0] == 0:
            assert process.poll() is None and time.monotonic() < deadline, (
                tmp_path / "gunicorn.log"
            ).read_text()
            time.sleep(0.3)
        yield f"http://127.0.0.1:{port}", access
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()


def test_every_worker_answers_the_corrected_page_the_moment_the_service_returns(gunicorn, alice, bob, erin):
    from tests.factories import ArticleFactory
    from tests.publishing import publish

    base, access = gunicorn
    article = ArticleFactory(author=alice.person, editor=bob.person, body=f"The council approved {OLD}.")
    publish(article, author=alice, editor=bob)
    url = base + article.get_absolute_url()
    with ThreadPoolExecutor(4) as pool:  # both workers have served (and read from the store) the old page
        before = list(pool.map(fetch, [url] * 20))
    assert {(status, etag) for status, etag, _ in before} == {(200, before[0][1])}
    assert OLD in before[0][2]

    report = CorrectionRequest.objects.create(
        article=article, quoted_text=OLD, explanation="The minutes say 14.", ip_hash="x" * 64
    )
    desk.correction_accept(report, by=erin, body=article.live_version.body.replace(OLD, NEW),
                           kind="correction", note="The council approved 14 homes, not 12.")  # fmt: skip

    # Ask until each of the two workers has answered at least 100 times: every answer is the new page.
    served, answers, counts = access.stat().st_size, [], {}
    with ThreadPoolExecutor(4) as pool:
        while len(answers) < 2000 and (len(counts) < 2 or min(counts.values()) < 100):
            answers += pool.map(fetch, [url] * 50)
            pids = re.findall(r"^<(\d+)> ", access.read_text()[served:], re.M)  # %(p)s is "<pid>"
            counts = {pid: pids.count(pid) for pid in set(pids)}
    assert len(counts) == 2 and min(counts.values()) >= 100, counts
    stale = [
        etag for status, etag, body in answers if status != 200 or NEW not in body or etag == before[0][1]
    ]
    assert stale == [], f"{len(stale)} stale answers of {len(answers)}"
    assert len({etag for _, etag, _ in answers}) == 1
