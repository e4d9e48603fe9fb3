"""Flat at scale: the same operations timed on the demo newsroom and on one of 100,000 articles.

    python bench/scale_bench.py            # makes both databases (PostgreSQL), prints the table
    python bench/scale_bench.py measure    # times the operations on DATABASE_URL, prints JSON

Each operation is timed in-process (median of BENCH_REPEAT runs, after two warm-up runs), as the staff
member or reader who does it: serving a baked page, baking one article's page, the admin's article list,
the change form and versions list of an article with 1,000 versions (3 in the demo), the review, claims
and corrections queues, and rendering the home page, a topic page and the sitemap.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
REPEAT = int(os.environ.get("BENCH_REPEAT", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
LIMIT = 1.5


def timed(action) -> float:
    """Milliseconds one run of `action` takes: the median of REPEAT samples, each of as many runs as
    fill 50 ms (a sub-millisecond action is timed over hundreds of runs)."""
    for _ in range(2):
        action()
    started, runs = time.perf_counter(), 0
    while time.perf_counter() - started < 0.05:
        action()
        runs += 1
    samples = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        for _ in range(runs):
            action()
        samples.append((time.perf_counter() - started) * 1000 / runs)
    return statistics.median(samples)


def operations() -> dict:
    """What is timed, as {name: action}; run inside a configured Django."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from articles import pages
    from articles.models import Article, Topic
    from editorial.demo_content import PUBLISHED_SLUG

    editor = Client()
    editor.force_login(get_user_model().objects.get(username="editor"))
    reader = Client()
    demo = Article.objects.get(slug=PUBLISHED_SLUG)
    longest = Article.objects.filter(slug="bench-article-1").first() or demo
    topic = Topic.objects.filter(slug="bench-topic-1").first() or Topic.objects.get(slug="energy")
    path = demo.get_absolute_url()
    reader.get(path)  # baked: served from the store from now on

    def get(client, url):
        def action():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return action

    def bake_article():
        pages.remove(path)
        pages.bake([path])

    def render(url):
        def action():
            assert pages.render(url).status_code == 200, url

        return action

    return {
        "serve a baked article page": get(reader, path),
        "bake one article page": bake_article,
        "admin article list": get(editor, "/admin/articles/article/"),
        "change form (most versions)": get(editor, f"/admin/articles/article/{longest.pk}/change/"),
        "versions list (most versions)": get(editor, f"/admin/articles/article/{longest.pk}/versions/"),
        "review queue": get(editor, "/admin/articles/reviewqueue/"),
        "claims queue": get(editor, "/admin/editorial/claim/"),
        "corrections queue": get(editor, "/admin/corrections/correctionrequest/"),
        "home page (render)": render("/"),
        "topic page (render)": render(topic.get_absolute_url()),
        "sitemap index (render)": render("/sitemap.xml"),
        "sitemap, first page (render)": render("/sitemap-articles.xml"),
    }


def measure() -> None:
    import django

    django.setup()
    print(json.dumps({name: timed(action) for name, action in operations().items()}))


# The baseline is the demo newsroom with enough articles to fill every list and one with 1,000 versions:
# the same pages, the same rows on them, so that what differs is only how many articles lie behind.
BASELINE = ["bench_seed", "--articles", "1000", "--topics", "20"]
SCALE = ["bench_seed", "--articles", "100000", "--topics", "50"]


def database(name: str, *, seed: list[str], env: dict) -> dict:
    """Make the database afresh and fill it; the environment that measures on it."""
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {**env, "DATABASE_URL": f"{SERVER}/{name}"}
    for step in [["migrate", "--noinput"], ["seed_demo"], seed]:
        subprocess.run([sys.executable, "manage.py", *step], cwd=ROOT, env=env, check=True,  # noqa: S603
                       capture_output=True)  # fmt: skip
    return env


def measured(env: dict) -> dict[str, float]:
    done = subprocess.run([sys.executable, __file__, "measure"], cwd=ROOT, env=env,  # noqa: S603
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode:
        raise SystemExit(f"measuring on {env['DATABASE_URL']} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="scale-bench-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "editorial.settings",
        "STAFF_REQUIRE_2FA": "false",
        "SCHEDULE_IN_PROCESS": "false",
        "DEBUG": "false",
        "BUILD_ID": "scale",
        "CONN_MAX_AGE": "60",
    }
    env.pop("REDIS_URL", None)
    small = database("newsroom_bench_demo", seed=BASELINE, env=env | {"PAGE_STORE_DIR": str(work / "demo")})
    large = database("newsroom_bench_scale", seed=SCALE, env=env | {"PAGE_STORE_DIR": str(work / "scale")})
    # Interleaved rounds: a burst of load on this shared machine falls on both sides alike.
    rounds: list[tuple[dict, dict]] = [(measured(small), measured(large)) for _ in range(ROUNDS)]
    print("Flat at scale: the demo newsroom with 1,000 articles (every list and sitemap page full) against")
    print("100,000 articles (1,000,000 versions, 10,000 corrections, 100,000 claims, 50,000 reports);")
    print(f"in-process, as the staff member or reader who does it; medians of {ROUNDS} interleaved rounds:")
    print(f"  {'operation':32} {'1k ms':>9} {'100k ms':>9} {'ratio':>6}")
    for name in rounds[0][0]:
        before = statistics.median(small_round[name] for small_round, _ in rounds)
        after = statistics.median(large_round[name] for _, large_round in rounds)
        flag = "" if after / before <= LIMIT else f"  over {LIMIT}x"
        print(f"  {name:32} {before:9.1f} {after:9.1f} {after / before:6.2f}{flag}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    if sys.argv[1:] == ["measure"]:
        measure()
    else:
        main()
