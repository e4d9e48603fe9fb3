"""Readers are shown one title for an article: the one they saw (Article.public_title), never a working
title nobody has approved yet."""

import xml.etree.ElementTree as ET

import pytest

from articles import services as article_services
from corrections import services
from corrections.models import CorrectionRequest
from editorial.models import OutgoingEmail
from tests.factories import ArticleFactory

OLD = "The council approved 12 new homes, the mayor said."
LIVE_TITLE = "Council approves homes"
WORKING_TITLE = "An unapproved working title"


@pytest.fixture
def corrected(alice, bob, erin):
    """A live article with a published correction, then edited: its working title is not public."""
    article = ArticleFactory(author=alice.person, editor=bob.person, title=LIVE_TITLE, body=OLD)
    article_services.article_submit(article, by=alice)
    article_services.article_approve(article, by=bob)
    article_services.article_publish(article, by=bob)
    request_ = CorrectionRequest.objects.create(
        article=article, quoted_text="12 new homes", quote_found=True, ip_hash="x" * 64,
        explanation="The minutes say 14.", email="sam@example.org",
    )  # fmt: skip
    services.correction_accept(
        request_, by=erin, body=OLD.replace("12", "14"), kind="correction", note="It is 14 homes."
    )
    article.refresh_from_db()
    article.title = WORKING_TITLE
    article_services.article_save(article, by=alice, reason="New headline")
    request_.refresh_from_db()
    return request_


def _shows_the_live_title(text: str) -> None:
    assert LIVE_TITLE in text
    assert WORKING_TITLE not in text


def test_the_public_title_is_the_live_versions(corrected):
    assert corrected.article.public_title == LIVE_TITLE


def test_the_corrections_log_its_feed_and_the_status_page_show_the_live_title(client, corrected):
    _shows_the_live_title(client.get("/corrections/").content.decode())
    items = ET.fromstring(client.get("/corrections/feed/").content).findall("./channel/item")
    assert [item.findtext("title") for item in items] == [f"Correction: {LIVE_TITLE}"]
    _shows_the_live_title(client.get(corrected.get_status_url()).content.decode())
    _shows_the_live_title(client.get(f"/articles/{corrected.article.slug}/changes/").content.decode())


def test_once_unpublished_readers_are_shown_the_title_they_last_saw(client, corrected, bob):
    article_services.article_unpublish(corrected.article, by=bob, reason="Legal review")
    corrected.article.refresh_from_db()
    assert corrected.article.public_title == LIVE_TITLE
    _shows_the_live_title(client.get("/corrections/").content.decode())
    _shows_the_live_title(client.get(corrected.get_status_url()).content.decode())


def test_the_e_mails_to_the_reader_name_the_live_title(corrected, erin):
    request_ = CorrectionRequest.objects.create(
        article=corrected.article, ip_hash="y" * 64, explanation="Another point.", email="kim@example.org"
    )
    services.correction_decline(request_, by=erin, reply="The article is right as it stands.")
    mail = OutgoingEmail.objects.filter(to="kim@example.org").latest("pk")
    _shows_the_live_title(mail.subject + mail.body_text)


def test_an_article_never_published_has_only_its_working_title(alice):
    assert ArticleFactory(author=alice.person, title="A draft").public_title == "A draft"
