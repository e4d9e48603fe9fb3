"""Admin building blocks every app's admin uses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import display_for_field
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import cached_property
from simple_history.admin import SimpleHistoryAdmin


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record people read and nobody edits here: what writes it is a service (or Django itself)."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def bulk_action(
    name: str,
    description: str,
    act: Callable[..., object],
    *,
    done: str,
    refused: type[Exception] | tuple[type[Exception], ...],
    label: Callable[[Any], str] = str,
) -> Callable[..., None]:
    """An admin action that calls a service, `act(row, by=user)`, on each selected row. A row the service
    refuses (`refused`) is reported as "<label(row)>: <why>" and the others still go ahead; then
    `done`, formatted with `count`, says how many were done."""

    @admin.action(description=description)
    def action(modeladmin, request, queryset) -> None:
        count = 0
        for row in queryset:
            try:
                act(row, by=request.user)
                count += 1
            except refused as exc:
                modeladmin.message_user(request, f"{label(row)}: {exc}", messages.ERROR)
        if count:
            modeladmin.message_user(request, done.format(count=count), messages.SUCCESS)

    action.__name__ = name
    return action


def _numeric(*ids) -> None:
    if not all(str(value).isdigit() for value in ids):
        raise Http404("No such record.")


class LargeTablePaginator(Paginator):
    """The back office's paginator for tables that grow without bound: an unfiltered list is counted by
    PostgreSQL's estimate (pg_class.reltuples) instead of a full count; a filtered one exactly."""

    @cached_property
    def count(self) -> int:
        query = getattr(self.object_list, "query", None)
        if query is None or query.where or connection.vendor != "postgresql":
            return super().count
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [query.model._meta.db_table])
            row = cursor.fetchone()
        estimate = int(row[0]) if row else -1
        return estimate if estimate >= 0 else super().count


class VersionedAdmin(SimpleHistoryAdmin):
    """simple-history's admin with version pages that only display.

    simple-history's version page is a change form of the old row: a POST saves it, with every field
    not on the form (status, schedule, live pointer) set back to the old values, for anyone who may view
    it. Here it is a read-only record of the version; changes go through the app's services (restoring an
    article version has its own view, with its own permission check)."""

    object_history_form_template = "admin/version.html"

    def history_view(self, request, object_id, extra_context=None):
        _numeric(object_id)
        return super().history_view(request, object_id, extra_context)

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        # simple-history's own adds a select_related() with no arguments for models without foreign keys,
        # which Django deprecates.
        return history_manager.filter(**{pk_name: object_id}).select_related("history_user")

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        _numeric(object_id, version_id)
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        opts = self.model._meta
        history_model = getattr(self.model, opts.simple_history_manager_attribute).model
        record = get_object_or_404(history_model, **{opts.pk.attname: object_id, "history_id": version_id})
        obj = record.instance
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": f"Version of {obj}",
            "opts": opts,
            "app_label": opts.app_label,
            "original": obj,
            "record": record,
            "version_label": getattr(record, "label", f"#{record.history_id}"),
            "rows": self.version_rows(record),
            "change_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]),
            "history_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk]),
            **self.version_context(request, obj, record),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.object_history_form_template, context)

    def version_context(self, request, obj, record) -> dict:
        """What a model's admin adds to its version page (the article's: restore and compare links)."""
        return {}

    def version_rows(self, record) -> list[tuple[str, object]]:
        rows: list[tuple[str, object]] = []
        for field in self.model._meta.fields:
            if not field.editable and field.name != "status" or not hasattr(record, field.attname):
                continue
            if field.is_relation:
                try:
                    value = getattr(record, field.name)
                except ObjectDoesNotExist:
                    value = f"#{getattr(record, field.attname)} (deleted)"
            else:
                value = getattr(record, field.attname)
            rows.append((field.verbose_name, display_for_field(value, field, "-")))
        return rows


class DefaultFirstFilter(admin.SimpleListFilter):
    """A list filter whose unfiltered state is a useful default ("open", "to me") rather than "All":
    staff land on what needs them, and the other lookups stay one click away."""

    default_title = "Default"

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": self.default_title,
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class AssignedToFilter(admin.SimpleListFilter):
    """For queues whose rows have an `assigned_to` person: the desk's and the fact-checkers'."""

    title = "assigned"
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        return [("me", "To me"), ("none", "To nobody")]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(assigned_to=request.user)
        if self.value() == "none":
            return queryset.filter(assigned_to__isnull=True)
        return queryset
