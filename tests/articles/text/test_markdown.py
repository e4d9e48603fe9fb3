from html.parser import HTMLParser

import pytest

from articles.markdown import render_markdown, sanitize_html
from tests.factories import ArticleFactory

ATTACKS = [
    "<script>alert('x')</script>",
    '<img src="x" onerror="alert(1)">',
    '<p style="color:red" onclick="steal()">hi</p>',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<iframe src="https://evil.example"></iframe>',
    '<svg onload="alert(1)"><circle/></svg>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
    "<!-- <script>alert(1)</script> -->",
]


class Elements(HTMLParser):
    """Collects the elements and attributes a browser would build from the HTML."""

    def __init__(self, html: str):
        super().__init__()
        self.found: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def assert_inert(html: str) -> None:
    for tag, attrs in Elements(html).found:
        assert tag not in {"script", "iframe", "svg", "style", "object", "embed"}, html
        for name, value in attrs.items():
            assert not name.startswith("on"), html
            assert name != "style", html
            assert not (value or "").strip().lower().startswith(("javascript:", "data:")), html


def test_it_renders_headings_tables_and_pull_quotes():
    html = render_markdown(
        "## Where it bites\n\n"
        "> A line is worth more than a purchase order.\n\n"
        "| Reader question | What matters now | Editorial answer |\n"
        "|---|---|---|\n"
        "| What is controlled? | Compute pathways | Hardware is a policy tool. |\n"
    )
    assert '<h2 id="where-it-bites">Where it bites</h2>' in html
    assert "<blockquote>\n<p>A line is worth more than a purchase order.</p>\n</blockquote>" in html
    assert "<th>Reader question</th>\n<th>What matters now</th>\n<th>Editorial answer</th>" in html
    assert "<td>Hardware is a policy tool.</td>" in html


def test_it_keeps_safe_links_and_lists():
    html = render_markdown("- one\n- [two](https://example.org/a?b=1)\n")
    assert '<a href="https://example.org/a?b=1" rel="noopener noreferrer">two</a>' in html
    assert html.count("<li>") == 2


@pytest.mark.parametrize("attack", ATTACKS)
def test_it_shows_raw_html_in_markdown_as_text(attack):
    html = render_markdown(f"Before {attack} after")
    assert_inert(html)
    assert "Before" in html and "after" in html


@pytest.mark.parametrize("attack", ATTACKS)
def test_it_strips_dangerous_html(attack):
    assert_inert(sanitize_html(f"<p>Before {attack} after</p>"))


def test_it_strips_javascript_markdown_links():
    for source in ["[click](javascript:alert(1))", "[click](JaVaScRiPt:alert(1))", "<javascript:alert(1)>"]:
        assert_inert(render_markdown(source))


def test_it_keeps_the_text_of_stripped_elements_readable():
    assert sanitize_html('<p onclick="x()">Council <b onmouseover="y()">approved</b></p>') == (
        "<p>Council <b>approved</b></p>"
    )


def test_it_renders_the_body_into_html_on_save(db):
    article = ArticleFactory(body="Plain **bold** and <b onmouseover=alert(1)>x</b>")
    assert "<strong>bold</strong>" in article.body_html
    assert_inert(article.body_html)
