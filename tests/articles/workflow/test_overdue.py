"""A scheduled publication the gate (or anything else) refuses at its time makes the article overdue,
once, with the refusal on record; from there an editor publishes, cancels, sends it back or unpublishes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles import gate, hooks, services
from articles.models import Article
from tests.factories import ArticleFactory

S = Article.Status
LATER = timedelta(hours=1)


def refuse(article):
    yield gate.Problem("The legal desk has not cleared it.", overridable=False)


def broken(article):
    raise RuntimeError("the rights database is down")


@pytest.fixture
def scheduled(alice, bob):
    article = ArticleFactory(author=alice.person, editor=bob.person, title="Harbour sale")
    services.article_submit(article, by=alice)
    services.article_approve(article, by=bob)
    return services.article_schedule(article, by=bob, when=timezone.now() + timedelta(minutes=30))


def run_schedule(check=refuse) -> int:
    with hooks.register_temporarily(hooks.PUBLISH_CHECKS, check):
        return services.publish_due_articles(now=timezone.now() + LATER)


def test_it_makes_a_refused_publication_overdue_with_the_refusal_on_record(scheduled, bob):
    assert run_schedule() == 0

    scheduled.refresh_from_db()
    assert (scheduled.status, scheduled.live_version) == (S.OVERDUE, None)
    move = scheduled.transitions.last()
    assert (move.from_status, move.to_status, move.by) == (S.SCHEDULED, S.OVERDUE, bob)
    assert "The legal desk has not cleared it." in move.note


def test_it_makes_an_article_overdue_when_the_second_editor_rule_refuses(alice, bob, settings):
    article = ArticleFactory(author=bob.person, editor=bob.person)
    services.article_submit(article, by=bob)
    services.article_approve(article, by=bob)
    services.article_schedule(article, by=bob, when=timezone.now() + timedelta(minutes=5))
    settings.PUBLISH_SECOND_EDITOR = True  # switched on after it was scheduled

    services.publish_due_articles(now=timezone.now() + LATER)

    article.refresh_from_db()
    assert article.status == S.OVERDUE
    assert "second editor" in article.transitions.last().note


def test_it_makes_an_article_overdue_when_a_check_breaks(scheduled):
    run_schedule(broken)
    scheduled.refresh_from_db()
    assert (scheduled.status, scheduled.published_at) == (S.OVERDUE, None)
    assert "RuntimeError" in scheduled.transitions.last().note


def test_it_tells_a_refusal_once_and_does_not_retry(scheduled):
    run_schedule()
    assert run_schedule() == 0
    assert services.publish_due_articles(now=timezone.now() + 2 * LATER) == 0  # even with the gate clear

    scheduled.refresh_from_db()
    assert scheduled.status == S.OVERDUE
    assert scheduled.transitions.filter(to_status=S.OVERDUE).count() == 1


def test_an_editor_publishes_it_once_fixed(scheduled, bob, client):
    run_schedule()
    services.article_publish(scheduled, by=bob)
    assert (scheduled.status, scheduled.scheduled_for) == (S.PUBLISHED, None)
    assert client.get(scheduled.get_absolute_url()).status_code == 200


def test_an_editor_cancels_the_schedule(scheduled, bob):
    run_schedule()
    services.article_unschedule(scheduled, by=bob)
    assert (scheduled.status, scheduled.scheduled_for, scheduled.scheduled_by) == (S.APPROVED, None, None)


def test_an_editor_sends_it_back_to_review(scheduled, bob):
    run_schedule()
    services.article_send_back(scheduled, by=bob, note="Get the legal desk's clearance first.")
    assert (scheduled.status, scheduled.scheduled_for) == (S.IN_REVIEW, None)
    assert scheduled.transitions.last().note == "Get the legal desk's clearance first."


def test_an_editor_unpublishes_a_live_article_that_is_overdue(published_article, alice, bob):
    published_article.body = "A new paragraph."
    services.article_save(published_article, by=alice, reason="Edited")
    services.article_submit(published_article, by=alice)
    services.article_approve(published_article, by=bob)
    services.article_schedule(published_article, by=bob, when=timezone.now() + timedelta(minutes=5))
    run_schedule()
    published_article.refresh_from_db()
    assert (published_article.status, published_article.is_live) == (S.OVERDUE, True)
    assert "unpublish" in services.available_actions(published_article, bob)

    services.article_unpublish(published_article, by=bob, reason="Withdrawn pending legal advice.")
    assert (published_article.status, published_article.is_live) == (S.UNPUBLISHED, False)


def test_a_published_correction_withdraws_an_overdue_approval(published_article, alice, bob):
    published_article.body = "Reworded."
    services.article_save(published_article, by=alice, reason="Edited")
    services.article_submit(published_article, by=alice)
    services.article_approve(published_article, by=bob)
    services.article_schedule(published_article, by=bob, when=timezone.now() + timedelta(minutes=5))
    run_schedule()
    live = published_article.live_version
    services.article_publish_correction(
        published_article, by=bob, body=live.body + " Corrected.", label="Correction", note="A date."
    )
    published_article.refresh_from_db()
    assert published_article.status == S.IN_REVIEW
