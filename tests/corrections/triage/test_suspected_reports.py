"""The desk's view of reports held as suspected automated: release one into the queue, or file it as spam,
through the services, each decision a version in the request's history."""

import pytest

from corrections import services
from corrections.models import CorrectionRequest
from editorial.models import OutgoingEmail

URL = "/admin/corrections/correctionrequest/"


@pytest.fixture
def held(published_article):
    return CorrectionRequest.objects.create(
        article=published_article, explanation="It was 14.", email="sam@example.org", ip_hash="x" * 64,
        suspected_automated=True,
    )  # fmt: skip


def test_it_releases_a_held_report_into_the_queue_and_acknowledges_it(client, erin, held):
    client.force_login(erin)
    response = client.post(URL + "?state=suspected", {"action": "release", "_selected_action": [held.pk]})
    assert response.status_code == 302

    held.refresh_from_db()
    assert held.suspected_automated is False and held.status == "received"
    assert held.reference in client.get(URL).content.decode()
    version = held.history.first()
    assert (version.history_user, version.history_change_reason) == (
        erin,
        "released from the held reports",
    )
    assert OutgoingEmail.objects.get(template="correction-received").to == "sam@example.org"


def test_it_files_a_held_report_as_spam(client, erin, held):
    client.force_login(erin)
    client.post(URL + "?state=suspected", {"action": "mark_spam", "_selected_action": [held.pk]})
    held.refresh_from_db()
    assert (held.status, held.decided_by) == ("spam", erin)
    assert held.history.first().history_user == erin
    assert held.reference not in client.get(URL + "?state=suspected").content.decode()
    assert not OutgoingEmail.objects.filter(template__startswith="correction").exists()


def test_it_says_why_a_report_cannot_be_released(client, erin, held, published_article):
    queued = CorrectionRequest.objects.create(article=published_article, explanation="x", ip_hash="y" * 64)
    client.force_login(erin)
    response = client.post(URL, {"action": "release", "_selected_action": [queued.pk]}, follow=True)
    assert f"{queued.reference}: {queued.reference} is not held as a suspected automated report." in (
        response.content.decode()
    )


def test_it_releases_a_held_report_the_desk_takes_up_for_review(erin, held):
    services.correction_request_mark(held, status=CorrectionRequest.Status.IN_REVIEW, by=erin)
    held.refresh_from_db()
    assert (held.status, held.suspected_automated) == ("in_review", False)
    assert OutgoingEmail.objects.get(template="correction-received").to == "sam@example.org"


def test_it_lets_only_the_desk_release(alice, held):
    with pytest.raises(services.CorrectionError, match="Only the corrections desk"):
        services.correction_request_release(held, by=alice)
    held.refresh_from_db()
    assert held.suspected_automated is True


def test_it_refuses_to_release_a_decided_report(erin, held):
    services.correction_request_mark(held, status=CorrectionRequest.Status.SPAM, by=erin)
    with pytest.raises(services.CorrectionError, match="already spam"):
        services.correction_request_release(held, by=erin)
