"""The e-mail outbox: every e-mail is a row first."""

from django.db import models


class OutgoingEmail(models.Model):
    """The outbox. An e-mail is a row first, written in the transaction that caused it; the Celery
    message only rings the bell, and the sweeper re-rings it for rows that were never sent: at once for
    those whose bell could not be rung, after a minute for the others (a message lost with the broker)."""

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
    ring_failed = models.BooleanField(
        default=False,
        help_text="The broker could not be reached to ask a worker to send it: the sweeper will.",
    )
    rung_at = models.DateTimeField(null=True, blank=True, help_text="When the sweeper last asked again.")
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]
        verbose_name = "outgoing e-mail"

    def __str__(self) -> str:
        return f"{self.template} to {self.to}"
