"""Accepting a job's output: one service decides, by the job's kind, what accepting means."""

import pytest

from editorial import services
from tests.editorial.assist.jobs import BODY, finished
from tests.factories import ArticleFactory


@pytest.fixture
def article(alice, bob):
    return ArticleFactory(author=alice.person, editor=bob.person, body=BODY)


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
