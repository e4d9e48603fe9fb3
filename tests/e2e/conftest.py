import os
import re

import pytest
from playwright.sync_api import Page, expect

from editorial.management.commands.seed_demo import DEFAULT_PASSWORD

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the same test are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(items):
    for item in items:
        item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's Chromium, never a downloaded browser build.
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


def log_in(page: Page, base: str, username: str) -> None:
    """Sign a demo user in through the back office's login form."""
    page.goto(base + "/admin/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD)
    page.locator("input[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
