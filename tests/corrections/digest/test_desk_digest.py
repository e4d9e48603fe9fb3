"""The corrections desk hears of new reports: one digest per interval, each report in exactly one digest,
the e-mails rows in the outbox first (so a down broker or SMTP server delays them, never loses them)."""

import os
import subprocess
import sys
from datetime import timedelta
from unittest import mock

from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from corrections import services, tasks
from corrections.models import CorrectionDigest, CorrectionRequest
from editorial.models import OutgoingEmail
from editorial.roles import ROLES
from tests.factories import UserFactory


def new_report(article, explanation="It was 14 homes.", **fields) -> CorrectionRequest:
    return CorrectionRequest.objects.create(
        article=article, explanation=explanation, ip_hash="x" * 64, **fields
    )


def digests():
    return OutgoingEmail.objects.filter(template="corrections-digest")


def test_it_sends_one_digest_listing_the_new_reports_to_each_desk_member(erin, published_article):
    other = UserFactory(username="frank")
    other.groups.add(Group.objects.get(name="Corrections desk"))
    first = new_report(published_article)
    held = new_report(published_article, explanation="Buy cheap watches", suspected_automated=True)

    digest = services.correction_digest_send()

    assert sorted(digests().values_list("to", flat=True)) == ["erin@example.com", "frank@example.com"]
    email = digests().get(to="erin@example.com")
    assert email.subject == "2 new correction requests (1 suspected automated)"
    assert first.reference in email.body_text and held.reference in email.body_text
    assert email.body_text.index(first.reference) < email.body_text.index("Suspected automated")
    assert email.body_text.index("Suspected automated") < email.body_text.index(held.reference)
    assert f"/admin/corrections/correctionrequest/{first.pk}/change/" in email.body_html
    assert sorted(e.request_id for e in digest.entries.all()) == [first.pk, held.pk]


def test_it_lists_each_report_in_exactly_one_digest(erin, published_article):
    first = new_report(published_article)
    services.correction_digest_send()
    second = new_report(published_article)

    services.correction_digest_send()

    latest = digests().order_by("-pk").first()
    assert second.reference in latest.body_text and first.reference not in latest.body_text
    assert services.correction_digest_send() is None  # nothing new: no empty digest
    assert digests().count() == 2


def test_it_keeps_the_reports_for_the_next_digest_when_nobody_can_be_told(published_article, caplog):
    report = new_report(published_article)  # no desk member yet
    assert services.correction_digest_send() is None
    assert "nobody to send 1 new request(s) to" in caplog.text

    UserFactory(username="gina").groups.add(Group.objects.get(name="Corrections desk"))
    services.correction_digest_send()
    assert report.reference in digests().get(to="gina@example.com").body_text


def test_it_sends_to_the_configured_addresses_instead(erin, published_article, settings):
    settings.CORRECTIONS_DIGEST_TO = ["desk@example.org"]
    new_report(published_article)
    services.correction_digest_send()
    assert list(digests().values_list("to", flat=True)) == ["desk@example.org"]


def test_it_records_the_digest_even_when_the_broker_is_down(
    erin, published_article, django_capture_on_commit_callbacks
):
    report = new_report(published_article)
    with (
        mock.patch("editorial.celery.registered", side_effect=ConnectionError("broker down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.correction_digest_send()

    email = digests().get()
    assert email.status == OutgoingEmail.Status.QUEUED  # the outbox sweeper sends it later
    assert CorrectionRequest.objects.undigested().count() == 0
    assert report.digested.digest.recipients == "erin@example.com"


def test_it_waits_for_the_interval_between_digests(erin, published_article, settings):
    settings.CORRECTIONS_DIGEST_MINUTES = 60
    new_report(published_article)
    assert tasks.send_corrections_digest() == 1
    new_report(published_article)
    assert tasks.send_corrections_digest() == 0  # too soon: the report waits

    CorrectionDigest.objects.update(created_at=timezone.now() - timedelta(minutes=61))
    assert tasks.send_corrections_digest() == 1
    assert digests().count() == 2


def test_it_runs_from_beat_and_from_the_command(erin, published_article, capsys):
    from editorial.celery import app, registered

    entry = app.conf.beat_schedule["send-corrections-digest"]
    assert registered(entry["task"]).name == "corrections.tasks.send_corrections_digest"

    new_report(published_article)
    call_command("send_corrections_digest")
    assert "Digest sent to 1 address(es), listing 1 request(s)." in capsys.readouterr().out
    call_command("send_corrections_digest", "--if-due")
    assert "Not due" in capsys.readouterr().out


def test_it_sends_to_the_group_the_roles_define():
    assert services.DESK_GROUP in ROLES


def test_it_refuses_a_digest_interval_below_a_minute():
    env = {**os.environ, "CORRECTIONS_DIGEST_MINUTES": "0"}
    run = subprocess.run(
        [sys.executable, "-c", "import editorial.settings"], env=env, capture_output=True, text=True
    )
    assert run.returncode != 0
    assert "CORRECTIONS_DIGEST_MINUTES must be at least 1." in run.stderr
