"""The fact-check queue: claims and their evidence."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


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


class EvidenceQuerySet(models.QuerySet):
    def confirmed(self) -> EvidenceQuerySet:
        """Sources readers may be sent to: the link check reached the page, or a fact-checker checked
        it by hand."""
        return self.filter(Q(link_status=Evidence.LinkStatus.OK) | Q(checked_by_hand=True))


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
    checked_by_hand = models.BooleanField(
        default=False,
        help_text="You opened the source yourself and it says what the quote says: for a page the "
        "automatic link check cannot reach or read (a paywall, an intranet, a PDF).",
    )
    hand_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    hand_checked_at = models.DateTimeField(null=True, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "evidence"

    def __str__(self) -> str:
        return self.title or self.url
