from datetime import timedelta

import pytest
from django.utils import timezone

from articles import services, tasks
from articles.models import Article
from articles.services import ArticleActionError
from tests.factories import ArticleFactory


@pytest.fixture
def scheduled(alice, bob):
    article = ArticleFactory(author=alice.person, editor=bob.person)
    services.article_submit(article, by=alice)
    services.article_approve(article, by=bob)
    return services.article_schedule(article, by=bob, when=timezone.now() + timedelta(minutes=30))


def test_it_publishes_due_articles_once(scheduled, client):
    later = timezone.now() + timedelta(hours=1)
    assert services.publish_due_articles(now=later) == 1
    assert services.publish_due_articles(now=later) == 0

    scheduled.refresh_from_db()
    assert scheduled.status == Article.Status.PUBLISHED
    assert scheduled.transitions.filter(to_status=Article.Status.PUBLISHED).count() == 1
    assert client.get(scheduled.get_absolute_url()).status_code == 200


def test_it_leaves_articles_that_are_not_due(scheduled):
    assert tasks.publish_due_articles() == 0
    scheduled.refresh_from_db()
    assert scheduled.status == Article.Status.SCHEDULED


def test_it_publishes_as_the_editor_who_scheduled(scheduled, bob):
    services.publish_due_articles(now=timezone.now() + timedelta(hours=1))
    assert scheduled.transitions.last().by == bob


def test_it_refuses_a_time_in_the_past(alice, bob):
    article = ArticleFactory(author=alice.person, editor=bob.person)
    services.article_submit(article, by=alice)
    services.article_approve(article, by=bob)
    with pytest.raises(ArticleActionError, match="in the future"):
        services.article_schedule(article, by=bob, when=timezone.now() - timedelta(minutes=1))


def test_it_can_cancel_a_schedule(scheduled, bob):
    services.article_unschedule(scheduled, by=bob)
    assert (scheduled.status, scheduled.scheduled_for) == (Article.Status.APPROVED, None)
    assert services.publish_due_articles(now=timezone.now() + timedelta(hours=1)) == 0
