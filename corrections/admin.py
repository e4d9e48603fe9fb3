from django.contrib import admin

from corrections.models import Correction


@admin.register(Correction)
class CorrectionAdmin(admin.ModelAdmin):
    list_display = ["published_at", "article", "kind", "accepted_by"]
    list_filter = ["kind"]
    list_select_related = ["article", "accepted_by"]
    search_fields = ["note", "article__title"]
    raw_id_fields = ["article", "from_version", "to_version"]
    readonly_fields = ["accepted_by", "published_at"]

    # Corrections are written only by accepting a reader's request or an editor's correction, through
    # corrections.services; the admin shows the record and never deletes it.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
