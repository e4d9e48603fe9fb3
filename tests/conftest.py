"""Personas and the rules for tests that need real services.

alice and dave are authors, bob is an editor, carol a fact-checker, erin on the corrections desk;
`client` is the anonymous reader. Tests marked postgres, redis or browser need that service: without it
they are skipped with the reason, except in CI (CI=true), where a missing service fails the run.
"""

import os
import shutil

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache

from articles import services
from tests.factories import ArticleFactory, PersonFactory, UserFactory

CHROMIUM = "/usr/bin/chromium"


def _service_gaps() -> dict[str, str | None]:
    engine = settings.DATABASES["default"]["ENGINE"]
    return {
        "postgres": None
        if engine.endswith("postgresql")
        else "needs PostgreSQL: set DATABASE_URL=postgres://…",
        "redis": None if settings.REDIS_URL else "needs Redis and a Celery worker: set REDIS_URL=redis://…",
        "browser": None if shutil.which(CHROMIUM) else f"needs Debian's chromium at {CHROMIUM}",
    }


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker, gap in _service_gaps().items():
        if gap and item.get_closest_marker(marker):
            if os.environ.get("CI"):
                pytest.fail(f"{gap} (CI runs every test; none may be skipped)", pytrace=False)
            pytest.skip(f"{item.nodeid} {gap}")


@pytest.fixture(autouse=True)
def redis_resumed():
    """A test that makes Redis unreachable leaves the process's publisher and cache paused: the next
    test starts with both tried again."""
    yield
    from editorial.cache import FailFastClient
    from editorial.celery import publisher

    publisher.resume()
    FailFastClient.resume()


def _member(username: str, role: str, *, person: bool = True):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=role))
    if person:
        PersonFactory(user=user, name=username.title(), slug=username)
    return user


@pytest.fixture
def alice(db):
    return _member("alice", "Author")


@pytest.fixture
def dave(db):
    return _member("dave", "Author")


@pytest.fixture
def bob(db):
    return _member("bob", "Editor")


@pytest.fixture
def carol(db):
    return _member("carol", "Fact-checker")


@pytest.fixture
def erin(db):
    return _member("erin", "Corrections desk")


@pytest.fixture
def published_article(alice, bob):
    """alice's article, reviewed by bob and live."""
    article = ArticleFactory(author=alice.person, editor=bob.person, title="Council approves homes")
    services.article_submit(article, by=alice)
    services.article_approve(article, by=bob)
    return services.article_publish(article, by=bob)


@pytest.fixture
def test_templates(settings):
    """Adds tests/templates (e-mails that exist only for tests) to the template search path."""
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "DIRS": [*settings.TEMPLATES[0]["DIRS"], settings.BASE_DIR / "tests" / "templates"],
        }
    ]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def two_factor_optional(settings):
    """Two-factor sign-in is off for the suite (force_login is not a second factor); its tests turn it on."""
    settings.STAFF_REQUIRE_2FA = False


@pytest.fixture(autouse=True)
def page_store_off(settings, tmp_path):
    """Pages are rendered per request unless a test asks for the store (`page_store`): most tests change
    the database and read pages in one transaction that never commits, so no bake would follow. Each test
    has a folder of its own for the store."""
    settings.PAGES_ENABLED = False
    settings.STORAGES = {
        **settings.STORAGES,
        "pages": {
            "BACKEND": "articles.pages.AtomicFileSystemStorage",
            "OPTIONS": {"location": tmp_path / "pages"},
        },
    }


@pytest.fixture
def page_store(settings):
    """The page store on, as in production: pages are baked on a miss and served from the store."""
    settings.PAGES_ENABLED = True
    return settings.STORAGES["pages"]["OPTIONS"]["location"]


@pytest.fixture(autouse=True)
def empty_cache():
    """Counters and markers kept in the cache (rate limits, sign-in refusals, who is editing) start empty."""
    from editorial.cache import FailFastClient

    FailFastClient.resume()
    cache.clear()
