from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from editorial.models import Disclosure, OutgoingEmail, Person, PolicyPage


def _manages_people(request) -> bool:
    return request.user.has_perm("editorial.manage_people")


class OwnProfileMixin:
    """Staff without 'manage people' see and change only rows that belong to their own Person.
    Checked per object too, because simple-history's version pages bypass get_queryset()."""

    owner_lookup: str  # the path from the row to its Person's user id

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if _manages_people(request) else qs.filter(**{self.owner_lookup: request.user.pk})

    def _owns(self, request, obj) -> bool:
        return self.model.objects.filter(pk=obj.pk, **{self.owner_lookup: request.user.pk}).exists()

    def has_view_permission(self, request, obj=None) -> bool:
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or _manages_people(request) or self._owns(request, obj))

    def has_change_permission(self, request, obj=None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or _manages_people(request) or self._owns(request, obj))

    def has_delete_permission(self, request, obj=None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or _manages_people(request) or self._owns(request, obj))


class DisclosureInline(admin.TabularInline):
    model = Disclosure
    extra = 0
    fields = ["kind", "statement", "since", "until"]


@admin.register(Person)
class PersonAdmin(OwnProfileMixin, SimpleHistoryAdmin):
    owner_lookup = "user_id"
    list_display = ["name", "title", "slug", "user"]
    list_select_related = ["user"]
    search_fields = ["name", "slug", "title"]
    inlines = [DisclosureInline]
    fields = ["name", "slug", "title", "user", "background", "responsibilities", "links"]

    def get_readonly_fields(self, request, obj=None):
        # Who a profile belongs to, and its public address, are the editors' call.
        return [] if _manages_people(request) else ["slug", "user"]

    def get_prepopulated_fields(self, request, obj=None):
        # Not a class attribute: simple-history's version page reads that one and would expect a slug
        # field that authors' forms do not have.
        return {"slug": ["name"]} if _manages_people(request) else {}


@admin.register(Disclosure)
class DisclosureAdmin(OwnProfileMixin, SimpleHistoryAdmin):
    owner_lookup = "person__user_id"
    list_display = ["person", "kind", "since", "until"]
    list_filter = ["kind"]
    list_select_related = ["person"]
    search_fields = ["person__name", "statement"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "person" and not _manages_people(request):
            kwargs["queryset"] = Person.objects.filter(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(PolicyPage)
class PolicyPageAdmin(SimpleHistoryAdmin):
    list_display = ["title", "slug", "updated_at"]
    readonly_fields = ["slug", "updated_at"]
    fields = ["title", "slug", "body", "updated_at"]

    def has_add_permission(self, request) -> bool:
        return False  # The pages are fixed: the JSON-LD of every article links to them.

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "template", "to", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "template"]
    search_fields = ["to", "subject"]
    readonly_fields = [f.name for f in OutgoingEmail._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
