"""Two-factor sign-in for staff (django-otp): an authenticator app (TOTP) and ten single-use recovery codes.

Whoever has set it up always signs in with a code. With STAFF_REQUIRE_2FA on, staff who have not are
sent to set it up before any other back-office page (see NewsroomAdminSite).
"""

from __future__ import annotations

import base64
import time

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.safestring import mark_safe
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from editorial.audit import audit_record
from editorial.models import AuditEvent

RECOVERY_CODES = 10
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
PENDING_KEY = "two_factor_pending_key"  # the session's secret for a set-up not yet confirmed
CODE_HELP = "The 6-digit code your authenticator app shows now, or one of your recovery codes."


def enrolled(user) -> bool:
    return user.is_authenticated and user_has_device(user, confirmed=True)


def verified(user) -> bool:
    """Signed in with a second factor in this session (set by django-otp's OTPMiddleware)."""
    return getattr(user, "is_verified", lambda: False)()


def required(request: HttpRequest) -> bool:
    """Whether the signed-in user must pass two-factor sign-in. Read per request (tests change it)."""
    if settings.STAFF_REQUIRE_2FA:
        return True
    if not hasattr(request, "_two_factor_enrolled"):
        request._two_factor_enrolled = enrolled(request.user)
    return request._two_factor_enrolled


def awaits_enrolment(request: HttpRequest) -> bool:
    """Staff signed in with a password only, who must set up two-factor sign-in before anything else."""
    user = request.user
    return (
        settings.STAFF_REQUIRE_2FA
        and user.is_active
        and user.is_staff
        and not verified(user)
        and not enrolled(user)
    )


def _verify(request: HttpRequest, user, devices, code: str, *, during: str) -> Device:
    """Check `code` against `devices` (a queryset), one verification at a time per device. Returns the
    device that accepted it, or raises ValidationError; either way writes the audit row."""
    accepted, throttled = None, False
    with transaction.atomic():
        for device in devices.select_for_update():
            if not device.verify_is_allowed()[0]:
                throttled = True
            elif device.verify_token(code):
                accepted = device
                break
    # Raised outside the transaction: a refused code's throttling counter must stay saved.
    device = accepted
    if device is None:
        detail = f"{during}: " + (
            "paused after repeated wrong codes" if throttled else "wrong or reused code"
        )
        audit_record(AuditEvent.Kind.TWO_FACTOR_FAILED, request=request, user=user, detail=detail)
        if throttled:
            raise forms.ValidationError(
                "Too many wrong codes in a row: wait a few seconds, then try the newest code.",
                code="throttled",
            )
        raise forms.ValidationError(
            "That code is not valid, or was already used. Codes change every 30 seconds; "
            "each recovery code works once.",
            code="invalid_token",
        )
    if isinstance(device, StaticDevice):
        left = device.token_set.count()
        audit_record(
            AuditEvent.Kind.RECOVERY_CODE_USED, request=request, user=user, detail=f"{during}: {left} left"
        )
    return device


def code_verify(request: HttpRequest, user, code: str, *, during: str = "sign-in") -> Device:
    """Verify a code typed by `user`: six digits go to their authenticator app, anything else to their
    recovery codes. A TOTP code is refused at or before the last one accepted (django-otp's last_t)."""
    code = "".join(str(code).split()).lower()
    model = TOTPDevice if code.isdigit() and len(code) <= 8 else StaticDevice
    return _verify(request, user, model.objects.devices_for_user(user, confirmed=True), code, during=during)


def recovery_codes_replace(user) -> list[str]:
    """Give `user` RECOVERY_CODES new single-use codes; the old ones stop working."""
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def qr_svg(uri: str) -> str:
    """The otpauth:// URI as an inline SVG QR code (no image request, no inline style)."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=20, border=2)
    return mark_safe(image.to_string(encoding="unicode"))  # noqa: S308 - markup generated here


def grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


# Forms


class LoginForm(AdminAuthenticationForm):
    """The back office's sign-in: username, password and, for whoever has set it up, a code."""

    otp_token = forms.CharField(
        label="Two-factor code",
        required=False,
        max_length=32,
        strip=True,
        help_text="If you have set up two-factor sign-in. " + CODE_HELP,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false"}),
    )

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        if user is not None and enrolled(user):
            code = cleaned.get("otp_token")
            if not code:
                raise forms.ValidationError("Enter your two-factor code: " + CODE_HELP, code="token_required")
            # django-otp's user_logged_in receiver stores the device in the session: verified.
            user.otp_device = code_verify(self.request, user, code)
        return cleaned


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=32,
        help_text=CODE_HELP,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "spellcheck": "false", "autofocus": True}
        ),
    )


