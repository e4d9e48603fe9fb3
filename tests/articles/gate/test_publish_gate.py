import pytest

from articles import hooks, services
from articles.gate import Problem
from articles.services import ArticleActionError
from tests.factories import ArticleFactory


@pytest.fixture
def unchecked_claims():
    """A gate check of the kind other apps register: overridable by an editor."""

    def claims_unverified(article):
        yield Problem("2 check-worthy claims have no verdict.")

    with hooks.register_temporarily(hooks.PUBLISH_CHECKS, claims_unverified):
        yield


@pytest.fixture
def approved(alice, bob):
    article = ArticleFactory(author=alice.person, editor=bob.person)
    services.article_submit(article, by=alice)
    return services.article_approve(article, by=bob)


def test_it_refuses_and_lists_the_problems(approved, bob, unchecked_claims):
    with pytest.raises(ArticleActionError) as refused:
        services.article_publish(approved, by=bob)
    assert "2 check-worthy claims have no verdict." in str(refused.value)
    assert "publish anyway by recording a reason" in str(refused.value)
    approved.refresh_from_db()
    assert approved.live_version is None


def test_it_records_an_editors_override(approved, bob, unchecked_claims):
    services.article_publish(approved, by=bob, override_reason="Claims verified by phone; notes filed.")

    transition = approved.transitions.last()
    assert transition.override_reason == "Claims verified by phone; notes filed."
    assert transition.by == bob
    assert transition.note.startswith("Published over the publish gate's problems:")
    assert "2 check-worthy claims have no verdict." in transition.note


def test_it_never_overrides_a_missing_editor(alice, bob):
    article = ArticleFactory(author=alice.person, editor=None)
    services.article_submit(article, by=alice)
    services.article_approve(article, by=bob)
    with pytest.raises(ArticleActionError, match="names no responsible editor"):
        services.article_publish(article, by=bob, override_reason="Urgent: the desk checked it.")


def test_it_carries_a_schedules_override_to_the_publication(approved, bob, unchecked_claims):
    from datetime import timedelta

    from django.utils import timezone

    services.article_schedule(approved, by=bob, when=timezone.now() + timedelta(minutes=5),
                              override_reason="Desk confirmed the figures.")  # fmt: skip
    assert services.publish_due_articles(now=timezone.now() + timedelta(minutes=10)) == 1
    assert approved.transitions.last().override_reason == "Desk confirmed the figures."
