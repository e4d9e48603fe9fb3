"""The "Report this passage" link is a real link from the moment the script makes it: to the report form,
and once words are selected, to the form with them as the quote."""

from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

SELECT_FIRST_WORDS = """() => {
  const node = document.querySelector(".story-body p").firstChild;
  const range = document.createRange();
  range.setStart(node, 0);
  range.setEnd(node, "The council approved".length);
  window.getSelection().removeAllRanges();
  window.getSelection().addRange(range);
}"""


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_gives_the_report_passage_link_an_href(page: Page, live_server, published_article):
    form = f"/articles/{published_article.public_slug}/corrections/new/"
    page.goto(live_server.url + published_article.get_absolute_url())

    link = page.locator("a.report-selection")
    expect(link).to_be_hidden()
    expect(link).to_have_attribute("href", form)

    page.evaluate(SELECT_FIRST_WORDS)
    expect(link).to_be_visible()
    expect(link).to_have_attribute("href", form + "?quote=" + quote("The council approved", safe=""))
    link.click()
    expect(page.locator("textarea[name=quoted_text]")).to_have_value("The council approved")
