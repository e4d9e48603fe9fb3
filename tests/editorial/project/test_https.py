"""HTTPS in production: plain HTTP is redirected (the health probe aside), browsers are told to use HTTPS
only, and the settings refuse values they cannot mean."""

import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured

from editorial.settings import envbool, envint


@pytest.fixture
def https_only(settings, db):
    """The README's production values."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.ALLOWED_HOSTS = ["news.example.org"]


def test_it_redirects_plain_http_to_https(client, https_only):
    response = client.get("/robots.txt", HTTP_HOST="news.example.org")
    assert response.status_code == 301
    assert response["Location"] == "https://news.example.org/robots.txt"


def test_it_tells_browsers_to_use_https_only(client, https_only):
    response = client.get("/robots.txt", HTTP_HOST="news.example.org", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_it_answers_the_health_probe_over_plain_http(client, https_only):
    # As docker-compose.yml's health check asks: plain HTTP, the site's own host.
    response = client.get("/healthz", HTTP_HOST="news.example.org")
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response


def test_it_sends_no_hsts_by_default(client, db):
    assert "Strict-Transport-Security" not in client.get("/robots.txt", secure=True)


@pytest.mark.parametrize(
    ("value", "expected"), [("true", True), ("On", True), ("1", True), ("no", False), ("0", False)]
)
def test_it_reads_yes_and_no(monkeypatch, value, expected):
    monkeypatch.setenv("NEWSROOM_TEST_FLAG", value)
    assert envbool("NEWSROOM_TEST_FLAG", default=not expected) is expected


def test_it_takes_an_empty_value_for_the_default(monkeypatch):
    monkeypatch.setenv("NEWSROOM_TEST_FLAG", "")
    assert envbool("NEWSROOM_TEST_FLAG", default=True) is True


def test_it_refuses_a_yes_or_no_it_cannot_read(monkeypatch):
    monkeypatch.setenv("NEWSROOM_TEST_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="NEWSROOM_TEST_FLAG must be true or false"):
        envbool("NEWSROOM_TEST_FLAG", default=False)


@pytest.mark.parametrize("value", ["a year", "1.5", "-1"])
def test_it_refuses_a_number_of_seconds_it_cannot_use(monkeypatch, value):
    monkeypatch.setenv("NEWSROOM_TEST_SECONDS", value)
    with pytest.raises(ImproperlyConfigured, match="NEWSROOM_TEST_SECONDS must be"):
        envint("NEWSROOM_TEST_SECONDS", default=0)


def _settings_error(**environ: str) -> str:
    """What loading the settings with this environment says on stderr ('' if it loads)."""
    result = subprocess.run(
        [sys.executable, "-c", "import editorial.settings"],
        env={**os.environ, **environ},
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.stderr.strip().splitlines()[-1] if result.returncode else ""


def test_it_refuses_hsts_options_without_hsts():
    error = _settings_error(SECURE_HSTS_SECONDS="0", SECURE_HSTS_INCLUDE_SUBDOMAINS="true")
    assert "need SECURE_HSTS_SECONDS" in error


def test_it_refuses_preload_without_a_year_for_every_subdomain():
    error = _settings_error(
        SECURE_HSTS_SECONDS="3600", SECURE_HSTS_INCLUDE_SUBDOMAINS="true", SECURE_HSTS_PRELOAD="true"
    )
    assert "SECURE_HSTS_PRELOAD needs SECURE_HSTS_SECONDS of at least 31536000" in error
    assert (
        _settings_error(
            SECURE_HSTS_SECONDS="31536000", SECURE_HSTS_INCLUDE_SUBDOMAINS="true", SECURE_HSTS_PRELOAD="true"
        )
        == ""
    )