# Views (wrapped by NewsroomAdminSite: signed-in staff only, verified or not)


def _recovery_codes_page(request, context, codes: list[str], *, title: str) -> HttpResponse:
    return TemplateResponse(
        request, "admin/two_factor/recovery_codes.html", {**context, "title": title, "codes": codes}
    )


def setup(request: HttpRequest, context: dict) -> HttpResponse:
    """Set up the authenticator app: show its secret (text, URI, QR code), confirm with a code, then
    show the recovery codes once. Until confirmed, the secret lives in the session, not in a device."""
    user = request.user
    if TOTPDevice.objects.devices_for_user(user, confirmed=True).exists():
        messages.info(request, "Two-factor sign-in is already set up for your account.")
        return redirect("admin:two_factor")
    if PENDING_KEY not in request.session:
        request.session[PENDING_KEY] = random_hex(20)
    device = TOTPDevice(user=user, name=AUTHENTICATOR_NAME, key=request.session[PENDING_KEY], confirmed=True)
    form = CodeForm(request.POST or None)
    if form.is_valid():
        if _confirm(device, form.cleaned_data["code"]):
            codes = recovery_codes_replace(user)
            del request.session[PENDING_KEY]
            otp_login(request, device)
            audit_record(AuditEvent.Kind.TWO_FACTOR_ENROLLED, request=request, detail="authenticator app")
            return _recovery_codes_page(request, context, codes, title="Two-factor sign-in is on")
        audit_record(AuditEvent.Kind.TWO_FACTOR_FAILED, request=request, detail="set-up: wrong code")
        form.add_error("code", "That is not the code the app shows for this key now. Try the next one.")
    uri = device.config_url
    return TemplateResponse(
        request,
        "admin/two_factor/setup.html",
        {
            **context,
            "title": "Set up two-factor sign-in",
            "form": form,
            "secret": grouped(base64.b32encode(device.bin_key).decode()),
            "uri": uri,
            "qr_svg": qr_svg(uri),
            "required": settings.STAFF_REQUIRE_2FA,
        },
    )


def _confirm(device: TOTPDevice, code: str) -> bool:
    """Check the first code of a device not saved yet; save it if right, with that code spent."""
    code = "".join(code.split())
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if not (code.isdigit() and totp.verify(int(code), device.tolerance)):
        return False
    device.last_t = totp.t()  # the code just typed cannot sign in again
    device.save()
    return True


def status(request: HttpRequest, context: dict) -> HttpResponse:
    """Your two-factor sign-in: whether it is on, and new recovery codes for a current code."""
    user = request.user
    authenticator = TOTPDevice.objects.devices_for_user(user, confirmed=True).first()
    recovery = StaticDevice.objects.devices_for_user(user, confirmed=True).first()
    form = CodeForm(request.POST or None)
    if authenticator is not None and form.is_valid():
        try:
            device = code_verify(request, user, form.cleaned_data["code"], during="new recovery codes")
        except forms.ValidationError as error:
            form.add_error("code", error)
        else:
            codes = recovery_codes_replace(user)
            if not verified(user):
                otp_login(request, device)
            audit_record(AuditEvent.Kind.TWO_FACTOR_ENROLLED, request=request, detail="new recovery codes")
            return _recovery_codes_page(request, context, codes, title="New recovery codes")
    return TemplateResponse(
        request,
        "admin/two_factor/status.html",
        {
            **context,
            "title": "Two-factor sign-in",
            "form": form,
            "authenticator": authenticator,
            "recovery_left": recovery.token_set.count() if recovery else 0,
            "required": settings.STAFF_REQUIRE_2FA,
            "verified": verified(user),
        },
    )


def summary(request: HttpRequest) -> dict:
    """For the back office's home page."""
    return {"enrolled": enrolled(request.user), "required": settings.STAFF_REQUIRE_2FA}
