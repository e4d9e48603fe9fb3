"""PUBLISH_SECOND_EDITOR: an editor publishes (or schedules) text they wrote only with another editor's
approval."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from articles import services
from articles.models import Article
from articles.services import ArticleActionError
from articles.versions import save_version
from tests.factories import ArticleFactory, PersonFactory, UserFactory

REFUSED = "Publishing your own text needs a second editor's approval"


@pytest.fixture
def frank(db):
    """A second editor."""
    user = UserFactory(username="frank")
    user.groups.add(Group.objects.get(name="Editor"))
    PersonFactory(user=user, name="Frank", slug="frank")
    return user


@pytest.fixture
def second_editor(settings):
    settings.PUBLISH_SECOND_EDITOR = True


@pytest.fixture
def bobs_own(bob):
    """An article the editor bob wrote himself."""
    article = ArticleFactory(author=bob.person, editor=bob.person)
    services.article_submit(article, by=bob)
    return article


def edit(article: Article, by, body: str) -> None:
    article.body = body
    save_version(article, by=by)


def test_it_refuses_an_editor_publishing_the_text_they_wrote_and_approved(bobs_own, bob, second_editor):
    services.article_approve(bobs_own, by=bob)
    with pytest.raises(ArticleActionError, match=REFUSED):
        services.article_publish(bobs_own, by=bob)
    with pytest.raises(ArticleActionError, match=REFUSED):
        services.article_schedule(bobs_own, by=bob, when=timezone.now() + timedelta(hours=1))
    bobs_own.refresh_from_db()
    assert (bobs_own.status, bobs_own.live_version) == (Article.Status.APPROVED, None)


def test_a_second_editors_approval_lets_them_publish(bobs_own, bob, frank, second_editor):
    services.article_approve(bobs_own, by=bob)
    with pytest.raises(ArticleActionError, match=REFUSED):
        services.article_publish(bobs_own, by=bob)
    services.article_submit(bobs_own, by=bob)
    services.article_approve(bobs_own, by=frank)
    services.article_publish(bobs_own, by=bob)
    assert bobs_own.is_live


def test_it_counts_the_editor_who_last_changed_the_words(alice, bob, frank, second_editor):
    article = ArticleFactory(author=alice.person, editor=bob.person)
    edit(article, alice, "The council approved 12 homes.")
    services.article_submit(article, by=alice)
    services.article_approve(article, by=bob)  # an approval saves a version too, but it is not writing
    services.article_publish(article, by=bob)
    assert article.is_live

    edit(article, bob, "The council approved 14 homes.")  # now bob rewrites it
    services.article_submit(article, by=bob)
    services.article_approve(article, by=bob)
    with pytest.raises(ArticleActionError, match=REFUSED):
        services.article_publish(article, by=bob)
    services.article_publish(article, by=frank)  # frank did not write it: one editor is enough
    assert article.live_version.body == "The council approved 14 homes."


def test_it_is_off_by_default_and_applies_once_turned_on(bobs_own, bob, settings):
    services.article_approve(bobs_own, by=bob)
    services.article_publish(bobs_own, by=bob)
    assert bobs_own.is_live

    edit(bobs_own, bob, "A correction to the figures, written by the editor.")
    services.article_submit(bobs_own, by=bob)
    services.article_approve(bobs_own, by=bob)
    settings.PUBLISH_SECOND_EDITOR = True
    with pytest.raises(ArticleActionError, match=REFUSED):
        services.article_publish(bobs_own, by=bob)


def test_a_scheduled_publication_needs_it_too(bobs_own, bob, frank, settings):
    services.article_approve(bobs_own, by=bob)
    services.article_schedule(bobs_own, by=bob, when=timezone.now() + timedelta(minutes=5))
    settings.PUBLISH_SECOND_EDITOR = True  # turned on before the time comes

    assert services.publish_due_articles(now=timezone.now() + timedelta(minutes=10)) == 0
    bobs_own.refresh_from_db()
    assert bobs_own.status == Article.Status.OVERDUE  # refused, and the editors are told

    services.article_unschedule(bobs_own, by=bob)
    services.article_submit(bobs_own, by=bob)
    services.article_approve(bobs_own, by=frank)
    services.article_schedule(bobs_own, by=bob, when=timezone.now() + timedelta(minutes=5))
    assert services.publish_due_articles(now=timezone.now() + timedelta(minutes=10)) == 1
