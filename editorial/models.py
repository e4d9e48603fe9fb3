from __future__ import annotations

import datetime
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
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

    CORRECTIONS = "corrections-policy"
    AI_USE = "ai-use-policy"
    PRINCIPLES = "publishing-principles"

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


class OutgoingEmail(models.Model):
    """The outbox. An e-mail is a row first, written in the transaction that caused it; the Celery
    message only rings the bell, and the sweeper re-rings it for rows that were never sent."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        SENT = "sent"
        FAILED = "failed"

    template = models.CharField(max_length=100)
    to = models.EmailField()
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]
        verbose_name = "outgoing e-mail"

    def __str__(self) -> str:
        return f"{self.template} to {self.to}"


# Fact-check queue


class ClaimQuerySet(models.QuerySet):
    def open(self) -> ClaimQuerySet:
        return self.filter(status=Claim.Status.PENDING)

    def blocking(self) -> ClaimQuerySet:
        """Check-worthy claims still waiting for a verdict: what the publish gate refuses on."""
        return self.open().filter(checkworthiness__gte=settings.FACTCHECK_GATE_THRESHOLD)

    def for_checker(self, user) -> ClaimQuerySet:
        return self.filter(assigned_to=user)


class Claim(models.Model):
    """A check-worthy statement in one version of an article, waiting for (or carrying) a verdict."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        VERIFIED = "verified", "Verified"
        CORRECTED = "corrected", "Corrected"
        REMOVED = "removed", "Removed from the text"
        UNVERIFIABLE = "unverifiable", "Unverifiable"
        NOT_A_CLAIM = "not_a_claim", "Not a claim"

    VERDICTS = (Status.VERIFIED, Status.CORRECTED, Status.REMOVED, Status.UNVERIFIABLE, Status.NOT_A_CLAIM)

    class Origin(models.TextChoices):
        MANUAL = "manual", "Added by hand"
        AI = "ai", "Suggested by AI, accepted by a person"

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="claims")
    version = models.ForeignKey(
        "articles.HistoricalArticle",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The version the claim was found in.",
    )
    text = models.TextField(help_text="The claim, as it stands in the article.")
    anchor_start = models.PositiveIntegerField(help_text="Where the claim starts in the body (characters).")
    anchor_end = models.PositiveIntegerField()
    checkworthiness = models.FloatField(
        default=1.0,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="0 to 1: how much the claim needs checking.",
    )
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.MANUAL)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    changed_in = models.ForeignKey(
        "articles.HistoricalArticle",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The later version in which the claim's sentence changed or disappeared.",
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(
        blank=True, help_text="How it was checked, for the other checkers and the editor."
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        permissions = [("check_claim", "Can record verdicts on claims")]
        indexes = [models.Index(fields=["status", "created_at"]), models.Index(fields=["article", "status"])]

    def __str__(self) -> str:
        return self.text[:80]


class Evidence(models.Model):
    """A source for or against a claim; public sources are listed under the article."""

    class Kind(models.TextChoices):
        PRIMARY = "primary", "Primary source"
        SECONDARY = "secondary", "Secondary source"

    class Stance(models.TextChoices):
        SUPPORTS = "supports", "Supports the claim"
        REFUTES = "refutes", "Refutes the claim"
        CONTEXT = "context", "Gives context"

    class LinkStatus(models.TextChoices):
        UNCHECKED = "unchecked", "Not checked yet"
        OK = "ok", "Reachable"
        BROKEN = "broken", "Broken"
        REFUSED = "refused", "Refused (address not allowed)"
        TOO_LARGE = "too_large", "Too large to check"
        UNSUPPORTED = "unsupported", "Not a web page"
        TIMEOUT = "timeout", "Timed out"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="evidence")
    url = models.URLField(max_length=1000)
    title = models.CharField(max_length=300, blank=True)
    quote = models.TextField(blank=True, help_text="The passage that supports or refutes the claim.")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PRIMARY)
    stance = models.CharField(max_length=10, choices=Stance.choices, default=Stance.SUPPORTS)
    public = models.BooleanField(default=False, help_text="List it under the article as a source.")
    link_status = models.CharField(max_length=12, choices=LinkStatus.choices, default=LinkStatus.UNCHECKED)
    link_detail = models.CharField(max_length=300, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    suggested_quote = models.TextField(
        blank=True, help_text="The passage of the page that best matches the claim."
    )
    match_score = models.FloatField(null=True, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "evidence"

    def __str__(self) -> str:
        return self.title or self.url


# AI assist: the ledger


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

    def used_on(self, article) -> AssistJobQuerySet:
        """What the transparency box is built from: accepted help, and checks that ran."""
        return self.filter(article=article, status=AssistJob.Status.SUCCEEDED).filter(
            Q(accepted_at__isnull=False) | Q(kind=AssistJob.Kind.QUALITY)
        )


class AssistJob(models.Model):
    """One request for AI assistance on one version of an article, and what came of it."""

    class Kind(models.TextChoices):
        CLAIMS = "claims", "Check-worthy claims"
        ENTITIES = "entities", "Named entities"
        METADATA = "metadata", "Metadata"
        QUALITY = "quality", "Quality checks"
        SUGGEST = "suggest", "Draft suggestions"

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


# Audit trail of the back office


class AuditEvent(models.Model):
    """Who signed in (or failed to), and who looked at what is not public: drafts, versions, AI output,
    readers' reports. One insert per event; editors read the trail in the admin, nobody edits it."""

    class Kind(models.TextChoices):
        VIEWED = "viewed", "Viewed"
        SIGNED_IN = "signed_in", "Signed in"
        SIGNED_OUT = "signed_out", "Signed out"
        SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
        LOCKED_OUT = "locked_out", "Locked out"
        TWO_FACTOR_ENROLLED = "2fa_enrolled", "Two-factor sign-in set up"
        TWO_FACTOR_FAILED = "2fa_failed", "Two-factor code refused"
        RECOVERY_CODE_USED = "recovery_used", "Recovery code used"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True, help_text="As typed, for failed sign-ins.")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=500, blank=True)
    object_type = models.CharField(max_length=100, blank=True, help_text="app_label.model of what was seen.")
    object_id = models.CharField(max_length=64, blank=True)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "audit event"
        indexes = [
            models.Index(fields=["user", "at"]),
            models.Index(fields=["object_type", "object_id", "at"]),
            models.Index(fields=["kind", "at"]),
        ]

    def __str__(self) -> str:
        who = self.user or self.username or "someone"
        return f"{who} {self.get_kind_display().lower()} {self.object_type} {self.object_id}".strip()
