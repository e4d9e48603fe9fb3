"""Seeing what readers have not seen leaves a row: who, what, when. Public pages leave none."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from corrections.models import CorrectionRequest
from editorial.models import AssistJob, AuditEvent
from tests.factories import ArticleFactory


@pytest.fixture
def article(alice, bob):
    return ArticleFactory(author=alice.person, editor=bob.person, title="Draft on rents")


def viewed(user):
    return list(
        AuditEvent.objects.filter(kind=AuditEvent.Kind.VIEWED, user=user).values_list(
            "object_type", "object_id"
        )
    )


def test_it_records_a_view_of_a_draft(client, article, bob):
    client.force_login(bob)
    client.get(f"/admin/articles/article/{article.pk}/change/")
    assert viewed(bob) == [("articles.article", str(article.pk))]
    event = AuditEvent.objects.get(user=bob, kind=AuditEvent.Kind.VIEWED)
    assert event.path == f"/admin/articles/article/{article.pk}/change/"
    assert event.ip_address == "127.0.0.1"


@pytest.mark.parametrize("page", ["versions/", "compare/", "history/", "workflow/submit/"])
def test_it_records_views_of_versions_and_comparisons(client, article, alice, page):
    client.force_login(alice)
    assert client.get(f"/admin/articles/article/{article.pk}/{page}").status_code == 200
    assert viewed(alice) == [("articles.article", str(article.pk))]


def test_it_records_which_version_was_seen(client, article, carol):
    record = article.history.get()
    client.force_login(carol)
    client.get(f"/admin/articles/article/{article.pk}/history/{record.history_id}/")
    assert AuditEvent.objects.get(user=carol, kind=AuditEvent.Kind.VIEWED).detail.endswith(
        f"version {record.history_id}"
    )


def test_it_records_a_view_of_an_ai_jobs_output(client, article, alice):
    job = AssistJob.objects.create(
        article=article,
        version=article.history.get(),
        kind=AssistJob.Kind.QUALITY,
        provider="local",
        model="rules",
        prompt_version="1",
        input_sha256="0" * 64,
        requested_by=alice,
    )
    client.force_login(alice)
    client.get(f"/admin/editorial/assistjob/{job.pk}/change/")
    assert viewed(alice) == [("editorial.assistjob", str(job.pk))]


def test_it_records_a_view_of_a_readers_report(client, article, erin):
    report = CorrectionRequest.objects.create(article=article, explanation="Wrong figure.", ip_hash="x")
    client.force_login(erin)
    client.get(f"/admin/corrections/correctionrequest/{report.pk}/change/")
    assert viewed(erin) == [("corrections.correctionrequest", str(report.pk))]


def test_it_records_nothing_for_a_refused_view(client, article, dave):
    client.force_login(dave)
    client.get(f"/admin/articles/article/{article.pk}/compare/")
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.VIEWED).exists()


def test_it_records_nothing_on_public_pages_and_lists(client, published_article, bob):
    client.force_login(bob)
    client.get(published_article.get_absolute_url())
    client.get("/")
    client.get("/admin/articles/article/")
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.VIEWED).exists()


def test_it_costs_one_insert(client, article, bob):
    client.force_login(bob)
    url = f"/admin/articles/article/{article.pk}/versions/"
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    inserts = [q["sql"] for q in queries.captured_queries if "editorial_auditevent" in q["sql"]]
    assert len(inserts) == 1 and inserts[0].startswith("INSERT")


def test_editors_read_the_trail_and_nobody_edits_it(client, article, bob, alice):
    client.force_login(alice)
    client.get(f"/admin/articles/article/{article.pk}/change/")
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.VIEWED)
    client.force_login(bob)
    assert "alice" in client.get("/admin/editorial/auditevent/").content.decode()
    assert client.post(f"/admin/editorial/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    client.force_login(alice)
    assert client.get("/admin/editorial/auditevent/").status_code == 403
