"""Correcting: the corrections desk's accepted correction goes live at once as a new live version, and
the unpublished draft keeps its edits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from diff_match_patch import diff_match_patch
from django.db import transaction
from django.utils import timezone

from articles import gate, pages
from articles.models import SNAPSHOT_FIELDS, Article, Entity, ReviewNote
from articles.services.moves import ArticleActionError, lock
from articles.services.publishing import relist
from articles.services.review import article_withdraw_approval
from articles.services.writing import Relations, save_snapshot, version_relations, working_relations
from articles.versions import save_unversioned

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    HistoricalArticle = Any  # simple-history generates it with Article: no fields the type checker knows

S = Article.Status

# Strict: a correction lands in a draft only where the surrounding text is unchanged, wherever it moved.
_patcher = diff_match_patch()
_patcher.Match_Threshold = 0.01
_patcher.Match_Distance = 10**9
_patcher.Patch_DeleteThreshold = 0.0
_patcher.Patch_Margin = 8  # with Match_MaxBits 32, a larger margin makes patch_splitMax loop forever


def _apply_to_draft(live_body: str, corrected_body: str, draft_body: str) -> str | None:
    patches = _patcher.patch_make(live_body, corrected_body)
    patched, applied = _patcher.patch_apply(patches, draft_body)
    return patched if all(applied) else None


@dataclass(frozen=True)
class CorrectedVersion:
    previous: HistoricalArticle  # the version readers saw until now
    corrected: HistoricalArticle  # the version they see from now on
    published_at: datetime


class UnmentionedEntities(ArticleActionError):
    """The corrected text no longer names entities the live page lists: the desk must agree to their
    removal from the page before the correction goes live."""

    def __init__(self, entities: list[Entity]):
        self.entities = entities
        names = ", ".join(f"“{entity.name}”" for entity in entities)
        super().__init__(
            f"The corrected text no longer mentions {names}, which the page lists among the entities in "
            "the article. Keep a mention, or confirm that the correction removes them from the page too."
        )


def unmentioned_after(live: HistoricalArticle, body: str) -> list[Entity]:
    """The entities of the live version that a corrected `body` would no longer mention."""
    listed = [line.entity for line in version_relations(live).entities]
    return gate.unmentioned(listed, live.title, live.dek, body)


@transaction.atomic
def article_publish_correction(
    article: Article, *, by: User, body: str, label: str, note: str, drop_unmentioned: bool = False
) -> CorrectedVersion:
    """Publish the live text with `body` corrected as a new live version at once, and move the Updated
    date. Called by the corrections desk's services once they have checked the actor and the note.

    The entities the page lists must still be named in the text: one the correction removes the last
    mention of is refused (UnmentionedEntities) unless `drop_unmentioned` takes it off the page too.
    Unpublished edits in the draft are kept: the correction is applied to them too when it fits;
    otherwise the draft is left as it was and a review note tells its author and editor what to merge.
    An approval of a draft made before the correction is withdrawn: its text is stale."""
    lock(article)
    if not article.is_live:
        raise ArticleActionError("The article is not live: correct the draft and publish it instead.")
    live: Any = article.live_version
    body = body.replace("\r\n", "\n").strip()
    if body == live.body:
        raise ArticleActionError("The corrected text is the same as the live text: change the passage first.")
    gone = unmentioned_after(live, body)
    if gone and not drop_unmentioned:
        raise UnmentionedEntities(gone)
    draft = {field: getattr(article, field) for field in SNAPSHOT_FIELDS}
    draft_relations = working_relations(article)
    draft_changed = article.content_hash != live.content_hash
    pending = article.approved_version_id not in (None, live.pk) and article.status in (
        S.APPROVED,
        S.SCHEDULED,
        S.OVERDUE,
    )

    for field in SNAPSHOT_FIELDS:
        setattr(article, field, getattr(live, field))
    article.body, article.updated_at = body, timezone.now()
    listed = version_relations(live)
    kept = tuple(line for line in listed.entities if line.entity not in gone)
    save_snapshot(article, Relations(listed.topics, kept), by=by, reason=f"{label} published: {note}")
    corrected = article.history.latest()
    article.live_version = corrected
    if not pending:
        article.approved_version = corrected
    save_unversioned(article, "live_version", "approved_version")
    relist(article)
    if draft_changed:
        _keep_draft(article, (draft, draft_relations), live, corrected, by=by, label=label, note=note)
    if pending:
        article_withdraw_approval(
            article, by=by, reason=f"A {label.lower()} was published since this draft was approved."
        )
    pages.bake_on_commit(pages.article_pages(article, live, corrected))
    return CorrectedVersion(live, corrected, article.updated_at)


def _keep_draft(
    article: Article, draft: tuple[dict, Relations], live, corrected, *, by: User, label: str, note: str
) -> None:
    """Put the unpublished edits back over the corrected version, with the correction where it fits."""
    fields, relations = draft
    for field, value in fields.items():
        setattr(article, field, value)
    patched = _apply_to_draft(live.body, corrected.body, fields["body"])
    if patched is not None:
        article.body = patched
        save_snapshot(article, relations, by=by, reason=f"{label} applied to the unpublished draft too")
        return
    reason = f"Draft kept as it was: the {label.lower()} must be merged into it by hand"
    save_snapshot(article, relations, by=by, reason=reason)
    ReviewNote.objects.create(
        article=article,
        version=article.history.latest(),
        by=by,
        body=(
            f"A {label.lower()} was published while this draft had unpublished edits, and it could not "
            f"be applied to them automatically. Merge it before the draft is published: compare {live.label} "
            f"with {corrected.label}. Note: {note}"
        ),
    )
