from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

# Crockford's base 32 without I, L, O, U: easy to read aloud and to type from an e-mail.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_reference() -> str:
    return "CR-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


def new_status_token() -> str:
    return secrets.token_urlsafe(32)


class CorrectionRequestQuerySet(models.QuerySet):
    def open(self) -> CorrectionRequestQuerySet:
        return self.filter(status__in=CorrectionRequest.OPEN)

    def queue(self) -> CorrectionRequestQuerySet:
        """The desk's queue: open requests, suspected automated ones aside."""
        return self.open().filter(suspected_automated=False)

    def suspected(self) -> CorrectionRequestQuerySet:
        """Open requests held back as possibly automated, waiting for the desk to release or file them."""
        return self.open().filter(suspected_automated=True)

    def undigested(self) -> CorrectionRequestQuerySet:
        """Requests no digest has listed yet."""
        return self.filter(digested__isnull=True)


class CorrectionRequest(models.Model):
    """A reader's challenge to something an article says. Stored before anything else happens."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        IN_REVIEW = "in_review", "In review"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        DUPLICATE = "duplicate", "Duplicate"
        SPAM = "spam", "Spam"

    OPEN = (Status.RECEIVED, Status.IN_REVIEW)

    reference = models.CharField(max_length=16, unique=True, default=new_reference, editable=False)
    status_token = models.CharField(max_length=64, unique=True, default=new_status_token, editable=False)
    article = models.ForeignKey(
        "articles.Article", on_delete=models.PROTECT, related_name="correction_requests"
    )
    quoted_text = models.TextField(
        blank=True, help_text="The passage the reader challenges, as they quoted it."
    )
    quote_found = models.BooleanField(
        default=False, help_text="Whether the quoted passage appears in the version the reader saw."
    )
    explanation = models.TextField(help_text="What the reader says is wrong.")
    evidence_url = models.URLField(max_length=500, blank=True)
    name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)

    class Held(models.TextChoices):
        NOT_HELD = "", "Not held"
        TOO_FAST = "too_fast", "Sent faster than a person fills the form in"
        FLOOD = "flood", "Arrived while the article was flooded with reports"

    suspected_automated = models.BooleanField(
        default=False,
        help_text="Held out of the queue (see why) until the desk releases it or files it as spam; the "
        "reader is acknowledged once it is released.",
    )
    held_because = models.CharField(
        "held because",
        max_length=10,
        choices=Held.choices,
        blank=True,
        default=Held.NOT_HELD,
        db_default=Held.NOT_HELD,
        editable=False,
    )
    form_nonce = models.CharField(
        max_length=32,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text="Which showing of the form sent it: a showing sends one report.",
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who on the corrections desk handles it.",
    )
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    reply = models.TextField(blank=True, help_text="What the reader is told of the decision.")
    ip_hash = models.CharField(max_length=64, editable=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = HistoricalRecords()

    objects = CorrectionRequestQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        permissions = [("decide_correctionrequest", "Can accept or decline readers' correction requests")]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["article", "created_at"]),
            models.Index(fields=["suspected_automated", "status"], name="correction_request_held"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} on {self.article}"

    def get_status_url(self) -> str:
        return reverse("corrections:status", args=[self.status_token])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class CorrectionDigest(models.Model):
    """One e-mail digest of new requests sent to the corrections desk. Written with the outbox rows in
    one transaction, so a request is listed in exactly one digest even when the broker or SMTP is down."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    recipients = models.TextField(help_text="The addresses the digest was queued for, one a line.")

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Digest of {self.created_at:%Y-%m-%d %H:%M}"


class DigestedRequest(models.Model):
    """A request listed in a digest; one row per request, so no request is listed twice."""

    digest = models.ForeignKey(CorrectionDigest, on_delete=models.CASCADE, related_name="entries")
    request = models.OneToOneField(CorrectionRequest, on_delete=models.CASCADE, related_name="digested")

    def __str__(self) -> str:
        return f"{self.request_id} in {self.digest_id}"


class CorrectionQuerySet(models.QuerySet):
    def public(self) -> CorrectionQuerySet:
        return self.select_related("article", "article__live_version").order_by("-published_at", "-pk")


class Correction(models.Model):
    """The public record of a correction or clarification to an article. Never deleted."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", "Correction"
        CLARIFICATION = "clarification", "Clarification"

    article = models.ForeignKey("articles.Article", on_delete=models.PROTECT, related_name="corrections")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CORRECTION)
    note = models.TextField(help_text="What was wrong and what is right, as readers will read it.")
    published_at = models.DateTimeField()
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_version = models.ForeignKey(
        "articles.HistoricalArticle", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_version = models.ForeignKey(
        "articles.HistoricalArticle", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requests = models.ManyToManyField(CorrectionRequest, blank=True, related_name="corrections")

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        ordering = ["published_at", "pk"]
        indexes = [models.Index(fields=["-published_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.article}"

    def get_absolute_url(self) -> str:
        return f"{self.article.get_absolute_url()}#correction-{self.pk}"
