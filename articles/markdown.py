"""Markdown to safe HTML: markdown-it-py renders, nh3 (Ammonia) sanitizes.

The body in Markdown is the source of truth; the HTML is derived on save and never edited by hand.
"""

import re

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin

_md = (
    MarkdownIt("commonmark", {"html": False, "typographer": True})
    .enable(["table", "strikethrough", "replacements", "smartquotes"])
    .use(anchors_plugin, min_level=2, max_level=3)
    .use(footnote_plugin)
)


def _table_open(self, tokens, idx, options, env) -> str:
    """A table scrolls sideways on a narrow screen: in a named region that the keyboard can reach, so
    that readers who cannot swipe can scroll it too."""
    number = sum(1 for token in tokens[: idx + 1] if token.type == "table_open")
    region = f'<div class="table-scroll" tabindex="0" role="region" aria-label="Table {number}">\n'
    return region + self.renderToken(tokens, idx, options, env)


def _table_close(self, tokens, idx, options, env) -> str:
    return self.renderToken(tokens, idx, options, env) + "</div>\n"


_md.add_render_rule("table_open", _table_open)
_md.add_render_rule("table_close", _table_close)

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "cite", "code", "del", "div", "em", "figcaption", "figure", "h2",
    "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "section", "small", "strong",
    "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id"},
    "img": {"src", "alt", "title"},
    "h2": {"id"},
    "h3": {"id"},
    "li": {"id"},
    "section": {"class"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
    "abbr": {"title"},
    "div": {"aria-label"},
}
# Exactly the attributes of the tables' scroll regions (_table_open), no other values.
TAG_ATTRIBUTE_VALUES = {"div": {"class": {"table-scroll"}, "tabindex": {"0"}, "role": {"region"}}}
TABLE_LABEL = re.compile(r"Table \d+")
URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str) -> str:
    """Render Markdown to HTML that is safe to show as is."""
    return sanitize_html(_md.render(text or ""))


def sanitize_html(html: str) -> str:
    """Keep only the tags and attributes an article needs: no scripts, event attributes, javascript:
    links or inline styles (the CSP forbids them anyway). Raw HTML in the Markdown is already shown as
    text (html=False); this is the guarantee either way."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        tag_attribute_values=TAG_ATTRIBUTE_VALUES,
        attribute_filter=_attribute_filter,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "div" and attribute == "aria-label" and not TABLE_LABEL.fullmatch(value):
        return None
    return value
