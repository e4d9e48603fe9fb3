"""A quote the reader's form finds in the article is the quote the desk sees marked on the accept page."""

import pytest

from articles.markdown import render_markdown
from corrections import services
from corrections.admin import highlight
from corrections.models import CorrectionRequest

URL = "/admin/corrections/correctionrequest/"

# Markdown source, and the words a reader copies from the rendered page.
CASES = [
    ("The council *approved* 12 homes.", "council approved 12 homes", "council *approved* 12 homes"),
    ("The council **approved 12** new homes.", "approved 12 new", "approved 12** new"),
    ("Homes:\n\n- 12 approved\n- 3 refused\n", "12 approved 3 refused", "12 approved\n- 3 refused"),
    ("Read [the minutes](https://example.org/m) first.", "Read the minutes first", None),
    ('The mayor said "it\'s done" -- twice.', "said “it’s done” – twice", 'said "it\'s done" -- twice'),
]  # fmt: skip


def reported(article, body: str, quote: str) -> CorrectionRequest:
    version = article.live_version
    version.body, version.body_html = body, render_markdown(body)
    version.save()
    return CorrectionRequest.objects.create(
        article=article, quoted_text=quote, ip_hash="x" * 64, explanation="Wrong.",
        quote_found=services.quote_found_in(quote, version),
    )  # fmt: skip


@pytest.mark.parametrize(("body", "quote", "marked"), CASES)
def test_it_marks_every_quote_the_form_found(published_article, body, quote, marked):
    request = reported(published_article, body, quote)
    assert request.quote_found
    assert "<mark>" in str(highlight(body, quote))
    if marked is not None:
        assert f"<mark>{marked}</mark>" in str(highlight(body, quote)).replace("&quot;", '"').replace(
            "&#x27;", "'"
        )


def test_it_marks_the_quote_on_the_accept_page_across_emphasis(client, erin, published_article):
    request = reported(published_article, "The council *approved* 12 new homes.", "council approved 12")
    client.force_login(erin)
    html = client.get(f"{URL}{request.pk}/accept/").content.decode()
    assert "<mark>council *approved* 12</mark>" in html


def test_it_neither_finds_nor_marks_words_that_are_not_there(published_article):
    request = reported(published_article, "The council *approved* 12 new homes.", "council refused 12")
    assert not request.quote_found
    assert "<mark>" not in str(highlight("The council *approved* 12 new homes.", "council refused 12"))
