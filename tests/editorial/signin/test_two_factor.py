import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from editorial import two_factor
from editorial.models import AuditEvent
from tests.factories import UserFactory

PASSWORD = "password"


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


def pending_device(client, user) -> TOTPDevice:
    """The device the set-up page shows, from the secret it keeps in the session."""
    return TOTPDevice(user=user, key=client.session[two_factor.PENDING_KEY])


def sign_in(client, username, code="", password=PASSWORD):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "otp_token": code, "next": "/admin/"},
    )


def enrol(user) -> tuple[TOTPDevice, list[str]]:
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return device, two_factor.recovery_codes_replace(user)


def kinds() -> list[str]:
    return list(AuditEvent.objects.order_by("pk").values_list("kind", flat=True))


@pytest.fixture
def required(settings):
    settings.STAFF_REQUIRE_2FA = True


def test_it_sends_a_password_only_sign_in_to_enrolment(client, required, bob):
    assert sign_in(client, "bob").status_code == 302
    setup = reverse("admin:two_factor_setup")

    for page in ["admin:index", "admin:articles_article_changelist", "admin:password_change"]:
        assert client.get(reverse(page)).url == setup
    response = client.get(setup)
    assert response.status_code == 200
    assert not TOTPDevice.objects.exists()  # the secret waits in the session until confirmed
    device = pending_device(client, bob)
    page = response.content.decode()
    assert two_factor.grouped(two_factor.base64.b32encode(device.bin_key).decode()) in page
    assert "otpauth://totp/" in page and "<svg" in page and "style=" not in page.split("<svg", 1)[1]
    assert client.post(reverse("admin:logout")).status_code == 200
    assert "_auth_user_id" not in client.session


def test_it_enrols_with_a_code_from_the_app(client, required, bob):
    sign_in(client, "bob")
    client.get(reverse("admin:two_factor_setup"))
    code = code_for(pending_device(client, bob))

    response = client.post(reverse("admin:two_factor_setup"), {"code": code})

    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10 == StaticToken.objects.filter(device__user=bob, token__in=codes).count()
    assert TOTPDevice.objects.get(user=bob).confirmed
    assert client.get(reverse("admin:index")).status_code == 200
    assert kinds() == [AuditEvent.Kind.SIGNED_IN, AuditEvent.Kind.TWO_FACTOR_ENROLLED]
    client.post(reverse("admin:logout"))
    assert sign_in(client, "bob", code).status_code == 200  # the set-up code is spent


def test_it_refuses_a_wrong_code_at_enrolment(client, required, bob):
    sign_in(client, "bob")
    client.get(reverse("admin:two_factor_setup"))

    response = client.post(reverse("admin:two_factor_setup"), {"code": "000000x"})

    assert response.status_code == 200 and response.context["form"].errors["code"]
    assert not TOTPDevice.objects.exists()
    assert client.get(reverse("admin:index")).url == reverse("admin:two_factor_setup")
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.TWO_FACTOR_FAILED).count() == 1


def test_it_signs_in_with_password_and_code(client, required, bob):
    device, _ = enrol(bob)

    assert sign_in(client, "bob", code_for(device)).status_code == 302

    assert client.get(reverse("admin:index")).status_code == 200
    assert (
        AuditEvent.objects.get(kind=AuditEvent.Kind.SIGNED_IN).detail == "password and an authenticator code"
    )


def test_it_refuses_a_code_already_used(client, required, bob):
    device, _ = enrol(bob)
    code = code_for(device)
    assert sign_in(client, "bob", code).status_code == 302
    client.post(reverse("admin:logout"))
    device.refresh_from_db()
    assert device.last_t >= 0

    response = sign_in(client, "bob", code)

    assert response.status_code == 200
    assert "already used" in str(response.context["form"].non_field_errors())
    assert "_auth_user_id" not in client.session
    assert kinds()[-1] == AuditEvent.Kind.TWO_FACTOR_FAILED


def test_it_accepts_a_recovery_code_once(client, required, bob):
    _, codes = enrol(bob)

    assert sign_in(client, "bob", codes[0].upper()).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
    client.post(reverse("admin:logout"))
    assert sign_in(client, "bob", codes[0]).status_code == 200

    assert StaticToken.objects.filter(device__user=bob).count() == 9
    used = AuditEvent.objects.get(kind=AuditEvent.Kind.RECOVERY_CODE_USED)
    assert used.user == bob and used.detail == "sign-in: 9 left"
    assert kinds().count(AuditEvent.Kind.TWO_FACTOR_FAILED) == 1


def test_it_asks_for_the_code_of_whoever_has_set_it_up_even_when_optional(client, bob, carol):
    device, _ = enrol(bob)

    response = sign_in(client, "bob")
    assert response.status_code == 200
    assert "Enter your two-factor code" in str(response.context["form"].non_field_errors())
    assert sign_in(client, "bob", code_for(device)).status_code == 302
    client.post(reverse("admin:logout"))

    assert sign_in(client, "carol").status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_it_sends_an_enrolled_user_without_a_code_in_this_session_to_sign_in(client, bob):
    enrol(bob)
    client.force_login(bob)  # a password-only session, from before bob set it up

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))
    assert client.get(reverse("admin:two_factor")).status_code == 200


def test_it_makes_new_recovery_codes_for_a_current_code(client, settings, required, bob):
    settings.OTP_STATIC_THROTTLE_FACTOR = 0  # no pause after the wrong code
    device, old = enrol(bob)
    sign_in(client, "bob", code_for(device))

    refused = client.post(reverse("admin:two_factor"), {"code": "nonsense"})
    assert refused.context["form"].errors["code"]
    response = client.post(reverse("admin:two_factor"), {"code": old[1]})

    new = response.context["codes"]
    assert set(StaticToken.objects.filter(device__user=bob).values_list("token", flat=True)) == set(new)
    assert client.get(reverse("admin:index")).status_code == 200  # still verified
    assert "10</strong> unused recovery codes" in client.get(reverse("admin:two_factor")).content.decode()


def test_it_offers_enrolment_when_optional(client, alice):
    client.force_login(alice)

    page = client.get(reverse("admin:two_factor")).content.decode()

    assert "off</strong> for your account" in page and "optional" in page
    assert client.get(reverse("admin:two_factor_setup")).status_code == 200


def test_it_shows_devices_only_to_people_managers(client, bob, alice, dave):
    boss = UserFactory(username="boss", is_superuser=True)
    enrol(dave)
    enrol(UserFactory(username="chief", is_superuser=True))
    changelist = reverse("admin:otp_totp_totpdevice_changelist")

    client.force_login(alice)
    assert client.get(changelist).status_code == 403
    client.force_login(bob)
    response = client.get(changelist)
    assert response.status_code == 200
    assert [d.user.username for d in response.context["cl"].result_list] == ["dave"]
    assert client.get(reverse("admin:otp_totp_totpdevice_add")).status_code == 403
    client.force_login(boss)
    assert len(client.get(changelist).context["cl"].result_list) == 2
