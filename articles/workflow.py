"""The article workflow, whole: every action, who may take it, from which states, where it leads and the
form fields it asks for. The services in articles.services enforce it; the admin reads it to offer only
the buttons that will work, and the action form to show only the fields an action uses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from articles.models import Article

if TYPE_CHECKING:
    from django.contrib.auth.models import User

S = Article.Status


def can_review(user: Any) -> bool:
    return user.has_perm("articles.review_article")


def can_publish(user: Any) -> bool:
    return user.has_perm("articles.publish_article")


def owns_or_reviews(article: Article, user: Any) -> bool:
    return article.author.user_id == user.pk or can_review(user)


def _reviewer(article: Article, user: User) -> bool:
    return can_review(user)


def _publisher(article: Article, user: User) -> bool:
    return can_publish(user)


def _nobody(article: Article, user: User) -> bool:
    return False


@dataclass(frozen=True)
class Action:
    label: str
    to: str | None  # the status it moves to; None for actions that change content, not status
    sources: frozenset[str]  # the states it may be taken from
    allowed: Callable[[Article, Any], bool]
    refused: str  # what the user is told when `allowed` says no
    fields: tuple[str, ...] = ()  # the inputs of the action's form
    required: tuple[str, ...] = ()
    note_label: str = ""
    live_only: bool = False  # only while readers see a version
    offered: bool = True  # False: taken by other services, never by a person from the action form


EVERY_STATE = frozenset(S)
_REVIEWER = "Only an editor can {}."
_PUBLISHER = "Only an editor with publishing rights can {}."

ACTIONS: dict[str, Action] = {
    "submit": Action(
        "Submit for review",
        S.IN_REVIEW,
        # Not from scheduled: an editor cancels the schedule first.
        frozenset({S.DRAFT, S.CHANGES_REQUESTED, S.APPROVED, S.PUBLISHED, S.UNPUBLISHED}),
        owns_or_reviews,
        "Only the article's author or an editor can submit it for review.",
        fields=("note",),
        note_label="Note for the reviewer (optional)",
    ),
    "request_changes": Action(
        "Request changes",
        S.CHANGES_REQUESTED,
        frozenset({S.IN_REVIEW}),
        _reviewer,
        _REVIEWER.format("request changes"),
        fields=("note",),
        required=("note",),
        note_label="What needs to change (sent to the author)",
    ),
    "approve": Action(
        "Approve",
        S.APPROVED,
        frozenset({S.IN_REVIEW}),
        _reviewer,
        _REVIEWER.format("approve articles"),
        fields=("note",),
        note_label="Approval note (optional)",
    ),
    "publish": Action(
        "Publish now",
        S.PUBLISHED,
        frozenset({S.APPROVED, S.SCHEDULED, S.OVERDUE}),
        _publisher,
        _PUBLISHER.format("publish"),
        fields=("update_note", "override_reason"),
    ),
    "schedule": Action(
        "Schedule",
        S.SCHEDULED,
        frozenset({S.APPROVED}),
        _publisher,
        _PUBLISHER.format("schedule"),
        fields=("when", "override_reason"),
        required=("when",),
    ),
    "unschedule": Action(
        "Cancel schedule",
        S.APPROVED,
        frozenset({S.SCHEDULED, S.OVERDUE}),
        _publisher,
        _PUBLISHER.format("cancel a schedule"),
    ),
    # A live article goes through review again for its changes while readers keep seeing the live
    # version, so it may be unpublished from any of those states.
    "unpublish": Action(
        "Unpublish",
        S.UNPUBLISHED,
        frozenset({S.IN_REVIEW, S.CHANGES_REQUESTED, S.APPROVED, S.SCHEDULED, S.OVERDUE, S.PUBLISHED}),
        _publisher,
        _PUBLISHER.format("unpublish"),
        fields=("note",),
        required=("note",),
        note_label="Why it is unpublished (shown to readers at its address, and kept in the history)",
        live_only=True,
    ),
    # The scheduler refused a due publication (the gate, the second-editor rule): an editor must act.
    "mark_overdue": Action(
        "Mark overdue",
        S.OVERDUE,
        frozenset({S.SCHEDULED}),
        _nobody,
        "An article becomes overdue only when its scheduled publication is refused.",
        offered=False,
    ),
    "send_back": Action(
        "Send back to review",
        S.IN_REVIEW,
        frozenset({S.OVERDUE}),
        _reviewer,
        _REVIEWER.format("send an overdue article back to review"),
        fields=("note",),
        note_label="What needs another look (optional)",
    ),
    # A correction published meanwhile makes an approved draft's text stale: back to review.
    "withdraw_approval": Action(
        "Withdraw the approval",
        S.IN_REVIEW,
        frozenset({S.APPROVED, S.SCHEDULED, S.OVERDUE}),
        _nobody,
        "An approval is withdrawn only when a correction makes it stale.",
        offered=False,
    ),
    "restore": Action(
        "Restore this version",
        None,
        EVERY_STATE,
        owns_or_reviews,
        "Only the article's author or an editor can restore its versions.",
    ),
    "comment": Action(
        "Add a review note",
        None,
        EVERY_STATE,
        owns_or_reviews,
        "Only the article's author or an editor can comment on it.",
    ),
}

# The actions a person takes from the action form: the status changes.
MOVES = {name: action for name, action in ACTIONS.items() if action.to is not None and action.offered}


def state_allows(name: str, article: Article) -> bool:
    action = ACTIONS[name]
    return article.status in action.sources and (article.is_live or not action.live_only)


def available_actions(article: Article, user: Any) -> list[str]:
    """The status changes this user may make to the article now."""
    return [
        name
        for name, action in MOVES.items()
        if action.allowed(article, user) and state_allows(name, article)
    ]


def refusal(name: str, article: Article, user: Any) -> str | None:
    """Why `user` may not take action `name` on the article now; None if they may. Without a user, only
    whether the article's state allows it (for moves other services make once they checked the actor)."""
    action = ACTIONS[name]
    if user is not None and not action.allowed(article, user):
        return action.refused
    if state_allows(name, article):
        return None
    state = article.get_status_display().lower()
    if action.live_only and not article.is_live:
        return f"“{article.title}” is not live; there is nothing to {action.label.lower()}."
    if user is None and action.to is not None:
        return f"“{article.title}” is {state}; it cannot become {Article.Status(action.to).label.lower()}."
    return f"“{article.title}” is {state}: you cannot {action.label.lower()} it now."
