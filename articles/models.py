from __future__ import annotations

import hashlib
import json
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Max
from django.urls import reverse
from simple_history.models import HistoricalRecords

from articles.markdown import render_markdown

# The fields that make up what readers read; a change to any of them is a change of content.
TEXT_FIELDS = ("title", "dek", "body", "seo_description")
CONTENT_FIELDS = (*TEXT_FIELDS, "author_id", "editor_id")
# Everything of a version readers see: its content and its address. A slug edit is an unpublished change
# like any other; restoring a version brings back its content, not its address.
SNAPSHOT_FIELDS = (*CONTENT_FIELDS, "slug")
# The article's relations that belong to its versions as much as its text does: the topics it is filed
# under and the entities (with the description readers see) it lists. Each version keeps its own.
SNAPSHOT_RELATIONS = ("topics", "entities")


class TopicQuerySet(models.QuerySet):
    def in_use(self) -> TopicQuerySet:
        """Topics readers can find: a live article's live version is filed under them."""
        return self.filter(
            models.Exists(Listing.objects.filter(kind=Listing.Kind.TOPIC, target_id=models.OuterRef("pk")))
        )


class Topic(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("articles:topic", args=[self.slug])


class Entity(models.Model):
    """A named person, organisation, place or thing articles mention; its hub lists the live articles that
    name it. What readers are told it is belongs to each article's version (ArticleEntity.description)."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, blank=True, help_text="person, organisation, place, technology…")
    cluster = models.CharField(max_length=100, blank=True, help_text="The semantic cluster it belongs to.")
    aliases = models.JSONField(
        default=list,
        blank=True,
        help_text='Other names it goes by in the text, as a list: ["IEA"]. The publish gate accepts any.',
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "entities"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("articles:entity", args=[self.slug])

    @property
    def names(self) -> list[str]:
        return [self.name, *self.aliases]

    def public_description(self) -> str:
        """What readers were last told it is: its description in the newest live version listing it."""
        showing = Article.objects.filter(listings__kind=Listing.Kind.ENTITY, listings__target_id=self.pk)
        row = (
            apps.get_model("articles", "HistoricalArticleEntity")
            .objects.filter(entity=self, description__gt="", history_id__in=showing.values("live_version"))
            .order_by("-history__history_date")
            .first()
        )
        return row.description if row is not None else ""


class ArticleEntity(models.Model):
    """An entity on an article's working copy, with the one line readers are told about it there. An
    entity without a description is not shown to readers: editors write one (or keep an AI suggestion
    that says something) before it appears."""

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="article_entities")
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="article_entities")
    description = models.CharField(
        max_length=300,
        blank=True,
        help_text="One line for readers: who or what it is. Readers see the entity only once it has one.",
    )
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["entity__cluster", "entity__name"]
        constraints = [models.UniqueConstraint(fields=["article", "entity"], name="article_entity_once")]
        verbose_name = "entity in the article"
        verbose_name_plural = "entities in the article"

    def __str__(self) -> str:
        return f"{self.entity} in {self.article}"


class ArticleVersion(models.Model):
    """The base of an article's versions (its history rows, HistoricalArticle). Each is numbered within
    its article, v1, v2…, in the order they were saved; versions are saved under a lock on the article,
    so two never take the same number. A version's topics and entities are the rows simple-history
    copied with it (`self.topics`, `self.entities`)."""

    number = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        record: Any = self
        if not self.number:
            versions: Any = type(self)._default_manager
            last = versions.filter(id=record.id).aggregate(n=Max("number"))["n"]
            self.number = (last or 0) + 1
        super().save(*args, **kwargs)

    @property
    def label(self) -> str:
        return f"v{self.number}"

    def listed_topics(self) -> models.QuerySet[Topic]:
        """The topics this version is filed under (of those still on record)."""
        record: Any = self
        return Topic.objects.filter(pk__in=record.topics.values("topic_id"))

    def shown_entities(self) -> list[Any]:
        """The entities readers are shown with this version: those it gives a description, as rows with
        `entity` and `description`, by cluster and name."""
        record: Any = self
        rows = record.entities.filter(description__gt="", entity__isnull=False).select_related("entity")
        return list(rows.order_by("entity__cluster", "entity__name"))


class ArticleQuerySet(models.QuerySet):
    def live(self) -> ArticleQuerySet:
        """Articles readers can see: those with a published version."""
        return self.filter(live_version__isnull=False)

    def at_address(self, slug: str) -> ArticleQuerySet:
        """The live article readers find at /articles/<slug>/: the slug of its live version, not of the
        working copy (a slug edit moves the address only once it is published)."""
        return self.live().filter(live_version__slug=slug)

    def filed_under(self, topic) -> ArticleQuerySet:
        """Live articles whose live version is filed under `topic`."""
        return self.live().filter(live_version__historicalarticle_topics__topic=topic)

    def listing(self, entity) -> ArticleQuerySet:
        """Live articles whose live version lists `entity` for readers (with a description)."""
        return self.live().filter(
            live_version__historicalarticleentity__entity=entity,
            live_version__historicalarticleentity__description__gt="",
        )

    def by_person(self, person) -> ArticleQuerySet:
        """Live articles whose live byline names `person`, as author or as responsible editor."""
        return self.live().filter(
            models.Q(live_version__author=person) | models.Q(live_version__editor=person)
        )

    def with_live_version(self) -> ArticleQuerySet:
        """Load the live snapshot and the people its byline names in the same query."""
        return self.select_related("live_version", "live_version__author", "live_version__editor")

    def for_author(self, user) -> ArticleQuerySet:
        return self.filter(author__user=user)

    def awaiting_review(self) -> ArticleQuerySet:
        return self.filter(status=Article.Status.IN_REVIEW).order_by("review_requested_at", "pk")

    def due_for_publication(self, now) -> ArticleQuerySet:
        return self.filter(status=Article.Status.SCHEDULED, scheduled_for__lte=now)

    def waiting_for_an_editor(self) -> ArticleQuerySet:
        """Overdue articles first (longest overdue first), then those awaiting review, oldest first."""
        overdue_first = models.Case(
            models.When(status=Article.Status.OVERDUE, then=models.Value(0)), default=models.Value(1)
        )
        return (
            self.filter(status__in=[Article.Status.OVERDUE, Article.Status.IN_REVIEW])
            .annotate(overdue_first=overdue_first)
            .order_by("overdue_first", "scheduled_for", "review_requested_at", "pk")
        )


class Article(models.Model):
    """A story. Every save is a version (history); readers only ever see `live_version`, the exact
    version an editor approved and published."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        APPROVED = "approved", "Approved"
        SCHEDULED = "scheduled", "Scheduled"
        OVERDUE = "overdue", "Overdue"  # its scheduled publication was refused: an editor must act
        PUBLISHED = "published", "Published"
        UNPUBLISHED = "unpublished", "Unpublished"

    title = models.CharField(max_length=300)
    slug = models.SlugField(
        max_length=300, unique=True, help_text="The last part of the article's address: /articles/this-part/."
    )
    dek = models.CharField(max_length=500, blank=True, help_text="The standfirst under the headline.")
    body = models.TextField(blank=True, help_text="Markdown: ## headings, > pull quotes, | tables |, links.")
    body_html = models.TextField(editable=False, blank=True)
    seo_description = models.CharField(
        max_length=300, blank=True, help_text="Shown by search engines; falls back to the dek."
    )
    author = models.ForeignKey("editorial.Person", on_delete=models.PROTECT, related_name="articles")
    editor = models.ForeignKey(
        "editorial.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="edited_articles",
        help_text="The human editor responsible for this article: its reviewer, named in the byline.",
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="articles")
    entities = models.ManyToManyField(Entity, through=ArticleEntity, blank=True, related_name="articles")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False)
    content_hash = models.CharField(max_length=64, editable=False, blank=True)
    approved_version = models.ForeignKey(
        "articles.HistoricalArticle",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The version the editor approved: what publishing makes live.",
    )
    live_version = models.ForeignKey(
        "articles.HistoricalArticle",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The approved version readers see.",
    )
    review_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    scheduled_for = models.DateTimeField(null=True, blank=True, editable=False)
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="The public 'Updated' date: moved only by an accepted correction or a noted update.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)
    # A version is the text, the byline, the address and the topics and entities (SNAPSHOT_RELATIONS):
    # simple-history copies those relations' rows with each version it saves.
    history = HistoricalRecords(
        excluded_fields=["live_version", "approved_version", "modified_at"],
        m2m_fields=SNAPSHOT_RELATIONS,
        bases=[ArticleVersion],
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at"]
        permissions = [
            ("view_all_articles", "Can see every article, not only their own"),
            ("review_article", "Can review and change any article: request changes, approve"),
            ("publish_article", "Can publish, schedule and unpublish articles"),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"]),
            models.Index(fields=["status", "scheduled_for"]),
            # The newest live articles first (home page, feeds, sitemap), and the back office's list.
            models.Index(
                fields=["-published_at", "-id"],
                condition=models.Q(live_version__isnull=False),
                name="article_live_newest",
            ),
            models.Index(fields=["-published_at", "-created_at", "-id"], name="article_list_order"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.normalise()
        self.body_html = render_markdown(self.body)
        self.content_hash = content_hash(self, relations(self))
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "body_html", "content_hash", "modified_at"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("articles:detail", args=[self.public_slug])

    def normalise(self) -> None:
        """Browsers submit text areas with CRLF line ends and forms strip the ends: one convention for
        every way in keeps diffs and the unpublished-changes fingerprint honest."""
        self.body = self.body.replace("\r\n", "\n").strip()

    @property
    def public_slug(self) -> str:
        """The address readers know the article by: the live version's slug; once unpublished, that of
        the version that was live then (where its notice stands); the working slug only before that."""
        if self.live_version is not None:
            return self.live_version.slug
        last = self._last_public_version()
        return last.slug if last is not None else self.slug

    def _last_public_version(self):
        """The version that was live when the article was last unpublished, if it ever was."""
        unpublished = (
            self.transitions.filter(to_status=Article.Status.UNPUBLISHED, version__isnull=False)
            .select_related("version")
            .order_by("-at", "-pk")
            .first()
        )
        return unpublished.version if unpublished is not None else None

    @property
    def is_live(self) -> bool:
        return self.live_version_id is not None

    @property
    def public_title(self) -> str:
        """The title readers saw: the live version's; once unpublished, that of the version that was live
        then; the working title only for an article that was never public."""
        if self.live_version is not None:
            return self.live_version.title
        last = self._last_public_version()
        return last.title if last is not None else self.title

    @property
    def has_unpublished_changes(self) -> bool:
        """The working copy differs from what readers see (needs live_version loaded)."""
        return self.live_version is not None and self.live_version.content_hash != self.content_hash

    @property
    def workflow_label(self) -> str:
        if self.has_unpublished_changes:
            return f"{self.get_status_display()}, with unpublished changes"
        return self.get_status_display()

    @property
    def date_modified(self):
        """What JSON-LD calls dateModified: the public Updated date, else the publication date."""
        return self.updated_at or self.published_at


def content_hash(obj, related: dict) -> str:
    """A fingerprint of what readers read, the same for an article and for any of its versions: the
    snapshot's fields and its `relations()`."""
    values = [getattr(obj, field) for field in SNAPSHOT_FIELDS]
    return hashlib.sha256(json.dumps([values, related], default=str).encode()).hexdigest()


def relations(obj) -> dict:
    """The topics and entities of an article's working copy, or of one of its versions, as plain values
    (topic ids; entity ids with the description readers see), in a stable order."""
    if obj.pk is None:
        return {"topics": [], "entities": []}
    if isinstance(obj, Article):
        topics = obj.topics.values_list("pk", flat=True)
        entities = obj.article_entities.values_list("entity_id", "description")
    else:  # a version: the rows simple-history copied when it was saved
        topics = obj.topics.values_list("topic_id", flat=True)
        entities = obj.entities.values_list("entity_id", "description")
    return {"topics": sorted(topics), "entities": sorted([list(entity) for entity in entities])}


class ListingQuerySet(models.QuerySet):
    def of(self, kind: str, target_id: int) -> ListingQuerySet:
        """The live articles listed under one topic, entity or person, newest first."""
        return self.filter(kind=kind, target_id=target_id).order_by("-published_at", "-article_id")


class Listing(models.Model):
    """Where readers find a live article besides its own page, read from its live version: filed under a
    topic, showing an entity (one with a description), naming a person in its byline. An index of the
    live snapshots, rewritten by every move of the live pointer (articles.services: relist) and by
    nothing else, so that a hub reads the newest twenty of one index however many articles there are."""

    class Kind(models.TextChoices):
        TOPIC = "topic", "Topic"
        ENTITY = "entity", "Entity"
        PERSON = "person", "Person"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="listings")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    target_id = models.BigIntegerField()
    published_at = models.DateTimeField()

    objects = ListingQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "target_id", "article"], name="listed_once")]
        indexes = [
            models.Index(fields=["kind", "target_id", "-published_at", "-article"], name="listing_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} under {self.kind} {self.target_id}"


class OldAddress(models.Model):
    """A slug an article was published under before: /articles/<slug>/ answers with a 301 to the
    article's current address, for ever. A slug belongs to one article, live or old."""

    slug = models.SlugField(max_length=300, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="old_addresses")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "old addresses"

    def __str__(self) -> str:
        return f"/articles/{self.slug}/ → {self.article}"


class Transition(models.Model):
    """One move through the workflow: who, when, from, to, why. The article's audit trail."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=Article.Status.choices)
    to_status = models.CharField(max_length=20, choices=Article.Status.choices)
    version = models.ForeignKey(
        "articles.HistoricalArticle", null=True, on_delete=models.PROTECT, related_name="+",
        help_text="The version the move was about: the one approved, published, reviewed.",
    )  # fmt: skip
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True, help_text="What the person said with the move, to the next one.")
    update_note = models.TextField(
        blank=True, help_text="A republication's public note: the substantive update readers are told of."
    )
    override_reason = models.TextField(
        blank=True, help_text="Why the editor published or scheduled over the publish gate's problems."
    )

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["article", "to_status", "at"])]

    def __str__(self) -> str:
        return f"{self.article}: {self.from_status} → {self.to_status}"


class ReviewNote(models.Model):
    """An editor's (or author's) comment on one version of an article."""

    class Kind(models.TextChoices):
        COMMENT = "comment", "Comment"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        APPROVAL = "approval", "Approval"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="review_notes")
    version = models.ForeignKey("articles.HistoricalArticle", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.COMMENT)
    body = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.article}"


class ReviewQueue(Article):
    """The admin's "My review queue": overdue articles first, then those waiting for review, oldest first."""

    class Meta:
        proxy = True
        verbose_name = "article awaiting review"
        verbose_name_plural = "my review queue"
