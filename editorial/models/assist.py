"""AI assist: the ledger of jobs and of every call that left the building."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q


class AssistJobQuerySet(models.QuerySet):
    def stranded(self, now) -> AssistJobQuerySet:
        """Jobs whose bell went unanswered (queued too long) or whose worker died (lease expired)."""
        return self.filter(
            Q(
                status=AssistJob.Status.QUEUED,
                created_at__lt=now - timedelta(seconds=settings.AI_JOB_LEASE_SECONDS),
            )
            | Q(status=AssistJob.Status.RUNNING, lease_until__lt=now)
        )


class AssistJob(models.Model):
    """One request for AI assistance on one version of an article, and what came of it."""

    class Kind(models.TextChoices):
        """Every kind of AI assistance, defined here once: the AI contract's schemas, the providers, the
        admin's buttons and actions and the readers' transparency box all follow this list."""

        CLAIMS = "claims", "Check-worthy claims"
        ENTITIES = "entities", "Named entities"
        METADATA = "metadata", "Metadata"
        QUALITY = "quality", "Quality checks"
        SUGGEST = "suggest", "Draft suggestions"

        @property
        def ask(self) -> str:
            """The button that asks for this kind of help on an article."""
            return _KIND_TEXT[self][0]

        @property
        def told_readers(self) -> str:
            """What the transparency box calls this help, in the middle of a sentence."""
            return _KIND_TEXT[self][1]

        @property
        def in_bulk(self) -> bool:
            """Asked for from the article list too; rewrites are asked for one article at a time."""
            return self != AssistJob.Kind.SUGGEST

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    article = models.ForeignKey("articles.Article", on_delete=models.PROTECT, related_name="assist_jobs")
    version = models.ForeignKey("articles.HistoricalArticle", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    provider = models.CharField(max_length=20)
    model = models.CharField(max_length=100)
    prompt_version = models.CharField(max_length=20)
    input_sha256 = models.CharField(max_length=64)
    output = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    tokens_in = models.PositiveIntegerField(null=True, blank=True)
    tokens_out = models.PositiveIntegerField(null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted = models.JSONField(
        default=list, blank=True, help_text="Which parts of the output people accepted."
    )

    objects = AssistJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "AI assist job"
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["article", "kind", "input_sha256"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.article} ({self.get_status_display().lower()})"

    @property
    def duration_ms(self) -> int | None:
        if self.started_at and self.finished_at:
            return int((self.finished_at - self.started_at).total_seconds() * 1000)
        return None


_KIND_TEXT: dict[str, tuple[str, str]] = {
    AssistJob.Kind.CLAIMS: ("Find claims", "finding check-worthy claims for the fact-checkers' queue"),
    AssistJob.Kind.ENTITIES: ("Find entities", "identifying the named entities in the text"),
    AssistJob.Kind.METADATA: (
        "Suggest metadata",
        "suggesting metadata such as the standfirst and search description",
    ),
    AssistJob.Kind.QUALITY: ("Check quality", "quality checks on readability, attribution and style"),
    AssistJob.Kind.SUGGEST: ("Suggest rewrites", "suggesting rewrites of some passages"),
}


class AICall(models.Model):
    """Every request that left the building for an AI provider: what, to whom, for whom. Written before
    the request is sent (pending) and completed when it returns, so a call cut short still shows."""

    class Status(models.TextChoices):
        PENDING = "pending", "Sent, no answer yet"
        SUCCEEDED = "succeeded", "Answered"
        FAILED = "failed", "Failed"
        CUT_SHORT = "cut_short", "Cut short (the worker stopped mid-call)"

    job = models.ForeignKey(AssistJob, on_delete=models.PROTECT, related_name="calls")
    attempt = models.PositiveSmallIntegerField(default=1, help_text="The job's attempt that made the call.")
    provider = models.CharField(max_length=20)
    model = models.CharField(max_length=100)
    bytes_sent = models.PositiveIntegerField()
    input_sha256 = models.CharField(max_length=64)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = "outbound AI call"
        indexes = [models.Index(fields=["status", "at"])]

    def __str__(self) -> str:
        return f"{self.bytes_sent} bytes to {self.provider}/{self.model} for job {self.job_id}"
