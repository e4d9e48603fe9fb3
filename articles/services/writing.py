"""Writing: saving the working copy as a version (its text, byline, address, topics and entities),
refusing a save over someone else's newer text, and restoring an old version."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from articles import pages
from articles.models import CONTENT_FIELDS, TEXT_FIELDS, Article, ArticleEntity, Entity, Topic, content_hash
from articles.services.moves import ArticleActionError, authorize, lock
from articles.services.publishing import require_free_address
from articles.versions import save_version, unrecorded
from articles.workflow import can_review, owns_or_reviews

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    HistoricalArticle = Any  # simple-history generates it with Article: no fields the type checker knows


@dataclass(frozen=True)
class EntityLine:
    """An entity as an article lists it: the entity, and the one line readers are told about it there."""

    entity: Entity
    description: str = ""


@dataclass(frozen=True)
class Relations:
    """The topics and entities of a working copy or of a version."""

    topics: tuple[Topic, ...]
    entities: tuple[EntityLine, ...]

    def values(self) -> dict:
        """The plain values the content fingerprint covers (as articles.models.relations gives them)."""
        return {
            "topics": sorted(topic.pk for topic in self.topics),
            "entities": sorted([line.entity.pk, line.description] for line in self.entities),
        }


def working_relations(article: Article) -> Relations:
    if article.pk is None:
        return Relations((), ())
    links = article.article_entities.select_related("entity")
    return Relations(
        tuple(article.topics.all()), tuple(EntityLine(link.entity, link.description) for link in links)
    )


def version_relations(version: HistoricalArticle) -> Relations:
    """What a version holds, of the topics and entities still on record."""
    topics = Topic.objects.filter(pk__in=version.topics.values("topic_id"))
    rows = list(version.entities.values_list("entity_id", "description"))
    entities = Entity.objects.in_bulk([entity_id for entity_id, _ in rows])
    lines = (EntityLine(entities[pk], text) for pk, text in rows if pk in entities)
    return Relations(tuple(topics), tuple(lines))


def _relations(article: Article, topics, entities) -> Relations:
    """The article's relations with `topics` and `entities` in place of its own where given: entities
    listed once each (the last line for an entity wins), descriptions on one line."""
    current = working_relations(article)
    if entities is not None:
        lines = {
            line.entity.pk: EntityLine(line.entity, " ".join(line.description.split())) for line in entities
        }
        entities = tuple(lines.values())
    return Relations(
        tuple(dict.fromkeys(topics)) if topics is not None else current.topics,
        entities if entities is not None else current.entities,
    )


def _set_relations(article: Article, relations: Relations, *, by: User) -> None:
    """Make the working copy's topics and entities these, as part of the version saved next."""
    with unrecorded(article):
        article.topics.set(relations.topics)
        wanted = {line.entity.pk: line for line in relations.entities}
        article.article_entities.exclude(entity_id__in=wanted).delete()
        for line in relations.entities:
            ArticleEntity.objects.update_or_create(
                article=article,
                entity=line.entity,
                defaults={"description": line.description},
                create_defaults={"description": line.description, "accepted_by": by},
            )


def save_snapshot(article: Article, relations: Relations, *, by: User, reason: str) -> Article:
    """Save the working copy, with these topics and entities, as one new version."""
    if article.pk is None:
        with unrecorded(article):
            article.save()
        _set_relations(article, relations, by=by)
        save_version(article, by=by, reason=reason)
        article.history.filter(history_id=article.history.latest().history_id).update(history_type="+")
        return article
    _set_relations(article, relations, by=by)
    return save_version(article, by=by, reason=reason)


@transaction.atomic
def article_restore_version(
    article: Article, version: HistoricalArticle, *, by: User, byline: bool = False
) -> Article:
    """Make an old version's text, topics and entities the working copy again, as a new version. The
    people named stay as they are now (an old version may name nobody as the responsible editor) unless
    `byline` asks for theirs too, which only an editor may. What readers see changes only when it is
    approved and published."""
    authorize("restore", lock(article), by)
    if version.id != article.pk:
        raise ArticleActionError("That version belongs to another article.")
    if byline and not can_review(by):
        raise ArticleActionError("Only an editor can change who wrote and who edits an article.")
    for field in CONTENT_FIELDS if byline else TEXT_FIELDS:
        setattr(article, field, getattr(version, field))
    reason = f"Restored {version.label} of {timezone.localtime(version.history_date):%Y-%m-%d %H:%M}"
    return save_snapshot(article, version_relations(version), by=by, reason=reason)


