"""A reader reports a passage of the live article; the corrections desk accepts the report and corrects
the text in the admin; readers then see the Updated date, the note and the change, and the reader's
status page says the report was accepted."""

import json
import os
import re
from datetime import datetime

import pytest
from django.core.cache import cache
from django.core.management import call_command
from playwright.sync_api import Page, expect

from articles.models import Article
from corrections.models import Correction, CorrectionRequest
from editorial import demo_content as demo
from editorial.models import OutgoingEmail
from tests.e2e.conftest import log_in

# The sentence the reader selects, as it reads on the page (the Markdown breaks the line after "80,000").
SENTENCE_START = "A single large training cluster"
SENTENCE_END = "80,000\nhomes."
QUOTE = (
    "A single large training cluster can draw more than 100 megawatts, "
    "about as much as a city of 80,000 homes."
)
OLD = "about as much as a city of 80,000"
NEW = "about as much as a city of 100,000"
EXPLANATION = "At typical household use, 100 megawatts supplies a city of about 100,000 homes, not 80,000."
READER_EMAIL = "sam.reader@example.org"
NOTE = (
    "This article said a 100-megawatt cluster draws as much power as a city of 80,000 homes; "
    "it is about 100,000 homes."
)

SELECT = """([start, end]) => {
  const body = document.querySelector(".story-body");
  const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const from = node.data.indexOf(start);
    if (from < 0) continue;
    const to = node.data.indexOf(end, from);
    if (to < 0) return null;
    const range = document.createRange();
    range.setStart(node, from);
    range.setEnd(node, to + end.length);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    return selection.toString();
  }
  return null;
}"""


def _watch(page: Page, problems: list[str], who: str) -> Page:
    """Collects script errors, console errors (CSP violations among them) and failed requests (the
    browser's own /favicon.ico probe among them: the site answers it)."""

    def console(msg) -> None:
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            problems.append(f"{who} console: {msg.text}")

    def response(resp) -> None:
        if resp.status >= 400:
            problems.append(f"{who}: {resp.status} for {resp.url}")

    page.on("pageerror", lambda exc: problems.append(f"{who}: {exc}"))
    page.on("console", console)
    page.on("response", response)
    return page


def _json_ld(page: Page) -> dict:
    return json.loads(page.locator('script[type="application/ld+json"]').text_content())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_reader_reports_a_passage_and_the_desk_corrects_it(page: Page, live_server, settings):
    article, seeded_update = _the_demo_article(settings)
    base = live_server.url
    article_url = f"{base}/articles/{demo.PUBLISHED_SLUG}/"
    problems: list[str] = []

    desk_context = page.context.browser.new_context()
    try:
        reader = _watch(page, problems, "reader")
        desk = _watch(desk_context.new_page(), problems, "desk")
        _reader_selects_the_sentence_and_reports_it(reader, article_url, seeded_update)
        _reader_explains_and_sends_the_report(reader)
        reference, status_url = _status_page_shows_the_report_received(reader)
        _desk_accepts_the_report_and_corrects_the_text(desk, base, reference)
        updated_at = _readers_see_the_corrected_text_and_the_note(reader, article_url)
        _change_history_shows_the_corrected_passage(reader, base)
        _status_page_says_the_report_was_accepted(reader, status_url)
    finally:
        desk_context.close()

    _the_stored_records_agree(article, reference, seeded_update, updated_at)
    assert problems == []


def _the_demo_article(settings) -> tuple[Article, datetime]:
    """The seeded demo article, and the Updated date its own accepted clarification gave it."""
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    # The live server runs in this process: a reader who takes a second is not a bot here.
    settings.CORRECTIONS_MIN_FILL_SECONDS = 0
    cache.clear()  # rate-limit counters left by other tests
    article = Article.objects.get(slug=demo.PUBLISHED_SLUG)
    assert OLD in article.live_version.body
    return article, article.updated_at


def _reader_selects_the_sentence_and_reports_it(reader: Page, article_url: str, seeded_update) -> None:
    """1. The reader selects the sentence in the article and chooses "Report this passage"."""
    reader.goto(article_url)
    seeded = seeded_update.isoformat(timespec="seconds")
    expect(reader.locator("time.updated")).to_have_attribute("datetime", seeded)
    report_link = reader.locator("a.report-selection")
    expect(report_link).to_be_hidden()
    selected = reader.evaluate(SELECT, [SENTENCE_START, SENTENCE_END])
    assert selected is not None, "the sentence is not in one text node of .story-body"
    assert " ".join(selected.split()) == QUOTE
    expect(report_link).to_be_visible()
    expect(report_link).to_have_text("Report this passage")
    report_link.click()


def _reader_explains_and_sends_the_report(reader: Page) -> None:
    """2. The form opens with the quote filled in; the reader explains and sends it."""
    expect(reader).to_have_url(re.compile(rf"/articles/{demo.PUBLISHED_SLUG}/corrections/new/\?quote="))
    expect(reader.locator("textarea[name=quoted_text]")).to_have_value(QUOTE)
    reader.locator("textarea[name=explanation]").fill(EXPLANATION)
    reader.locator("input[name=email]").fill(READER_EMAIL)
    reader.get_by_role("button", name="Send report").click()


