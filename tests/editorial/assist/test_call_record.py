"""Every request to an external AI provider is on record before it leaves: one outbound call per HTTP
request, retries included, pending until it ends. Real HTTP to the fake server on 127.0.0.1."""

import pytest
from django.db.models import F

from editorial import services, tasks
from editorial.ai.openai_compat import OpenAIProvider
from editorial.models import AICall, AssistJob
from tests.factories import ArticleFactory
from tests.fake_llm import FakeLLM

BODY = "The council approved 12 new homes, the mayor said."


@pytest.fixture
def llm(settings):
    with FakeLLM() as server:
        settings.AI_PROVIDER, settings.AI_BASE_URL, settings.AI_MODEL = "openai", server.url, "fake-model"
        settings.AI_SEND_UNPUBLISHED = True
        yield server


@pytest.fixture
def article(alice, bob):
    return ArticleFactory(author=alice.person, editor=bob.person, body=BODY)


def run(article, by) -> AssistJob:
    job = services.ai_job_request(article, kind="claims", by=by)
    tasks.run_ai_assist_job(job.pk)
    job.refresh_from_db()
    return job


def test_it_writes_the_call_before_the_request_leaves(article, alice, llm, monkeypatch):
    on_record = []
    post = OpenAIProvider._post

    def watched(self, body, deadline):
        on_record.append(list(AICall.objects.values_list("status", "bytes_sent", "attempt", "finished_at")))
        return post(self, body, deadline)

    monkeypatch.setattr(OpenAIProvider, "_post", watched)
    job = run(article, alice)
    size = len(llm.requests[0].body)
    assert on_record == [[("pending", size, 1, None)]]
    call = AICall.objects.get()
    assert (call.job, call.status, call.bytes_sent, call.error, call.requested_by) == (
        job,
        AICall.Status.SUCCEEDED,
        size,
        "",
        alice,
    )
    assert (call.provider, call.model, call.input_sha256) == ("openai", "fake-model", job.input_sha256)
    assert call.finished_at >= call.at


def test_it_records_each_retry_as_a_call_of_its_own(article, alice, llm):
    llm.status(503).status(429).ok({"claims": []})
    job = run(article, alice)
    assert job.status == "succeeded"
    calls = list(AICall.objects.filter(job=job).order_by("at", "pk"))
    assert [(call.status, call.error) for call in calls] == [
        ("failed", "HTTP 503: Fake error 503."),
        ("failed", "HTTP 429: Fake error 429."),
        ("succeeded", ""),
    ]
    assert [call.bytes_sent for call in calls] == [len(request.body) for request in llm.requests]
    assert all(call.attempt == 1 and call.finished_at for call in calls)


def test_an_answered_call_stays_answered_when_the_output_is_rejected(article, alice, llm):
    llm.malformed()
    job = run(article, alice)
    assert (job.status, job.error) == ("failed", "The model's output is not valid JSON.")
    assert AICall.objects.get(job=job).status == AICall.Status.SUCCEEDED  # the request was answered


def test_the_local_provider_sends_nothing_and_records_no_call(article, alice, settings):
    settings.AI_PROVIDER = "local"
    assert run(article, alice).status == "succeeded"
    assert not AICall.objects.exists()


def test_the_admin_shows_each_calls_status_and_error(admin_client, article, alice, llm):
    llm.status(503).ok({"claims": []})
    job = run(article, alice)
    listing = admin_client.get("/admin/editorial/aicall/?status__exact=failed").content.decode()
    assert "HTTP 503: Fake error 503." in listing and "Failed" in listing
    page = admin_client.get(f"/admin/editorial/assistjob/{job.pk}/change/").content.decode()
    assert "Outbound calls" in page
    assert "Failed, " in page and "HTTP 503: Fake error 503." in page and "Answered, " in page


def test_a_worker_whose_job_was_taken_over_sends_no_more(article, alice, llm, monkeypatch):
    llm.status(503).ok({"claims": []})
    post = OpenAIProvider._post

    def taken_over_meanwhile(self, body, deadline):
        answer = post(self, body, deadline)
        AssistJob.objects.update(attempts=F("attempts") + 1)  # another worker's lease
        return answer

    monkeypatch.setattr(OpenAIProvider, "_post", taken_over_meanwhile)
    job = run(article, alice)
    assert (job.status, job.attempts) == ("running", 2)  # this attempt wrote nothing on the job
    assert len(llm.requests) == 1 and llm.pending == 1
    assert AICall.objects.get().status == AICall.Status.FAILED
