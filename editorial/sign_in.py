"""Signing in to the back office: django-axes' lockout, tuned for the newsroom, and the audit rows of
every sign-in, failed sign-in, lockout and sign-out.

Axes counts failures in PostgreSQL (its database handler: the lockout holds while Redis is down). Its
backend comes first in AUTHENTICATION_BACKENDS, so a locked-out attempt is refused before any password
is hashed.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db.models import Max, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.csp import build_policy

from editorial.audit import audit_record
from editorial.models import AuditEvent


class LoginAttemptHandler(AxesDatabaseHandler):
    """Axes' database handler with two limits within the cool-off period: LOGIN_FAILURE_LIMIT failures
    for one username from one address, LOGIN_FAILURE_LIMIT_PER_ADDRESS from one address in all."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        # AXES_LOCKOUT_PARAMETERS lists (username, address) first, then the address alone.
        _, from_address = self.get_user_attempts(request, credentials)
        username = get_client_username(request, credentials)
        counts = from_address.aggregate(
            address=Sum("failures_since_start"),
            username=Sum("failures_since_start", filter=Q(username=username)),
        )
        per_username, per_address = counts["username"] or 0, counts["address"] or 0
        if per_address >= settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS:
            return max(per_username, get_failure_limit(request, credentials))
        return per_username


def locked_until(request: HttpRequest, username: str | None) -> datetime:
    """When this client may sign in again: the cool-off after the latest failure counted against it (the
    address's, when the address is over its own limit)."""
    cool_off = get_cool_off(request)
    counts = AccessAttempt.objects.filter(
        ip_address=request.axes_ip_address, attempt_time__gte=timezone.now() - cool_off
    ).aggregate(
        address=Sum("failures_since_start"),
        latest=Max("attempt_time"),
        latest_for_username=Max("attempt_time", filter=Q(username=username)),
    )
    if (counts["address"] or 0) >= settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS:
        latest = counts["latest"]
    else:
        latest = counts["latest_for_username"]
    return (latest or timezone.now()) + cool_off


def lockout_response(request: HttpRequest, original_response=None, credentials: dict | None = None):
    """The page a locked-out sign-in gets (429): why, and when to try again. No password was checked.
    Called by the admin's login view, then by axes' middleware, which gets the same page back."""
    if getattr(original_response, "is_lockout_page", False):
        return original_response
    username = get_client_username(request, credentials) or ""
    until = locked_until(request, username)
    context = {
        "site_header": admin.site.site_header,
        "site_title": admin.site.site_title,
        "title": "Signing in is paused",
        "username": username,
        "until": until,
        "minutes": settings.LOGIN_COOLOFF_MINUTES,
        "failure_limit": settings.LOGIN_FAILURE_LIMIT,
    }
    # Rendered now: the middleware returns it after the view has run.
    response: HttpResponse = render(request, "axes/lockout.html", context, status=429)
    response["Retry-After"] = str(max(1, int((until - timezone.now()).total_seconds())))
    response.is_lockout_page = True
    return response


def _first_refusal_this_minute(request: HttpRequest, username: str) -> bool:
    """A flood of refused attempts is recorded once a minute per address and username, not once per
    attempt: the trail shows it without growing by a row for every guess. Without the cache, every one."""
    digest = hashlib.sha256(f"{request.axes_ip_address}\n{username}".encode()).hexdigest()[:32]
    try:
        return cache.add(f"sign-in-refused:{digest}", 1, 60)
    except Exception:  # the cache backend's connection errors differ by backend
        return True


class LockoutGateMiddleware:
    """Near the top of the stack: a sign-in attempt from a client that is locked out is answered here,
    before sessions, CSRF, authentication and the admin's login view run. One lookup, one audit row, the
    lockout page: a flood of attempts costs the server little, so readers do not wait behind it. The
    headers the later middleware would add (frame and content policies) are set here."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.login_path = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.login_path is None:
            self.login_path = reverse("admin:login")
        if request.method == "POST" and request.path_info == self.login_path and settings.AXES_ENABLED:
            credentials = {"username": request.POST.get("username", "")}
            if AxesProxyHandler.is_locked(request, credentials):
                return self.refuse(request, credentials)
        return self.get_response(request)

    def refuse(self, request: HttpRequest, credentials: dict) -> HttpResponse:
        request.user = AnonymousUser()
        if _first_refusal_this_minute(request, credentials["username"]):
            audit_record(
                AuditEvent.Kind.SIGN_IN_FAILED,
                request=request,
                username=credentials["username"],
                detail="refused without checking the password: locked out (one row a minute per address "
                "and username while the refusals go on)",
            )
        response = lockout_response(request, credentials=credentials)
        response["X-Frame-Options"] = "DENY"
        response["Content-Security-Policy"] = build_policy(settings.SECURE_CSP)
        response["Cache-Control"] = "no-store"
        return response


def _device_detail(user) -> str:
    device = getattr(user, "otp_device", None)
    if device is None:
        return "password only"
    if device._meta.model_name == "staticdevice":
        return "password and a recovery code"
    return "password and an authenticator code"


# Receivers, connected in EditorialConfig.ready(). Axes' own receivers run first (they are connected when
# axes.signals is imported), so request.axes_* describe the attempt by the time ours run.


def audit_signed_in(sender, request, user, **kwargs) -> None:
    audit_record(AuditEvent.Kind.SIGNED_IN, request=request, user=user, detail=_device_detail(user))


def audit_signed_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(AuditEvent.Kind.SIGNED_OUT, request=request, user=user)


def _refused_while_locked_out(request) -> bool:
    # Axes' backend flags a refused attempt before the signal; the attempt that starts a lockout is
    # flagged by the handler, which also counts its failures.
    return bool(getattr(request, "axes_locked_out", False)) and (
        getattr(request, "axes_failures_since_start", None) is None
    )


def audit_sign_in_failed(sender, credentials: dict, request=None, **kwargs) -> None:
    username = str(credentials.get("username") or "")
    if request is not None and _refused_while_locked_out(request):
        detail = "refused without checking the password: locked out"
    else:
        detail = "wrong username or password"
    audit_record(AuditEvent.Kind.SIGN_IN_FAILED, request=request, username=username, detail=detail)


def audit_locked_out(sender, request, username, ip_address, **kwargs) -> None:
    if request is None or _refused_while_locked_out(request):
        return  # the failed sign-in's row says so; the lockout was recorded when it began
    failures = getattr(request, "axes_failures_since_start", None)
    until = locked_until(request, username)
    audit_record(
        AuditEvent.Kind.LOCKED_OUT,
        request=request,
        username=username or "",
        detail=f"after {failures} failed sign-ins; until {timezone.localtime(until):%Y-%m-%d %H:%M %Z}",
    )
