"""The back office's admin site: Django's, with object-level checks where Django has none, an audit
row for every view of what readers have not seen, and two-factor sign-in for staff."""

from __future__ import annotations

from functools import update_wrapper, wraps

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from editorial import sign_in, two_factor
from editorial.audit import audit_view

# Tables that django-otp and django-axes register in the admin: other people's sign-in devices and failed
# attempts. Only superusers and people managers see them, and never add or change a row (secrets are
# never shown: OTP_ADMIN_HIDE_SENSITIVE_DATA). They may delete a device (to reset someone's second
# factor) or an attempt (to lift a lockout); axes' logs are kept.
PEOPLE_MANAGERS_ONLY = {
    "otp_totp.totpdevice": True,
    "otp_static.staticdevice": True,
    "axes.accessattempt": True,
    "axes.accesslog": False,
    "axes.accessfailurelog": False,
}


def _manages_people(request) -> bool:
    user = request.user
    return (
        user.is_active and user.is_staff and (user.is_superuser or user.has_perm("editorial.manage_people"))
    )


class PeopleManagersOnlyMixin:
    deletable = False

    def has_module_permission(self, request) -> bool:
        return _manages_people(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return _manages_people(request)

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.deletable and _manages_people(request)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        # A people manager may not strip a superuser's second factor.
        if request.user.is_superuser or not hasattr(self.model, "user"):
            return qs
        return qs.exclude(user__is_superuser=True)


class NewsroomAdminSite(admin.AdminSite):
    site_header = "Newsroom"
    site_title = "Newsroom back office"
    index_title = "Newsroom"
    login_form = two_factor.LoginForm
    login_template = "admin/two_factor/login.html"
    index_template = "admin/two_factor/index.html"

    def register(self, model_or_iterable, admin_class=None, **options):
        models = [model_or_iterable] if isinstance(model_or_iterable, type) else list(model_or_iterable)
        for model in models:
            cls = admin_class or admin.ModelAdmin
            if model._meta.label_lower in PEOPLE_MANAGERS_ONLY:
                deletable = PEOPLE_MANAGERS_ONLY[model._meta.label_lower]
                cls = type(cls.__name__, (PeopleManagersOnlyMixin, cls), {"deletable": deletable})
            super().register(model, cls, **options)

    def has_permission(self, request) -> bool:
        """Active staff, and verified by a second factor when that is required of them (django-otp's
        OTPAdminSite, applied only with STAFF_REQUIRE_2FA on or to whoever has set up a device)."""
        if not super().has_permission(request):
            return False
        return two_factor.verified(request.user) or not two_factor.required(request)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        @wraps(view)
        def audited(request, *args, **kwargs):
            if two_factor.awaits_enrolment(request):
                return HttpResponseRedirect(reverse("admin:two_factor_setup", current_app=self.name))
            response = inner(request, *args, **kwargs)
            audit_view(request, response)
            return response

        return audited

    def signed_in_view(self, view):
        """For the pages staff need before their second factor is checked: setting it up, signing out."""

        def inner(request, *args, **kwargs):
            if not super(NewsroomAdminSite, self).has_permission(request):
                return redirect_to_login(
                    request.get_full_path(), reverse("admin:login", current_app=self.name)
                )
            return view(request, *args, **kwargs)

        return csrf_protect(never_cache(update_wrapper(inner, view)))

    def login(self, request, extra_context=None):
        response = super().login(request, extra_context)
        if getattr(request, "axes_locked_out", False):
            # Answered here, so that the sign-in page is never rendered for a refused attempt.
            return sign_in.lockout_response(request, response, getattr(request, "axes_credentials", None))
        return response

    def index(self, request, extra_context=None):
        return super().index(request, {"two_factor": two_factor.summary(request), **(extra_context or {})})

    def two_factor_status(self, request):
        return two_factor.status(request, self.each_context(request))

    def two_factor_setup(self, request):
        return two_factor.setup(request, self.each_context(request))

    def get_urls(self):
        # Django's "view on site" redirect answers for any object to any staff member: an author would
        # learn another author's draft slug. Ours asks the model's admin first.
        # Signing out must work before the second factor is set up: ours skips that check.
        replaced = {"view_on_site", "logout"}
        urls = [u for u in super().get_urls() if getattr(u, "name", None) not in replaced]
        return [
            path(
                "r/<int:content_type_id>/<path:object_id>/",
                self.admin_view(self.view_on_site),
                name="view_on_site",
            ),
            path("logout/", self.signed_in_view(self.logout), name="logout"),
            path("2fa/", self.signed_in_view(self.two_factor_status), name="two_factor"),
            path("2fa/setup/", self.signed_in_view(self.two_factor_setup), name="two_factor_setup"),
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
