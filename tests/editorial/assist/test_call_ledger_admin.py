"""Editors read the ledger of outbound AI calls in the back office; nobody changes it, and opening a call
is on the audit trail."""

from datetime import timedelta

import pytest

from editorial.models import AICall, AssistJob, AuditEvent
from tests.factories import ArticleFactory, UserFactory


@pytest.fixture
def call(alice, bob):
    article = ArticleFactory(author=alice.person, editor=bob.person, title="Draft on rents")
    job = AssistJob.objects.create(
        article=article,
        version=article.history.get(),
        kind=AssistJob.Kind.CLAIMS,
        provider="openai",
        model="gpt-news",
        prompt_version="1",
        input_sha256="a" * 64,
        requested_by=alice,
    )
    call = AICall.objects.create(
        job=job,
        provider="openai",
        model="gpt-news",
        bytes_sent=2048,
        input_sha256=job.input_sha256,
        requested_by=alice,
        status=AICall.Status.FAILED,
        error="HTTP 429 from the provider",
    )
    AICall.objects.filter(pk=call.pk).update(finished_at=call.at + timedelta(seconds=1.5))
    return call


def test_editors_find_the_ledger_on_the_index(client, bob, call):
    client.force_login(bob)
    assert "/admin/editorial/aicall/" in client.get("/admin/").content.decode()


def test_the_list_shows_each_call_with_its_job_and_outcome(client, bob, call):
    client.force_login(bob)
    html = client.get("/admin/editorial/aicall/").content.decode()
    assert f'href="/admin/editorial/assistjob/{call.job_id}/change/"' in html
    for text in ("gpt-news", "Failed", "1.5 s", "2048", "HTTP 429 from the provider", "alice"):
        assert text in html


def test_the_job_page_links_its_calls(client, bob, call):
    client.force_login(bob)
    html = client.get(f"/admin/editorial/assistjob/{call.job_id}/change/").content.decode()
    ledger = f"/admin/editorial/aicall/?job__id__exact={call.job_id}"
    assert ledger in html
    assert "2048" in client.get(ledger).content.decode()


@pytest.mark.parametrize("url", ["/admin/editorial/aicall/", "/admin/editorial/aicall/{pk}/change/"])
def test_authors_and_checkers_do_not_see_it(client, alice, carol, call, url):
    for user in (alice, carol):
        client.force_login(user)
        assert client.get(url.format(pk=call.pk)).status_code in (302, 403)


def test_nobody_adds_changes_or_deletes_a_call(client, call):
    root = UserFactory(username="root", is_superuser=True)
    client.force_login(root)
    assert client.get("/admin/editorial/aicall/add/").status_code == 403
    assert client.post(f"/admin/editorial/aicall/{call.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post(f"/admin/editorial/aicall/{call.pk}/change/", {"error": "tidied"})
    call.refresh_from_db()
    assert call.error == "HTTP 429 from the provider"
    assert AICall.objects.count() == 1


def test_opening_a_call_is_on_the_audit_trail(client, bob, call):
    client.force_login(bob)
    assert client.get(f"/admin/editorial/aicall/{call.pk}/change/").status_code == 200
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.VIEWED, user=bob)
    assert (event.object_type, event.object_id) == ("editorial.aicall", str(call.pk))
