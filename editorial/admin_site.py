"""The back office's admin site: Django's, with object-level checks where Django has none and an
audit row for every view of what readers have not seen."""

from __future__ import annotations

from functools import wraps

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.http import Http404
from django.urls import path

from editorial.audit import audit_view


class NewsroomAdminSite(admin.AdminSite):
    site_header = "Newsroom"
    site_title = "Newsroom back office"
    index_title = "Newsroom"

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        @wraps(view)
        def audited(request, *args, **kwargs):
            response = inner(request, *args, **kwargs)
            audit_view(request, response)
            return response

        return audited

    def get_urls(self):
        # Django's "view on site" redirect answers for any object to any staff member: an author would
        # learn another author's draft slug. Ours asks the model's admin first.
        urls = [u for u in super().get_urls() if getattr(u, "name", None) != "view_on_site"]
        return [
            path(
                "r/<int:content_type_id>/<path:object_id>/",
                self.admin_view(self.view_on_site),
                name="view_on_site",
            ),
            *urls,
        ]

    def view_on_site(self, request, content_type_id, object_id):
        content_type = ContentType.objects.filter(pk=content_type_id).first()
        model = content_type.model_class() if content_type else None
        model_admin = self._registry.get(model)
        obj = model_admin.get_object(request, object_id) if model_admin else None
        if obj is None or not model_admin.has_view_permission(request, obj):
            raise Http404("No such object, or not one you may see.")
        return shortcut(request, content_type_id, object_id)
