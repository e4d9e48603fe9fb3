"""Article workflow actions. Views, admin actions, tasks and commands all call these; each checks the
acting user's permission and the article's state, and records what it did.

The parts: `writing` (saving versions, restoring them), `review` (submitting, requesting changes,
approving), `publishing` (the live pointer and addresses, the gate, the schedule), `correcting` (a
correction goes live), all on `moves` (the one helper that moves an article through the workflow).
"""

from articles.services.correcting import (
    CorrectedVersion,
    UnmentionedEntities,
    article_publish_correction,
    unmentioned_after,
)
from articles.services.moves import ArticleActionError, article_moved
from articles.services.publishing import (
    address_holder,
    article_mark_overdue,
    article_publish,
    article_schedule,
    article_unpublish,
    article_unschedule,
    publish_due_articles,
    reason_refused,
)
from articles.services.review import (
    article_approve,
    article_request_changes,
    article_send_back,
    article_submit,
    article_withdraw_approval,
    review_note_add,
)
from articles.services.writing import (
    EditConflict,
    EntityLine,
    Relations,
    article_restore_version,
    article_save,
    display_name,
    edit_conflict,
    entity_save,
    topic_save,
    version_relations,
    working_relations,
)
from articles.workflow import ACTIONS, available_actions, can_review, owns_or_reviews

__all__ = [
    "ACTIONS",
    "ArticleActionError",
    "CorrectedVersion",
    "EditConflict",
    "EntityLine",
    "Relations",
    "UnmentionedEntities",
    "address_holder",
    "article_approve",
    "article_mark_overdue",
    "article_moved",
    "article_publish",
    "article_publish_correction",
    "article_request_changes",
    "article_restore_version",
    "article_save",
    "article_schedule",
    "article_send_back",
    "article_submit",
    "article_unpublish",
    "article_unschedule",
    "article_withdraw_approval",
    "available_actions",
    "can_review",
    "display_name",
    "edit_conflict",
    "entity_save",
    "owns_or_reviews",
    "publish_due_articles",
    "reason_refused",
    "topic_save",
    "review_note_add",
    "unmentioned_after",
    "version_relations",
    "working_relations",
]