def _status_page_shows_the_report_received(reader: Page) -> tuple[str, str]:
    """3. The status page shows the reference and that the report was received. Returns the reference
    and the status page's address."""
    expect(reader).to_have_url(re.compile(r"/corrections/status/[\w-]+/$"))
    status_url = reader.url
    heading = reader.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(r"^Your report CR-[0-9A-HJKMNP-TV-Z]{8}$"))
    reference = heading.text_content().split()[-1]
    expect(reader.locator(".notice")).to_contain_text(f"saved with the reference {reference}")
    expect(reader.locator(".status-box .status")).to_contain_text("Received")
    expect(reader.locator("blockquote.quoted")).to_have_text(QUOTE)
    return reference, status_url


def _desk_accepts_the_report_and_corrects_the_text(desk: Page, base: str, reference: str) -> None:
    """4. The desk finds the request in the admin and accepts it, correcting the live text."""
    log_in(desk, base, "desk")
    desk.goto(base + "/admin/corrections/correctionrequest/")
    desk.get_by_role("link", name=reference, exact=True).click()
    expect(desk).to_have_url(re.compile(r"/admin/corrections/correctionrequest/\d+/change/$"))
    expect(desk.locator(".field-quote_check img[alt=True]")).to_be_visible()
    desk.get_by_role("link", name="Accept and correct…").click()
    expect(desk).to_have_url(re.compile(r"/admin/corrections/correctionrequest/\d+/accept/$"))
    expect(desk.locator(".workflow-panel")).to_contain_text(QUOTE)
    expect(desk.locator(".diff-field mark")).to_contain_text("a city of 80,000")
    body = desk.locator("textarea[name=body]")
    text = body.input_value()
    assert OLD in text, f"{OLD!r} is not in the live body"
    body.fill(text.replace(OLD, NEW, 1))
    desk.locator("select[name=kind]").select_option("correction")
    desk.locator("textarea[name=note]").fill(NOTE)
    desk.locator("input[name=confirm]").click()
    expect(desk).to_have_url(re.compile(r"/admin/corrections/correctionrequest/\d+/change/$"))
    expect(desk.locator(".messagelist .success")).to_contain_text(
        f"{reference} accepted: the correction is live."
    )


def _readers_see_the_corrected_text_and_the_note(reader: Page, article_url: str) -> datetime:
    """5. Readers see the corrected text, the Updated date and the note. Returns the Updated date."""
    reader.goto(article_url)
    expect(reader.locator(".story-body")).to_contain_text(NEW)
    expect(reader.locator(".story-body")).not_to_contain_text("80,000")
    updated = reader.locator("time.updated")
    expect(updated).to_contain_text("Updated")
    expect(reader.locator(".box.corrections")).to_contain_text(NOTE)
    expect(reader.locator(".box.corrections")).to_contain_text("Correction")
    data = _json_ld(reader)
    assert [c["text"] for c in data["correction"]] == [demo.CORRECTION_NOTE, NOTE]
    assert {c["@type"] for c in data["correction"]} == {"CorrectionComment"}
    updated_at = datetime.fromisoformat(data["dateModified"])
    # The attribute is to the second (HTML allows three fractional digits at most); JSON-LD is exact.
    assert datetime.fromisoformat(updated.get_attribute("datetime")) == updated_at.replace(microsecond=0)
    assert data["dateModified"] != data["datePublished"]
    return updated_at


def _change_history_shows_the_corrected_passage(reader: Page, base: str) -> None:
    """6. The change history shows the corrected passage, words removed and added."""
    reader.goto(f"{base}/articles/{demo.PUBLISHED_SLUG}/changes/")
    latest = reader.locator("section.change").first
    expect(latest.locator("h2")).to_contain_text("Correction")
    expect(latest.locator(".update-note")).to_contain_text(NOTE)
    # Diffed word by word ("80,000" is "80", ",", "000"): exactly one word out, one in.
    expect(latest.locator(".diff-text del")).to_have_text(["80"])
    expect(latest.locator(".diff-text ins")).to_have_text(["100"])
    assert "a city of <del>80</del><ins>100</ins>,000 homes" in latest.locator(".diff-text").inner_html()


def _status_page_says_the_report_was_accepted(reader: Page, status_url: str) -> None:
    """7. The reader's status page says the report was accepted."""
    reader.goto(status_url)
    expect(reader.locator(".status-box .status")).to_contain_text("Accepted")
    expect(reader.locator(".status-box")).to_contain_text("we have corrected the article")


def _the_stored_records_agree(article: Article, reference: str, seeded_update, updated_at) -> None:
    """The request, the correction, the article and the reader's e-mails, as stored."""
    request = CorrectionRequest.objects.get(reference=reference)
    assert (request.status, request.quote_found, request.email) == ("accepted", True, READER_EMAIL)
    assert request.quoted_text == QUOTE
    assert request.decided_by.username == "desk"
    correction = Correction.objects.get(article=article, note=NOTE)
    assert list(correction.requests.all()) == [request]
    article.refresh_from_db()
    assert NEW in article.live_version.body and OLD not in article.live_version.body
    assert article.updated_at == correction.published_at == updated_at > seeded_update
    sent = OutgoingEmail.objects.filter(to=READER_EMAIL).values_list("template", flat=True)
    assert sorted(sent) == ["correction-accepted", "correction-received"]
