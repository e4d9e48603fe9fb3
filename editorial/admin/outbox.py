"""The outbox, read only."""

from django.contrib import admin

from articles.admin_base import ReadOnlyAdmin
from editorial.models import (
    OutgoingEmail,
)


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "template", "to", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "template"]
    search_fields = ["to", "subject"]
    readonly_fields = [f.name for f in OutgoingEmail._meta.fields]
