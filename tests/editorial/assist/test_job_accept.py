"""Accepting a job's output: one service decides, by the job's kind, what accepting means."""

import pytest

from editorial import services, tasks
from editorial.models import AssistJob
from tests.factories import ArticleFactory

BODY = (
    "The International Energy Agency said data centres used 415 terawatt-hours in 2024.\n\n"
    "Utilities in Ireland and the Netherlands are rationing new connections."
)


@pytest.fixture
def article(alice, bob):
    return ArticleFactory(author=alice.person, editor=bob.person, body=BODY)


def finished(article, kind: str, by) -> AssistJob:
    job = services.ai_job_request(article, kind=kind, by=by)
    tasks.run_ai_assist_job(job.pk)
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    return job


def test_it_queues_accepted_claims_and_says_how_many(article, alice, carol):
    job = finished(article, "claims", alice)
    assert job.output["claims"]
    done = services.ai_job_accept(job, by=carol, items=[0], fields=[])
    assert done == "1 claim(s) queued for checking"
    assert article.claims.count() == 1


def test_it_accepts_one_suggestion_at_a_time(article, alice):
    job = finished(article, "suggest", alice)
    with pytest.raises(services.AssistError, match="one suggestion at a time"):
        services.ai_job_accept(job, by=alice, items=[0, 1], fields=[])


def test_it_has_nothing_to_accept_from_a_quality_check(article, alice):
    job = finished(article, "quality", alice)
    with pytest.raises(services.AssistError, match="nothing to accept"):
        services.ai_job_accept(job, by=alice, items=[0], fields=[])
    job.refresh_from_db()
    assert job.accepted_at is None
