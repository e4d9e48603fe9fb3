from datetime import timedelta
from unittest import mock

import pytest
from axes.models import AccessAttempt
from axes.utils import reset
from django.contrib.auth.hashers import MD5PasswordHasher
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from editorial.models import AuditEvent

HERE = "198.51.100.7"
ELSEWHERE = "203.0.113.9"


def sign_in(client, username, password, address=HERE, **headers):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
        **headers,
    )


def fail(client, username, times, address=HERE, **headers):
    return [sign_in(client, username, "wrong", address, **headers).status_code for _ in range(times)]


def test_it_locks_out_a_username_from_an_address_after_the_limit(client, bob, carol):
    assert fail(client, "bob", 5) == [200, 200, 200, 200, 429]

    refused = sign_in(client, "bob", "password")
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session
    # Someone else at the same address, and bob elsewhere, are not locked out.
    assert sign_in(client, "carol", "password").status_code == 302
    client.logout()
    assert sign_in(client, "bob", "password", ELSEWHERE).status_code == 302


def test_it_locks_out_an_address_that_tries_many_usernames(client, settings, bob):
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 8
    results = [fail(client, name, 2) for name in ["ann", "ben", "cat", "dan"]]

    # Each username is under its own limit; the address reaches its own at the eighth failure.
    assert results == [[200, 200], [200, 200], [200, 200], [200, 429]]
    assert sign_in(client, "bob", "password").status_code == 429
    assert sign_in(client, "bob", "password", ELSEWHERE).status_code == 302


def test_it_explains_the_lockout_and_when_it_ends(client, bob):
    response = fail(client, "bob", 4) and sign_in(client, "bob", "wrong")

    assert response.status_code == 429
    assert 800 <= int(response["Retry-After"]) <= 900
    page = response.content.decode()
    assert "Too many failed sign-ins" in page and "You can try again after" in page
    assert "<strong>bob</strong>" in page
    assert "admin/two_factor/login.html" not in [t.name for t in response.templates]  # never rendered


def test_it_accepts_the_right_password_after_the_cool_off(client, bob):
    fail(client, "bob", 5)
    assert sign_in(client, "bob", "password").status_code == 429

    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=16))
    assert sign_in(client, "bob", "password").status_code == 302


def test_it_accepts_the_right_password_once_an_admin_lifts_the_lockout(client, bob):
    fail(client, "bob", 5)
    assert sign_in(client, "bob", "password").status_code == 429

    reset(ip=HERE, username="bob")
    assert sign_in(client, "bob", "password").status_code == 302


def test_it_does_not_count_attempts_made_while_locked_out(client, bob):
    fail(client, "bob", 5)
    fail(client, "bob", 5)

    assert AccessAttempt.objects.get().failures_since_start == 5


def spy(method: str):
    return mock.patch.object(
        MD5PasswordHasher, method, autospec=True, side_effect=getattr(MD5PasswordHasher, method)
    )


def test_it_answers_a_locked_out_attempt_without_hashing_a_password(client, bob):
    with spy("verify") as checked, spy("encode") as hashed:
        fail(client, "bob", 5)
        assert checked.call_count == 5  # checked while not locked out
        checked.reset_mock()
        hashed.reset_mock()

        assert sign_in(client, "bob", "password").status_code == 429
        assert checked.call_count == 0 and hashed.call_count == 0

        for i in range(5):
            sign_in(client, f"user{i}", "guess")  # unknown users: Django hashes once, as for a known one
        assert hashed.call_count == 5  # the last is the tenth failure from this address
        hashed.reset_mock()
        assert sign_in(client, "someone-else", "guess").status_code == 429
        assert checked.call_count == 0 and hashed.call_count == 0


def test_it_writes_an_audit_row_for_each_attempt_and_one_for_the_lockout(client, bob):
    fail(client, "bob", 5)
    sign_in(client, "bob", "password")

    rows = list(AuditEvent.objects.order_by("pk").values_list("kind", "username", "ip_address", "detail"))
    failed = [r for r in rows if r[0] == AuditEvent.Kind.SIGN_IN_FAILED]
    locked = [r for r in rows if r[0] == AuditEvent.Kind.LOCKED_OUT]
    assert len(failed) == 6 and all(r[1:3] == ("bob", HERE) for r in failed)
    assert [r[3] for r in failed[:5]] == ["wrong username or password"] * 5
    assert failed[5][3].startswith("refused without checking the password: locked out")
    assert len(locked) == 1 and locked[0][1] == "bob" and locked[0][3].startswith("after 5 failed sign-ins")


def test_it_writes_audit_rows_for_signing_in_and_out(client, bob):
    sign_in(client, "bob", "password")
    client.post(reverse("admin:logout"), REMOTE_ADDR=HERE)

    rows = list(AuditEvent.objects.order_by("pk").values_list("kind", "user", "ip_address", "detail"))
    assert rows == [
        (AuditEvent.Kind.SIGNED_IN, bob.pk, HERE, "password only"),
        (AuditEvent.Kind.SIGNED_OUT, bob.pk, HERE, ""),
    ]


@pytest.mark.parametrize("num_proxies, expected", [(0, "10.0.0.2"), (1, "203.0.113.50"), (2, "192.0.2.1")])
def test_it_counts_the_address_the_configured_proxies_saw(client, settings, bob, num_proxies, expected):
    settings.NUM_PROXIES = num_proxies
    forwarded = "192.0.2.1, 203.0.113.50"
    for spoofed in range(5):
        sign_in(client, "bob", "wrong", "10.0.0.2", HTTP_X_FORWARDED_FOR=f"10.9.9.{spoofed}, {forwarded}")

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {expected}
    refused = sign_in(client, "bob", "password", "10.0.0.2", HTTP_X_FORWARDED_FOR=f"10.9.9.99, {forwarded}")
    assert refused.status_code == 429


def test_a_flood_of_refused_attempts_is_recorded_once_a_minute(client, bob):
    fail(client, "bob", 5)
    for _ in range(20):
        sign_in(client, "bob", "another guess")
    refused = AuditEvent.objects.filter(kind=AuditEvent.Kind.SIGN_IN_FAILED, detail__startswith="refused")
    assert refused.count() == 1


def test_a_locked_out_attempt_is_answered_before_the_rest_of_the_stack(client, bob):
    """No session, CSRF check, authentication or admin view: a lookup, an audit row, the page."""
    fail(client, "bob", 5)
    with CaptureQueriesContext(connection) as queries:
        response = Client(enforce_csrf_checks=True).post(
            reverse("admin:login"), {"username": "bob", "password": "guess"}, REMOTE_ADDR=HERE
        )
    assert response.status_code == 429  # without a CSRF token: the CSRF check never ran
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert len(queries) <= 4, [q["sql"][:80] for q in queries.captured_queries]