def display_name(user) -> str:
    """How the back office names a staff member: their byline name, else their account's name."""
    person = getattr(user, "person", None)
    return person.name if person is not None else user.get_full_name() or user.get_username()


class EditConflict(ArticleActionError):
    """Someone saved a newer version of the text since the form was loaded."""

    def __init__(self, article: Article, base: HistoricalArticle | None, latest: HistoricalArticle):
        self.base, self.latest = base, latest
        who = display_name(latest.history_user) if latest.history_user else "Someone"
        when = timezone.localtime(latest.history_date)
        super().__init__(
            f"{who} saved a newer version of “{article.title}” at {when:%H:%M} while you were editing. "
            "Your text is kept below: compare it with theirs, then save again to replace their version."
        )


def edit_conflict(article: Article, base_version_id: int | None) -> EditConflict | None:
    """The conflict a save based on `base_version_id` would cause, if any. Only content counts: a version
    with the same content as the one the form was loaded from changes nothing the form holds."""
    if article.pk is None or not base_version_id:
        return None
    latest = article.history.select_related("history_user").latest()
    if latest.history_id == base_version_id:
        return None
    base = article.history.filter(history_id=base_version_id).first()
    if base is not None and base.content_hash == latest.content_hash:
        return None
    return EditConflict(article, base, latest)


def _check_writer(article: Article, current: Article | None, relations: Relations, by: User) -> None:
    """Authors change their own articles' words, address and topics; the byline and the entities readers
    are shown are an editor's call."""
    if current is None:
        if not can_review(by) and getattr(article.author, "user_id", None) != by.pk:
            raise ArticleActionError("Authors write articles under their own name.")
        if relations.entities and not can_review(by):
            raise ArticleActionError("Only an editor can choose the entities an article lists.")
        return
    if not owns_or_reviews(current, by):
        raise ArticleActionError("Only the article's author or an editor can change it.")
    if can_review(by):
        return
    if (article.author_id, article.editor_id) != (current.author_id, current.editor_id):
        raise ArticleActionError("Only an editor can change who wrote and who edits an article.")
    if relations.values()["entities"] != working_relations(current).values()["entities"]:
        raise ArticleActionError("Only an editor can choose the entities an article lists.")


@transaction.atomic
def article_save(
    article: Article,
    *,
    by: User,
    reason: str,
    base_version_id: int | None = None,
    topics: Iterable[Topic] | None = None,
    entities: Iterable[EntityLine] | None = None,
) -> Article:
    """Save the working copy as a new version, with `topics` and `entities` in place of its own where
    given. Refused if `by` may not change what changed, or (EditConflict) if someone saved other text
    since `base_version_id`. A save that changes nothing readers would see is no version."""
    current = None
    if article.pk is not None:
        current = Article.objects.select_for_update().select_related("author").get(pk=article.pk)
    relations = _relations(article, topics, entities)
    _check_writer(article, current, relations, by)
    if current is not None and (conflict := edit_conflict(current, base_version_id)):
        raise conflict
    require_free_address(article, article.slug)
    article.normalise()
    if current is not None and content_hash(article, relations.values()) == current.content_hash:
        return article  # nothing readers would see has changed: not a new version
    return save_snapshot(article, relations, by=by, reason=reason)


def _saved_with_pages(record: Topic | Entity, *, by: User, articles, shown: tuple[str, ...]) -> None:
    """Save a topic or an entity; its hub is baked again, and with it the live pages of `articles` if
    what they show of it (`shown` fields) changed. A moved hub leaves its old address."""
    model = type(record)
    action = "add" if record.pk is None else "change"
    if not by.has_perm(f"articles.{action}_{model._meta.model_name}"):
        raise ArticleActionError(
            f"Only an editor can change the newsroom's {model._meta.verbose_name_plural}."
        )
    before = model.objects.filter(pk=record.pk).first() if record.pk else None
    record.save()
    paths = [record.get_absolute_url()]
    if before is not None:
        paths.append(before.get_absolute_url())
        if any(getattr(before, name) != getattr(record, name) for name in shown):
            paths += pages.live_article_pages(articles(record))
    pages.bake_on_commit(paths)


@transaction.atomic
def topic_save(topic: Topic, *, by: User) -> Topic:
    _saved_with_pages(topic, by=by, articles=Article.objects.filed_under, shown=("name", "slug"))
    return topic


@transaction.atomic
def entity_save(entity: Entity, *, by: User) -> Entity:
    _saved_with_pages(entity, by=by, articles=Article.objects.listing, shown=("name", "slug", "cluster"))
    return entity
