"""A Redis outage costs readers nothing: with the broker and cache stopped, gunicorn answers reports and the
published page at once, every report is stored, and every acknowledgment goes out within a minute of
Redis coming back (a real Celery worker with its beat, on a Redis server of this test's own)."""

import os
import re
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from django.db import connection

from bench.servers import Redis, free_port
from corrections.models import CorrectionRequest
from editorial.models import OutgoingEmail
from tests.factories import ArticleFactory
from tests.publishing import publish

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),  # the roles a migration made
]

ROOT = Path(__file__).resolve().parents[3]
REPORTS = 50


def wait_for(predicate, timeout: float, what: str) -> float:
    """Seconds it took for `predicate` to hold; fails after `timeout`."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if predicate():
            return time.monotonic() - start
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def spawn(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603
        command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture
def newsroom(tmp_path, page_store, settings):
    """gunicorn (2 sync workers) and a Celery worker with its beat, on the test database and this
    test's Redis."""
    redis = Redis(tmp_path)
    redis.start()
    db = connection.settings_dict
    env = os.environ | {
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": redis.url,
        "PAGE_STORE_DIR": str(page_store),
        "BUILD_ID": settings.BUILD_ID or "outage",
        "SCHEDULE_IN_PROCESS": "false",
        "CORRECTIONS_PER_ADDRESS": "1000",  # every report comes from this one address
    }
    port = free_port()
    web = spawn([sys.executable, "-m", "gunicorn", "editorial.wsgi:application", "--workers", "2",
                 "--bind", f"127.0.0.1:{port}"], env, tmp_path / "gunicorn.log")  # fmt: skip
    worker = spawn([sys.executable, "-m", "celery", "-A", "editorial", "worker", "-B", "-s",
                    str(tmp_path / "beat-schedule"), "-Q", "default,mail,factcheck,ai", "--pool", "solo",
                    "--without-gossip", "--without-mingle", "--loglevel", "INFO"],
                   env, tmp_path / "worker.log")  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:

        def healthy() -> bool:
            try:
                return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(healthy, 60, "gunicorn")
        yield base, redis
    finally:
        stop(web)
        stop(worker)
        redis.stop()
        print((tmp_path / "worker.log").read_text()[-3000:])  # shown when the test fails


def form(client: httpx.Client, url: str) -> dict:
    page = client.get(url).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    started = re.search(r'name="started" value="([^"]+)"', page).group(1)
    return {"csrfmiddlewaretoken": token, "started": started}


def timed(call) -> tuple[float, httpx.Response]:
    start = time.perf_counter()
    response = call()
    return time.perf_counter() - start, response


def test_a_redis_outage_costs_readers_nothing_and_loses_no_acknowledgment(newsroom, alice, bob):
    base, redis = newsroom
    article = ArticleFactory(author=alice.person, editor=bob.person, body="The council approved 12 homes.")
    publish(article, author=alice, editor=bob)
    page_url, form_url = base + article.get_absolute_url(), f"{base}/articles/{article.slug}/corrections/new/"

    with httpx.Client(timeout=30, headers={"Referer": base + "/"}) as client:
        assert client.get(page_url).status_code == 200
        forms = [form(client, form_url) for _ in range(REPORTS)]
        time.sleep(3.5)  # a person reads the form before sending it (no report is held as too fast)
        redis.stop()
        assert not redis.answers()

        def report(i: int) -> tuple[float, httpx.Response]:
            data = forms[i] | {
                "explanation": f"Point {i}: it was 14 homes.",
                "email": f"reader{i}@example.org",
            }
            return timed(lambda: client.post(form_url, data=data))

        def read(_) -> tuple[float, httpx.Response]:
            return timed(lambda: client.get(page_url))

        with ThreadPoolExecutor(2) as pool:  # as many readers at once as gunicorn has workers
            posts = list(pool.map(report, range(REPORTS)))
            reads = list(pool.map(read, range(REPORTS)))

    assert [r.status_code for _, r in posts] == [302] * REPORTS, [r.text[:300] for _, r in posts]
    assert [r.status_code for _, r in reads] == [200] * REPORTS
    slowest_post, slowest_read = max(t for t, _ in posts), max(t for t, _ in reads)
    print("reports (ms):", sorted(round(t * 1000) for t, _ in posts))
    print("article page (ms):", sorted(round(t * 1000) for t, _ in reads))
    print("posts (ms):", sorted(round(t * 1000) for t, _ in posts))
    print("reads (ms):", sorted(round(t * 1000) for t, _ in reads))
    assert slowest_post < 0.2, f"a report took {slowest_post * 1000:.0f} ms with Redis down"
    assert slowest_read < 0.05, f"the article page took {slowest_read * 1000:.0f} ms with Redis down"
    assert CorrectionRequest.objects.filter(article=article, suspected_automated=False).count() == REPORTS
    acknowledgments = OutgoingEmail.objects.filter(template="correction-received")
    assert acknowledgments.count() == REPORTS
    assert acknowledgments.filter(status="queued").count() == REPORTS  # nothing could be sent yet

    time.sleep(5)  # down for a while longer: every web worker has paused, the Celery worker is retrying
    redis.start()
    took = wait_for(
        lambda: acknowledgments.filter(status="sent").count() == REPORTS, 60, "the acknowledgments"
    )
    print(f"all {REPORTS} acknowledgments sent {took:.1f} s after Redis came back")
