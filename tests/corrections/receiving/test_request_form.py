"""The reader's form: the happy path, and a clear answer (never a 5xx) for every bad input."""

import time
from unittest import mock

import pytest
from django.core import mail
from django.core.cache import cache

from corrections.forms import form_token
from corrections.models import CorrectionRequest
from editorial.models import OutgoingEmail


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()


def started(seconds_ago: float = 30) -> str:
    return form_token(time.time() - seconds_ago)


def report(client, article, **fields):
    data = {
        "quoted_text": "The council approved 12 new homes",
        "explanation": "It was 14 homes, according to the council minutes.",
        "evidence_url": "https://council.example.org/minutes/2026-11",
        "name": "Sam Reader",
        "email": "sam@example.org",
        "website": "",
        "started": started(),
        **fields,
    }
    return client.post(f"/articles/{article.slug}/corrections/new/", data)


def test_it_shows_the_form_with_the_quote_prefilled(client, published_article):
    response = client.get(f"/articles/{published_article.slug}/corrections/new/?quote=approved+12+new+homes")
    assert response.status_code == 200
    assert "approved 12 new homes</textarea>" in response.content.decode()


def test_it_links_every_article_to_the_form(client, published_article):
    html = client.get(published_article.get_absolute_url()).content.decode()
    assert f'href="/articles/{published_article.slug}/corrections/new/">Report an error</a>' in html


def test_it_stores_the_request_and_sends_the_reader_to_its_status_page(
    client, published_article, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = report(client, published_article)

    request = CorrectionRequest.objects.get()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/corrections/status/{request.status_token}/"
    assert (request.status, request.quote_found, request.email) == ("received", True, "sam@example.org")
    assert request.reference.startswith("CR-") and len(request.reference) == 11
    assert len(request.status_token) >= 40
    assert len(request.ip_hash) == 64 and "127.0.0.1" not in request.ip_hash
    assert OutgoingEmail.objects.filter(template="correction-received").count() == 1
    assert len(callbacks) == 1

    page = client.get(response.headers["Location"]).content.decode()
    assert request.reference in page
    assert "Received: waiting for the corrections desk." in page


def test_it_sends_no_email_without_an_address(client, published_article):
    report(client, published_article, email="")
    assert CorrectionRequest.objects.count() == 1
    assert not OutgoingEmail.objects.filter(template__startswith="correction").exists()
    assert mail.outbox == []


def test_it_flags_a_quote_that_is_not_in_the_article(client, published_article):
    report(client, published_article, quoted_text="The mayor resigned in disgrace")
    assert CorrectionRequest.objects.get().quote_found is False


def test_it_matches_quotes_whatever_the_typography(client, published_article):
    published_article.live_version.body = "The mayor said “it’s done” — twice."
    published_article.live_version.save()
    report(client, published_article, quoted_text='the mayor said "it\'s  done" - twice')
    assert CorrectionRequest.objects.get().quote_found is True


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"explanation": ""}, "Tell us what is wrong"),
        ({"explanation": "x" * 5001}, "Ensure this value has at most 5000 characters"),
        ({"quoted_text": "x" * 2001}, "Ensure this value has at most 2000 characters"),
        ({"evidence_url": "not a url at all"}, "cannot contain spaces"),
        ({"evidence_url": "javascript:alert(1)"}, "not a valid web address"),
        ({"evidence_url": "ftp://example.org/file"}, "starts with http:// or https://"),
        (
            {"email": "sam@example.org\nBcc: victim@example.org"},
            "We can only write to a normal e-mail address",
        ),
        ({"email": "not-an-email"}, "We can only write to a normal e-mail address"),
        ({"name": "Sam\r\nBcc: victim@example.org"}, "A name is one line."),
        ({"started": "forged"}, "This form could not be verified."),
    ],
)
def test_it_answers_bad_input_with_a_clear_message(client, published_article, fields, message):
    response = report(client, published_article, **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CorrectionRequest.objects.exists()


def test_it_asks_again_for_a_form_open_more_than_a_day(client, published_article):
    two_days_ago = time.time() - 2 * 86400
    with mock.patch("django.core.signing.time.time", return_value=two_days_ago):
        token = form_token(two_days_ago)
    response = report(client, published_article, started=token)
    assert response.status_code == 400
    assert "Check your report and send it again." in response.content.decode()
    assert "It was 14 homes" in response.content.decode()  # what the reader wrote is kept


def test_it_drops_a_filled_honeypot_quietly(client, published_article, caplog):
    response = report(client, published_article, website="http://spam.example")
    assert response.status_code == 200
    assert "Your report has been received." in response.content.decode()
    assert not CorrectionRequest.objects.exists()
    assert "dropped an automated-looking request" in caplog.text


def test_it_keeps_a_form_sent_too_fast_as_a_suspected_report(client, published_article):
    response = report(client, published_article, started=started(seconds_ago=0.5))
    request = CorrectionRequest.objects.get()
    assert response.status_code == 302
    assert response.headers["Location"] == request.get_status_url()
    assert request.suspected_automated is True


def test_it_refuses_an_oversized_body_before_reading_it(client, published_article):
    response = report(client, published_article, explanation="x" * 70_000)
    assert response.status_code == 413
    assert "too long to send" in response.content.decode()
    assert not CorrectionRequest.objects.exists()


def test_it_requires_csrf(published_article):
    from django.test import Client

    response = report(Client(enforce_csrf_checks=True), published_article)
    assert response.status_code == 403
    assert "Nothing was saved" in response.content.decode()
    assert not CorrectionRequest.objects.exists()


def test_it_escapes_script_payloads_everywhere(client, published_article):
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    response = report(client, published_article, explanation=payload, name=payload, quoted_text=payload)
    request = CorrectionRequest.objects.get()
    assert request.explanation == payload  # stored as written
    page = client.get(response.headers["Location"]).content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page
    email = OutgoingEmail.objects.get(template="correction-received")
    assert "<script>alert" not in email.body_html


def test_it_answers_404_for_an_article_that_is_not_live(client, alice):
    from tests.factories import ArticleFactory

    draft = ArticleFactory(author=alice.person)
    assert client.get(f"/articles/{draft.slug}/corrections/new/").status_code == 404


def test_it_answers_404_for_an_unknown_status_token(client, db):
    assert client.get("/corrections/status/not-a-real-token/").status_code == 404
