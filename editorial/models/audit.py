"""The back office's audit trail."""

from django.conf import settings
from django.db import models


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
