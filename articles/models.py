from __future__ import annotations

from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from articles.markdown import render_markdown


class Topic(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("articles:topic", args=[self.slug])


class ArticleQuerySet(models.QuerySet):
    def live(self) -> ArticleQuerySet:
        """Articles readers can see: published, with an approved version to show."""
        return self.filter(status=Article.Status.PUBLISHED, live_version__isnull=False)

    def with_live_version(self) -> ArticleQuerySet:
        """Load the live snapshot and the people its byline names in the same query."""
        return self.select_related("live_version", "live_version__author", "live_version__editor")

    def for_author(self, user) -> ArticleQuerySet:
        return self.filter(author__user=user)


class Article(models.Model):
    """A story. Every save is a version (history); readers only ever see `live_version`."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        APPROVED = "approved", "Approved"
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHED = "published", "Published"
        UNPUBLISHED = "unpublished", "Unpublished"

    title = models.CharField(max_length=300)
    slug = models.SlugField(
        max_length=300, unique=True, help_text="The article's address: /articles/<slug>/."
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
        help_text="The human editor responsible for this article. Required to publish.",
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="articles")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False)
    live_version = models.ForeignKey(
        "articles.HistoricalArticle",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The approved version readers see.",
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="The public 'Updated' date: moved only by an accepted correction or a noted update.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["live_version", "modified_at"])

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at"]
        permissions = [
            ("view_all_articles", "Can see every article, not only their own"),
            ("review_article", "Can review and change any article: request changes, approve"),
            ("publish_article", "Can publish, schedule and unpublish articles"),
        ]
        indexes = [models.Index(fields=["status", "-published_at"])]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.body_html = render_markdown(self.body)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "body_html", "modified_at"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("articles:detail", args=[self.slug])

    def can_move_to(self, status: str) -> bool:
        return status in ALLOWED.get(self.status, set())

    @property
    def is_live(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.live_version_id is not None

    @property
    def date_modified(self):
        """What JSON-LD calls dateModified: the public Updated date, else the publication date."""
        return self.updated_at or self.published_at


S = Article.Status
# The whole workflow: which status may follow which. articles.services._move() enforces it.
ALLOWED: dict[str, set[str]] = {
    S.DRAFT: {S.IN_REVIEW},
    S.IN_REVIEW: {S.CHANGES_REQUESTED, S.APPROVED},
    S.CHANGES_REQUESTED: {S.IN_REVIEW},
    S.APPROVED: {S.PUBLISHED, S.SCHEDULED},
    S.SCHEDULED: {S.PUBLISHED, S.APPROVED},
    S.PUBLISHED: {S.UNPUBLISHED},
    S.UNPUBLISHED: {S.PUBLISHED},
}
