"""The AI data policy holds when the job runs, not only when it is asked for: the worker checks it against
the provider it really calls and the article as it stands then, and again right before each request
leaves. Real HTTP to the fake OpenAI-compatible server on 127.0.0.1 (tests/fake_llm.py)."""

import time

import pytest

from articles import services as article_services
from editorial import services, tasks
from editorial.ai.openai_compat import OpenAIProvider
from editorial.celery import app
from editorial.models import AICall, AssistJob
from tests.editorial.assist.test_worker_crash import start_worker, stop, wait_for
from tests.factories import ArticleFactory
from tests.fake_llm import FakeLLM

BODY = "The council approved 12 new homes, the mayor said."
REFUSED = "Refused: this text is not published, and AI_SEND_UNPUBLISHED is off, so it is not sent to openai."


@pytest.fixture
def llm():
    with FakeLLM() as server:
        yield server


@pytest.fixture
def article(alice, bob):
    return ArticleFactory(author=alice.person, editor=bob.person, body=BODY)


def publish(article, alice, bob) -> None:
    article_services.article_submit(article, by=alice)
    article_services.article_approve(article, by=bob)
    article_services.article_publish(article, by=bob)


def external(settings, llm) -> None:
    """The worker's configuration: the OpenAI-compatible provider, unpublished text kept in."""
    settings.AI_PROVIDER, settings.AI_BASE_URL, settings.AI_MODEL = "openai", llm.url, "fake-model"
    settings.AI_SEND_UNPUBLISHED = False


def run(job) -> AssistJob:
    tasks.run_ai_assist_job(job.pk)
    job.refresh_from_db()
    return job


def assert_refused(job, llm) -> None:
    job = run(job)
    assert (job.status, job.error, job.provider) == ("failed", REFUSED, "openai")
    assert llm.requests == []  # nothing was sent: no request, no byte
    assert not AICall.objects.exists()
    assert run(job).status == "failed"  # and it is not tried again


def test_it_refuses_a_draft_asked_for_under_the_local_provider_on_a_worker_that_calls_out(
    article, alice, llm, settings
):
    settings.AI_PROVIDER = "local"
    job = services.ai_job_request(article, kind="claims", by=alice)  # the request-time check passes
    assert job.provider == "local"
    external(settings, llm)
    assert_refused(job, llm)


def test_it_refuses_a_draft_asked_for_while_unpublished_text_was_allowed(article, alice, llm, settings):
    external(settings, llm)
    settings.AI_SEND_UNPUBLISHED = True
    job = services.ai_job_request(article, kind="claims", by=alice)
    settings.AI_SEND_UNPUBLISHED = False
    assert_refused(job, llm)


def test_it_refuses_text_unpublished_after_the_request(article, alice, bob, llm, settings):
    publish(article, alice, bob)
    external(settings, llm)
    job = services.ai_job_request(article, kind="claims", by=alice)  # published: allowed
    article_services.article_unpublish(article, by=bob, reason="Legal review")
    assert_refused(job, llm)


def test_it_refuses_text_replaced_on_the_site_after_the_request(article, alice, bob, llm, settings):
    publish(article, alice, bob)
    external(settings, llm)
    job = services.ai_job_request(article, kind="claims", by=alice)
    article.body = "The council approved 14 new homes, the mayor said."
    article.save()
    publish(article, alice, bob)  # readers now see other text than the job's
    assert_refused(job, llm)


def test_it_sends_the_published_text_even_while_a_later_draft_waits(article, alice, bob, llm, settings):
    publish(article, alice, bob)
    external(settings, llm)
    job = services.ai_job_request(article, kind="claims", by=alice)
    article.body = "A draft nobody outside has seen."
    article.save()
    job = run(job)
    assert (job.status, job.output) == ("succeeded", {"claims": []})
    (request,) = llm.requests
    assert request.article["body"] == BODY
    assert AICall.objects.get(job=job).status == AICall.Status.SUCCEEDED


def test_it_checks_again_before_each_retry(article, alice, bob, llm, settings, monkeypatch):
    publish(article, alice, bob)
    external(settings, llm)
    llm.status(503).ok({"claims": []})
    post = OpenAIProvider._post

    def unpublished_meanwhile(self, body, deadline):
        answer = post(self, body, deadline)
        if len(llm.requests) == 1:  # taken off the site while the provider waits to retry
            article_services.article_unpublish(article, by=bob, reason="Legal review")
        return answer

    monkeypatch.setattr(OpenAIProvider, "_post", unpublished_meanwhile)
    job = run(services.ai_job_request(article, kind="claims", by=alice))
    assert (job.status, job.error) == ("failed", REFUSED)
    assert len(llm.requests) == 1 and llm.pending == 1  # the retry never left
    call = AICall.objects.get(job=job)
    assert (call.status, call.error, call.bytes_sent) == (
        AICall.Status.FAILED,
        "HTTP 503: Fake error 503.",
        len(llm.requests[0].body),
    )


def test_the_request_time_check_gives_the_same_reason_at_once(article, alice, llm, settings):
    external(settings, llm)
    with pytest.raises(services.AssistError) as refused:
        services.ai_job_request(article, kind="claims", by=alice)
    assert str(refused.value) == REFUSED
    assert not AssistJob.objects.exists()


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_process_configured_for_an_external_provider_refuses_a_draft(alice, bob, settings):
    article = ArticleFactory(author=alice.person, editor=bob.person, body=BODY)
    app.control.purge()
    with FakeLLM() as llm:
        worker = start_worker("policy", llm, AI_SEND_UNPUBLISHED="false")
        try:
            # Asked for here, under the local provider; run there, by a worker that would call out.
            job = services.ai_job_request(article, kind="claims", by=alice)
            assert job.provider == "local"
            wait_for(lambda: AssistJob.objects.get(pk=job.pk).status == "failed", 60, "the job to be refused")
            time.sleep(0.5)  # time enough for a request the worker should not send
        finally:
            log = stop(worker)
        job.refresh_from_db()
        assert (job.status, job.error, job.provider) == ("failed", REFUSED, "openai"), log
        assert llm.requests == []
    assert not AICall.objects.filter(job=job).exists()
