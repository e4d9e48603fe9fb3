"""The reader's form cannot be turned against readers or strangers: one showing of the form sends one
report, the acknowledgment quotes nothing the sender wrote and goes only to a normal public address, and
the links the desk is shown are what they look like."""

import re
import time

import pytest
from django.core.cache import cache

from corrections.forms import form_token
from corrections.models import CorrectionRequest
from editorial.models import OutgoingEmail


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()


def url(article) -> str:
    return f"/articles/{article.slug}/corrections/new/"


def shown_token(client, article) -> str:
    page = client.get(url(article)).content.decode()
    return re.search(r'name="started" value="([^"]+)"', page).group(1)


def report(**fields) -> dict:
    return {"explanation": "The council approved 14 homes, not 12.", **fields}


def test_one_showing_of_the_form_feeds_one_report(client, published_article, monkeypatch):
    token = shown_token(client, published_article)
    monkeypatch.setattr(time, "time", lambda real=time.time: real() + 60)  # read, then sent
    answers = [
        client.post(
            url(published_article),
            report(started=token, explanation=f"Point {i}."),
            REMOTE_ADDR=f"192.0.2.{i}",
        )  # fmt: skip
        for i in range(5)
    ]
    assert [a.status_code for a in answers] == [302] * 5
    stored = CorrectionRequest.objects.get()
    assert stored.explanation == "Point 0."
    assert {a.url for a in answers} == {stored.get_status_url()}  # the sender finds the report they sent
    page = client.get(answers[-1].url).content.decode()
    assert f"This report was already sent, with the reference {stored.reference}." in page


def test_a_refused_token_keeps_what_the_reader_typed_and_a_new_one_sends_it(client, published_article):
    tampered = form_token(time.time() - 60)[:-2] + "xx"
    response = client.post(url(published_article), report(started=tampered, name="Sam Reader"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "could not be verified" in page
    assert "The council approved 14 homes, not 12." in page and 'value="Sam Reader"' in page
    fresh = re.search(r'name="started" value="([^"]+)"', page).group(1)
    assert fresh != tampered
    assert client.post(url(published_article), report(started=fresh)).status_code == 302
    assert CorrectionRequest.objects.count() == 1


def test_the_acknowledgment_quotes_nothing_the_sender_wrote(client, published_article):
    spam = "Cheap watches at https://spam.example/buy, call +44 20 7946 0000"
    data = report(explanation=spam, name="Watch Seller", email="victim@example.org")
    assert (
        client.post(url(published_article), data | {"started": form_token(time.time() - 60)}).status_code
        == 302
    )
    email = OutgoingEmail.objects.get(template="correction-received")
    assert email.to == "victim@example.org"
    for text in (email.subject, email.body_text, email.body_html):
        assert "spam.example" not in text and "7946" not in text and "Watch Seller" not in text
    assert CorrectionRequest.objects.get().reference in email.body_text


@pytest.mark.parametrize(
    "address",
    [
        "a@localhost",
        "a@[127.0.0.1]",
        "a@[IPv6:::1]",
        '"a b"@example.org',
        "x@newsroom.test",
        "x@printer.local",
        "x@intranet",
        "a..b@example.org",
    ],
)
def test_it_writes_only_to_a_normal_public_address(client, published_article, address):
    data = report(email=address, started=form_token(time.time() - 60))
    response = client.post(url(published_article), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "We can only write to a normal e-mail address" in page or "Enter a valid email address." in page
    assert not CorrectionRequest.objects.exists()
    assert not OutgoingEmail.objects.filter(template="correction-received").exists()


@pytest.mark.parametrize(
    "link, message",
    [
        ('https://"<script>"@example.org/', "cannot contain a user name or password"),
        ("https://editor:secret@example.org/", "cannot contain a user name or password"),
        ("https://example.org@evil.example/", "cannot contain a user name or password"),
        ("https://exa\u202emple.org/report", "invisible characters"),
        ("https://example.org/\u200bpage", "invisible characters"),
        ("https://example.org/a\x07b", "invisible characters"),
        ("javascript:alert(1)", "not a valid web address"),
        ("ftp://example.org/", "http:// or https://"),
        ("https://exa_mple..org/", "not a valid"),
    ],
)
def test_evidence_links_that_could_mislead_the_desk_are_refused(client, published_article, link, message):
    response = client.post(
        url(published_article), report(evidence_url=link, started=form_token(time.time() - 60))
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CorrectionRequest.objects.exists()


@pytest.mark.parametrize(
    "link, stored",
    [
        (
            "https://Müller.example/Bericht?seite=ä#teil",
            "https://xn--mller-kva.example/Bericht?seite=%C3%A4#teil",
        ),
        ("HTTPS://Example.ORG", "https://example.org/"),
        ("example.org/report.pdf", "https://example.org/report.pdf"),
        ('https://example.org/"<b>"', "https://example.org/%22%3Cb%3E%22"),
    ],
)
def test_evidence_links_are_stored_in_normal_form(client, published_article, link, stored):
    data = report(evidence_url=link, started=form_token(time.time() - 60))
    assert client.post(url(published_article), data).status_code == 302
    assert CorrectionRequest.objects.get().evidence_url == stored
