"""Publishing over the gate takes a real reason, and not the one given last time."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles import hooks, services
from articles.gate import Problem
from articles.models import Article
from articles.services import ArticleActionError
from tests.factories import ArticleFactory

REASON = "The council confirmed the figures by phone this morning."


@pytest.fixture
def unchecked_claims():
    def claims_unverified(article):
        yield Problem("2 check-worthy claims have no verdict.")

    with hooks.register_temporarily(hooks.PUBLISH_CHECKS, claims_unverified):
        yield


@pytest.fixture
def approved(alice, bob):
    article = ArticleFactory(author=alice.person, editor=bob.person)
    services.article_submit(article, by=alice)
    return services.article_approve(article, by=bob)


def again(article, alice, bob) -> Article:
    """Send the article round the workflow once more, up to a new approval."""
    services.article_submit(article, by=alice)
    return services.article_approve(article, by=bob)


@pytest.mark.parametrize(
    "reason", ["x", "In a hurry", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "ok ok ok ok ok ok ok ok"]
)
def test_it_refuses_a_reason_that_is_not_a_sentence(approved, bob, unchecked_claims, reason):
    with pytest.raises(ArticleActionError, match="as a sentence of at least 20 characters"):
        services.article_publish(approved, by=bob, override_reason=reason)
    approved.refresh_from_db()
    assert approved.live_version is None


def test_it_reads_the_minimum_from_the_settings(approved, bob, unchecked_claims, settings):
    settings.GATE_OVERRIDE_MIN_LENGTH = 80
    with pytest.raises(ArticleActionError, match="at least 80 characters"):
        services.article_publish(approved, by=bob, override_reason=REASON)


def test_it_accepts_a_real_reason_where_a_word_was_refused(approved, bob, unchecked_claims):
    with pytest.raises(ArticleActionError, match="Cannot override the gate with that reason"):
        services.article_publish(approved, by=bob, override_reason="Trust me")
    services.article_publish(approved, by=bob, override_reason=REASON)
    assert approved.is_live
    assert approved.transitions.last().override_reason == REASON


def test_it_refuses_the_reason_given_last_time(approved, alice, bob, unchecked_claims):
    services.article_publish(approved, by=bob, override_reason=REASON)
    again(approved, alice, bob)
    with pytest.raises(ArticleActionError, match="the reason given for this article's last override"):
        services.article_publish(approved, by=bob, override_reason="  " + REASON.upper().replace(" ", "   "))
    services.article_publish(
        approved, by=bob, override_reason="The figures were re-checked against the minutes."
    )
    assert approved.transitions.last().override_reason == "The figures were re-checked against the minutes."


def test_a_schedule_needs_a_new_reason_and_its_publication_keeps_it(approved, alice, bob, unchecked_claims):
    services.article_publish(approved, by=bob, override_reason=REASON)
    again(approved, alice, bob)
    when = timezone.now() + timedelta(minutes=5)
    with pytest.raises(ArticleActionError, match="last override"):
        services.article_schedule(approved, by=bob, when=when, override_reason=REASON)
    with pytest.raises(ArticleActionError, match="as a sentence"):
        services.article_schedule(approved, by=bob, when=when, override_reason="Later")
    later = "The desk confirmed the new figures with the council."
    services.article_schedule(approved, by=bob, when=when, override_reason=later)

    # The publication reuses the schedule's reason: that is not "the same as last time".
    assert services.publish_due_articles(now=timezone.now() + timedelta(minutes=10)) == 1
    approved.refresh_from_db()
    assert approved.status == Article.Status.PUBLISHED
    assert approved.transitions.last().override_reason == later


def test_the_workflow_form_says_why_a_reason_is_refused(client, approved, alice, bob, unchecked_claims):
    client.force_login(bob)
    publish = reverse("admin:articles_article_workflow", args=[approved.pk, "publish"])
    short = client.post(publish, {"override_reason": "x"})
    assert short.status_code == 200
    assert "Give the reason as a sentence of at least 20 characters" in short.content.decode()

    assert client.post(publish, {"override_reason": REASON}).status_code == 302
    again(approved, alice, bob)
    same = client.post(publish, {"override_reason": REASON})
    assert same.status_code == 200
    assert "That is the reason given for this article&#x27;s last override" in same.content.decode()
    approved.refresh_from_db()
    assert approved.transitions.last().to_status == Article.Status.APPROVED
