"""The audit trail, read only."""

from django.contrib import admin

from articles.admin_base import ReadOnlyAdmin
from editorial.models import (
    AuditEvent,
)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The trail of sign-ins and of views of non-public pages: editors read it, nobody changes it."""

    list_display = ["at", "kind", "user", "username", "ip_address", "object_type", "object_id", "detail"]
    list_filter = ["kind", "object_type"]
    list_select_related = ["user"]
    search_fields = ["username", "object_id", "path", "detail"]
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
    show_full_result_count = False
