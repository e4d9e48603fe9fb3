"""Every role x every action x every state: allowed, or refused with a clear message and no change."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles import services
from articles.models import Article
from articles.services import ArticleActionError
from tests.factories import ArticleFactory

S = Article.Status
ROLES = ["alice", "dave", "bob", "carol", "erin"]  # author, another author, editor, checker, desk
STATES = list(S)

# Written out by hand, not derived from the code under test.
WHO = {
    "submit": {"alice", "bob"},
    "request_changes": {"bob"},
    "approve": {"bob"},
    "publish": {"bob"},
    "schedule": {"bob"},
    "unschedule": {"bob"},
    "unpublish": {"bob"},
    "send_back": {"bob"},
    "restore": {"alice", "bob"},
}
FROM = {
    "submit": {S.DRAFT, S.CHANGES_REQUESTED, S.APPROVED, S.PUBLISHED, S.UNPUBLISHED},
    "request_changes": {S.IN_REVIEW},
    "approve": {S.IN_REVIEW},
    "publish": {S.APPROVED, S.SCHEDULED, S.OVERDUE},
    "schedule": {S.APPROVED},
    "unschedule": {S.SCHEDULED, S.OVERDUE},
    "unpublish": {S.PUBLISHED},  # in this setup only the published article is live
    "send_back": {S.OVERDUE},
    "restore": set(STATES),
}


def article_in(state, alice, bob) -> Article:
    article = ArticleFactory(author=alice.person, editor=bob.person, body="First.")
    if state == S.DRAFT:
        return article
    services.article_submit(article, by=alice)
    if state == S.IN_REVIEW:
        return article
    if state == S.CHANGES_REQUESTED:
        return services.article_request_changes(article, by=bob, note="Source the figure.")
    services.article_approve(article, by=bob)
    if state == S.APPROVED:
        return article
    if state in (S.SCHEDULED, S.OVERDUE):
        services.article_schedule(article, by=bob, when=timezone.now() + timedelta(hours=1))
        if state == S.SCHEDULED:
            return article
        return services.article_mark_overdue(article, by=bob, refusal="Cannot publish yet: a test refusal.")
    services.article_publish(article, by=bob)
    if state == S.PUBLISHED:
        return article
    return services.article_unpublish(article, by=bob, reason="Legal review.")


def act(action: str, article: Article, user):
    match action:
        case "submit":
            services.article_submit(article, by=user)
        case "request_changes":
            services.article_request_changes(article, by=user, note="Please fix the headline.")
        case "approve":
            services.article_approve(article, by=user)
        case "publish":
            services.article_publish(article, by=user)
        case "schedule":
            services.article_schedule(article, by=user, when=timezone.now() + timedelta(hours=2))
        case "unschedule":
            services.article_unschedule(article, by=user)
        case "unpublish":
            services.article_unpublish(article, by=user, reason="A court order.")
        case "send_back":
            services.article_send_back(article, by=user, note="Check the figures again.")
        case "restore":
            services.article_restore_version(article, article.history.earliest(), by=user)


def record(article: Article) -> tuple[int, int]:
    """How many versions and workflow moves the article has on record."""
    return article.history.count(), article.transitions.count()


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", list(WHO))
@pytest.mark.parametrize("role", ROLES)
def test_it_allows_or_refuses_each_action(request, alice, bob, role, action, state):
    user = request.getfixturevalue(role)
    article = article_in(state, alice, bob)
    versions, moves = record(article)
    allowed = role in WHO[action] and state in FROM[action]

    if allowed:
        act(action, article, user)
        # Restoring makes a version; a workflow move is a transition, not a version.
        expected = (versions + 1, moves) if action == "restore" else (versions, moves + 1)
        assert record(article) == expected
        return

    with pytest.raises(ArticleActionError) as refused:
        act(action, article, user)
    message = str(refused.value)
    if role not in WHO[action]:
        assert message.startswith("Only "), message
    else:
        assert "cannot" in message or "not live" in message, message
    fresh = Article.objects.get(pk=article.pk)
    assert (fresh.status, *record(fresh)) == (state, versions, moves)


@pytest.mark.parametrize(
    ("role", "state", "buttons"),
    [
        ("alice", S.DRAFT, ["submit"]),
        ("bob", S.IN_REVIEW, ["request_changes", "approve"]),
        ("alice", S.IN_REVIEW, []),
        ("bob", S.APPROVED, ["submit", "publish", "schedule"]),
        ("bob", S.SCHEDULED, ["publish", "unschedule"]),
        ("bob", S.OVERDUE, ["publish", "unschedule", "send_back"]),
        ("alice", S.OVERDUE, []),
        ("bob", S.PUBLISHED, ["submit", "unpublish"]),
        ("carol", S.PUBLISHED, []),
    ],
)
def test_it_offers_only_the_actions_that_will_work(request, alice, bob, role, state, buttons):
    article = article_in(state, alice, bob)
    assert services.available_actions(article, request.getfixturevalue(role)) == buttons
