"""No page of the back office breaks the Content Security Policy (SECURE_CSP: no inline styles or scripts
without the nonce), for an editor or an author.

Each persona crawls every admin page reachable by links from the index: lists, change and add forms,
histories, versions, comparisons, workflow pages, AI jobs and calls. Two pages per address shape (ids
and queries aside) keep the crawl bounded. Violations are heard twice: the `securitypolicyviolation` event (a
listener injected before any page script runs) and Chromium's console errors."""

from __future__ import annotations

import os
import re
from collections import Counter, deque
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command
from playwright.sync_api import BrowserContext, Page

from editorial.models import AICall, AssistJob
from tests.e2e.conftest import log_in

LISTEN = """
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__reportCsp(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at ${where}`);
});
"""

# Links the crawl does not follow: signing out, deleting, the public site ("view on site"), scripts.
SKIPPED = re.compile(r"/admin/(logout/|r/|jsi18n/)|/delete/$")
PER_SHAPE = 2  # two articles in different states link different workflow pages
MAX_PAGES = 300


def _shape(url: str) -> str:
    """The address without its ids and query: pages of one shape share their templates."""
    return re.sub(r"/\d+(?=/)", "/<id>", urlsplit(url).path)


def _links(page: Page, origin: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map((a) => a.href)")
    found = []
    for href in hrefs:
        url = urldefrag(href)[0]
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" == origin and parts.path.startswith("/admin/"):
            found.append(url.removeprefix(origin))
    return found


def crawl(context: BrowserContext, base: str, username: str) -> tuple[list[str], dict[str, list[str]]]:
    """Sign in, then visit one page of each address shape reachable from the index: the pages seen, and
    the violations heard on each."""
    page = context.new_page()
    current = {"url": ""}
    heard: dict[str, list[str]] = {}

    def report(text: str) -> None:
        heard.setdefault(current["url"], []).append(text)

    page.expose_function("__reportCsp", report)
    page.on("console", lambda msg: "Content Security Policy" in msg.text and report(f"console: {msg.text}"))
    context.add_init_script(LISTEN)
    current["url"] = "/admin/login/"
    log_in(page, base, username)

    shapes: Counter[str] = Counter()
    visited: list[str] = []
    queue = deque(["/admin/"])
    while queue and len(visited) < MAX_PAGES:
        url = queue.popleft()
        if url in visited or shapes[_shape(url)] >= PER_SHAPE or SKIPPED.search(urlsplit(url).path):
            continue
        shapes[_shape(url)] += 1
        current["url"] = url
        response = page.goto(base + url)
        page.wait_for_load_state("load")
        visited.append(url)
        if response is not None and "text/html" in response.headers.get("content-type", ""):
            queue.extend(_links(page, base))
    page.wait_for_timeout(300)  # the last page's reports arrive
    page.close()
    return visited, heard


def _ai_call_on_record() -> None:
    """The demo's provider is local (nothing leaves the building): one outbound call, as a remote
    provider's job leaves, so that the ledger has a row to open."""
    job = AssistJob.objects.filter(kind=AssistJob.Kind.QUALITY).first()
    assert job is not None
    AICall.objects.create(
        job=job,
        provider="openai",
        model="gpt-news",
        bytes_sent=2048,
        input_sha256=job.input_sha256,
        requested_by=job.requested_by,
        status=AICall.Status.SUCCEEDED,
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_back_office_page_breaks_the_content_security_policy(page: Page, live_server):
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    _ai_call_on_record()
    browser = page.context.browser
    assert browser is not None
    problems = []
    for username in ("editor", "author"):
        context = browser.new_context()
        try:
            visited, heard = crawl(context, live_server.url, username)
        finally:
            context.close()
        shapes = {_shape(url) for url in visited}
        # The crawl reached the pages that matter (so an empty report means something).
        for wanted in (
            "/admin/articles/article/<id>/change/",
            "/admin/articles/article/<id>/history/",
            "/admin/articles/article/<id>/history/<id>/",
            "/admin/articles/article/<id>/versions/",
            "/admin/articles/article/<id>/compare/",
            "/admin/articles/article/add/",
            "/admin/editorial/assistjob/<id>/change/",
        ):
            assert wanted in shapes, f"{username} never reached {wanted}: {sorted(shapes)}"
        if username == "editor":
            assert "/admin/editorial/aicall/<id>/change/" in shapes
        problems += [f"{username} {url}: {text}" for url, texts in heard.items() for text in texts]
    assert problems == [], "\n".join(problems)
