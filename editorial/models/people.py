"""The people named on the site, their disclosures, and the publisher's policy pages."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from articles.markdown import render_markdown


class Person(models.Model):
    """Someone named on the site: an author, an editor, a fact-checker. Their public profile is the
    reader's answer to "who wrote this, and what might sway them?"."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
        help_text="The staff account that acts as this person. Leave empty for contributors without a login.",
    )
    name = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200, unique=True, help_text="The last part of the profile's address: /authors/this-part/."
    )
    title = models.CharField(
        max_length=200, blank=True, help_text="Role as shown in the byline, e.g. Editor."
    )
    background = models.TextField(blank=True, help_text="Experience and expertise readers should know about.")
    responsibilities = models.TextField(
        blank=True, help_text="What this person is responsible for in the newsroom (beats, desks, review)."
    )
    links = models.TextField(blank=True, help_text="Public links, one address per line.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
        permissions = [("manage_people", "Can manage every person's profile and disclosures")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("editorial:author", args=[self.slug])

    @property
    def link_list(self) -> list[str]:
        """The public links, web addresses only: a javascript: or data: line never becomes a link."""
        lines = (line.strip() for line in self.links.splitlines())
        return [line for line in lines if line.lower().startswith(("https://", "http://"))]


class DisclosureQuerySet(models.QuerySet):
    def active(self, on: datetime.date | None = None) -> DisclosureQuerySet:
        on = on or timezone.localdate()
        return self.filter(since__lte=on).filter(Q(until__isnull=True) | Q(until__gte=on))


class Disclosure(models.Model):
    """A potential conflict of interest, published on the person's profile while it is active."""

    class Kind(models.TextChoices):
        FINANCIAL = "financial", "Financial interest"
        EMPLOYMENT = "employment", "Employment"
        RELATIONSHIP = "relationship", "Personal relationship"
        FUNDING = "funding", "Funding"
        AI_USE = "ai_use", "Use of AI tools"
        OTHER = "other", "Other"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="disclosures")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    statement = models.TextField(help_text="What readers should know, in plain words.")
    since = models.DateField(default=timezone.localdate)
    until = models.DateField(null=True, blank=True, help_text="Leave empty while it still applies.")
    history = HistoricalRecords()

    objects = DisclosureQuerySet.as_manager()

    class Meta:
        ordering = ["-since", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=models.F("since")),
                name="disclosure_until_after_since",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.person}"


class PolicyPage(models.Model):
    """A publisher policy readers and search engines can cite (corrections policy, AI use, principles)."""

    class Slug(models.TextChoices):
        """The policies the site links to, defined here once: templates reach them as `policy.<NAME>`,
        the article's schema.org data and the pages' first versions (editorial.roles) name them here."""

        CORRECTIONS = "corrections-policy", "Corrections policy"
        AI_USE = "ai-use-policy", "How we use AI"
        PRINCIPLES = "publishing-principles", "Publishing principles"

    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Markdown.")
    body_html = models.TextField(editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]
        verbose_name = "policy page"

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.body_html = render_markdown(self.body)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "body_html", "updated_at"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("editorial:policy", args=[self.slug])
