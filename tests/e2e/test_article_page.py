import json
import os

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from articles.models import Article
from editorial import demo_content as demo


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_reader_reads_the_demo_article_and_meets_its_author(page: Page, live_server, tmp_path):
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    article = Article.objects.get(slug=demo.PUBLISHED_SLUG)
    problems: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    page.on("pageerror", lambda exc: problems.append(str(exc)))

    page.goto(live_server.url + "/")
    page.get_by_role("link", name=article.live_version.title).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(article.live_version.title)
    expect(page.locator(".byline")).to_contain_text("By Ada Okafor")
    expect(page.locator(".byline")).to_contain_text("Edited by Tomás Rivera")
    expect(page.get_by_role("table")).to_contain_text("Editorial answer")
    expect(page.locator(".story-body blockquote")).to_be_visible()
    # The stylesheet loaded under the CSP: the pull quote is set large and in italics.
    assert page.locator(".story-body blockquote").evaluate("e => getComputedStyle(e).fontStyle") == "italic"
    data = json.loads(page.locator('script[type="application/ld+json"]').text_content())
    assert data["editor"]["name"] == "Tomás Rivera"
    page.screenshot(path=tmp_path / "article.png", full_page=True)

    page.locator(".byline a.author").click()
    expect(page.get_by_role("heading", name="Disclosures")).to_be_visible()
    expect(page.locator(".disclosures")).to_contain_text("grid operator")
    assert problems == []
