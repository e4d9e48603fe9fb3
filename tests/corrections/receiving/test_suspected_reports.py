"""A report sent within seconds of opening the form is a reader's all the same: kept, answered with a
reference and a status page, held for the desk. Only the hidden field filled in is dropped."""

import time

import pytest
from django.core.cache import cache

from corrections.forms import form_token
from corrections.models import CorrectionRequest
from editorial.models import OutgoingEmail

URL = "/admin/corrections/correctionrequest/"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()


def send(client, article, *, seconds_after_opening: float, **fields):
    data = {
        "quoted_text": "The council approved 12 new homes",
        "explanation": "It was 14 homes, according to the council minutes.",
        "email": "sam@example.org",
        "website": "",
        "started": form_token(time.time() - seconds_after_opening),
        **fields,
    }
    return client.post(f"/articles/{article.slug}/corrections/new/", data)


def test_it_stores_a_report_sent_one_second_after_opening_the_form_and_shows_it_to_the_desk(
    client, published_article, erin
):
    response = send(client, published_article, seconds_after_opening=1)

    request = CorrectionRequest.objects.get()
    assert request.suspected_automated is True
    assert request.explanation == "It was 14 homes, according to the council minutes."
    assert response.status_code == 302
    assert response.headers["Location"] == request.get_status_url()
    page = client.get(response.headers["Location"]).content.decode()
    assert request.reference in page
    assert "Received: waiting for the corrections desk." in page

    client.force_login(erin)
    assert request.reference not in client.get(URL).content.decode()  # not in the queue...
    held = client.get(URL + "?state=suspected").content.decode()
    assert request.reference in held  # ...but held in plain view
    assert "Suspected automated or flood (1)" in held


def test_it_holds_the_acknowledgment_of_a_suspected_report(client, published_article):
    send(client, published_article, seconds_after_opening=1)
    assert not OutgoingEmail.objects.filter(template="correction-received").exists()


def test_it_stores_a_report_sent_after_the_fill_time_as_any_other(client, published_article):
    send(client, published_article, seconds_after_opening=30)
    assert CorrectionRequest.objects.get().suspected_automated is False
    assert OutgoingEmail.objects.filter(template="correction-received").count() == 1


def test_it_still_drops_a_filled_honeypot_even_when_slow(client, published_article):
    response = send(client, published_article, seconds_after_opening=30, website="http://spam.example")
    assert response.status_code == 200
    assert "Your report has been received." in response.content.decode()
    assert not CorrectionRequest.objects.exists()


def test_it_counts_a_suspected_report_against_the_rate_limit(client, published_article, settings):
    settings.CORRECTIONS_RATE_LIMIT = (1, 600)
    send(client, published_article, seconds_after_opening=1)
    response = send(client, published_article, seconds_after_opening=1)
    assert response.status_code == 429
    assert CorrectionRequest.objects.count() == 1
