from django.conf import settings
from django.db import models


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

    class Meta:
        ordering = ["published_at"]
        indexes = [models.Index(fields=["-published_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.article}"
