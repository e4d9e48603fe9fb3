"""A job asked for in the admin runs (on a real worker through Redis, or in-process without Redis),
and its accepted output shows on the published page."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connections

from articles import services as article_services
from editorial.celery import app
from editorial.models import AssistJob
from tests.factories import ArticleFactory

BODY = (
    "The International Energy Agency said data centres used 415 terawatt-hours in 2024.\n\n"
    "Utilities in Ireland and the Netherlands are rationing new connections."
)


def ask(client, article, kind: str) -> AssistJob:
    response = client.post("/admin/editorial/assistjob/request/", {"article": article.pk, "kind": kind})
    assert response.status_code == 302
    return AssistJob.objects.get(article=article, kind=kind)


def accept_entities_and_publish(client, job, article, alice, bob):
    names = [entity["name"] for entity in job.output["entities"]]
    chosen = [i for i, name in enumerate(names) if name in ("International Energy Agency", "Ireland")]
    assert len(chosen) == 2, names
    response = client.post(f"/admin/editorial/assistjob/{job.pk}/accept/", {"items": chosen})
    assert response.status_code == 302
    article_services.article_submit(article, by=alice)
    article_services.article_approve(article, by=bob)
    article_services.article_publish(article, by=bob)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "The article connects 2 named entities across 2 semantic clusters." in html
    assert ">International Energy Agency</a>" in html and ">Ireland</a>" in html
    assert "Identifying the named entities in the text" in html


@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_job_runs_on_a_real_worker_and_its_output_goes_live(client, alice, bob):
    connections.settings["default"]["CONN_MAX_AGE"] = 0
    article = ArticleFactory(author=alice.person, editor=bob.person, body=BODY)
    client.force_login(bob)
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        job = ask(client, article, "entities")
        deadline = time.monotonic() + 30
        while job.status not in ("succeeded", "failed") and time.monotonic() < deadline:
            time.sleep(0.05)
            job.refresh_from_db()
    assert job.status == "succeeded", job.error
    status = client.get(f"/admin/editorial/assistjob/{job.pk}/status/").json()
    assert status == {"status": "succeeded", "label": "Succeeded", "progress": 100, "error": ""}
    accept_entities_and_publish(client, job, article, alice, bob)


@pytest.fixture
def in_process():
    """What settings.py does when REDIS_URL is unset: tasks run in-process once the request commits."""
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.mark.usefixtures("in_process")
def test_without_redis_the_job_runs_in_process(client, alice, bob, django_capture_on_commit_callbacks):
    article = ArticleFactory(author=alice.person, editor=bob.person, body=BODY)
    client.force_login(bob)
    with django_capture_on_commit_callbacks(execute=True):
        job = ask(client, article, "entities")
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    accept_entities_and_publish(client, job, article, alice, bob)


def test_the_job_page_shows_provider_output_as_text(client, alice, bob):
    article = ArticleFactory(author=alice.person, editor=bob.person, body=BODY)
    job = AssistJob.objects.create(
        article=article,
        version=article.history.latest(),
        kind="metadata",
        status="succeeded",
        provider="openai",
        model="m",
        prompt_version="p",
        input_sha256="0" * 64,
        requested_by=bob,
        output={
            "dek": "<script>alert(1)</script>",
            "seo_description": "<img src=x onerror=alert(1)>",
            "topics": [],
            "keywords": [],
        },
    )
    client.force_login(bob)
    html = client.get(f"/admin/editorial/assistjob/{job.pk}/change/").content.decode()
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_another_author_cannot_ask_for_or_see_jobs(client, alice, bob, dave):
    article = ArticleFactory(author=alice.person, editor=bob.person, body=BODY)
    client.force_login(dave)
    client.post("/admin/editorial/assistjob/request/", {"article": article.pk, "kind": "claims"})
    assert not AssistJob.objects.exists()
    job = AssistJob.objects.create(
        article=article,
        version=article.history.latest(),
        kind="claims",
        provider="local",
        model="m",
        prompt_version="p",
        input_sha256="0" * 64,
        requested_by=alice,
    )
    assert client.get(f"/admin/editorial/assistjob/{job.pk}/change/").status_code in (302, 403, 404)
    assert client.get(f"/admin/editorial/assistjob/{job.pk}/status/").status_code == 404


def test_the_article_list_asks_for_jobs_in_bulk(client, alice, bob, dave):
    mine = ArticleFactory(author=alice.person, editor=bob.person, body=BODY)
    other = ArticleFactory(author=dave.person, editor=bob.person, body=BODY)
    client.force_login(bob)
    response = client.post(
        "/admin/articles/article/", {"action": "ask_ai_claims", "_selected_action": [mine.pk, other.pk]}
    )
    assert response.status_code == 302
    assert AssistJob.objects.filter(kind="claims").count() == 2
