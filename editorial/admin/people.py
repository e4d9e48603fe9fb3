"""People, their disclosures and the policy pages: each author their own, editors everyone's."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied

from articles.admin_base import VersionedAdmin
from editorial import services
from editorial.models import (
    Disclosure,
    Person,
    PolicyPage,
)


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


def _through_service(call, *args, **kwargs):
    """Run a people service from an admin view. The admin's permission checks come first, so a refusal here
    is a request the page never offered: answer it as one."""
    try:
        return call(*args, **kwargs)
    except services.PeopleError as exc:
        raise PermissionDenied(str(exc)) from exc


class DisclosureInline(admin.TabularInline):
    model = Disclosure
    extra = 0
    fields = ["kind", "statement", "since", "until"]


class DisclosuresThroughServices:
    """Disclosures are saved and removed through the people services, on their own page or inline."""

    def save_formset(self, request, form, formset, change) -> None:
        if formset.model is not Disclosure:
            return super().save_formset(request, form, formset, change)
        for disclosure in formset.save(commit=False):
            _through_service(services.disclosure_save, disclosure, by=request.user)
        for disclosure in formset.deleted_objects:
            _through_service(services.disclosure_delete, disclosure, by=request.user)


@admin.register(Person)
class PersonAdmin(DisclosuresThroughServices, OwnProfileMixin, VersionedAdmin):
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

    def save_model(self, request, obj, form, change) -> None:
        _through_service(services.person_save, obj, by=request.user)


@admin.register(Disclosure)
class DisclosureAdmin(OwnProfileMixin, VersionedAdmin):
    owner_lookup = "person__user_id"
    list_display = ["person", "kind", "since", "until"]
    list_filter = ["kind"]
    list_select_related = ["person"]
    search_fields = ["person__name", "statement"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "person" and not _manages_people(request):
            kwargs["queryset"] = Person.objects.filter(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change) -> None:
        _through_service(services.disclosure_save, obj, by=request.user)

    def delete_model(self, request, obj) -> None:
        _through_service(services.disclosure_delete, obj, by=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for disclosure in queryset:
            _through_service(services.disclosure_delete, disclosure, by=request.user)


@admin.register(PolicyPage)
class PolicyPageAdmin(VersionedAdmin):
    list_display = ["title", "slug", "updated_at"]
    readonly_fields = ["slug", "updated_at"]
    fields = ["title", "slug", "body", "updated_at"]

    def has_add_permission(self, request) -> bool:
        return False  # The pages are fixed: the JSON-LD of every article links to them.

    def save_model(self, request, obj, form, change) -> None:
        _through_service(services.policy_page_save, obj, by=request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
