"""The one phrase matcher: a phrase copied from the rendered page is found in the Markdown source."""

import html
import re

import pytest
from django.utils.html import strip_tags
from hypothesis import assume, example, given
from hypothesis import strategies as st

from articles import phrases
from articles.markdown import render_markdown


def marked(phrase: str, text: str, **options) -> str | None:
    span = phrases.find(phrase, text, **options)
    return None if span is None else text[span[0] : span[1]]


@pytest.mark.parametrize(
    ("phrase", "text", "found"),
    [
        ("approved 12 new homes", "The council approved 12 new\n  homes.", "approved 12 new\n  homes"),
        ("APPROVED 12", "The council approved 12 new homes.", "approved 12"),
        ("die strasse", "Die Straße ist neu.", "Die Straße"),
        ("12\u00a0homes", "12 homes", "12 homes"),
        ('said "it\'s done"', "said “it’s done”", "said “it’s done”"),
        ("said “it’s done”", 'said "it\'s done"', 'said "it\'s done"'),
        ("rose – again", "rose -- again", "rose -- again"),
        ("rose — again", "rose --- again", "rose --- again"),
        ("wait…", "wait...", "wait..."),
        ("council approved 12", "The council *approved* 12", "council *approved* 12"),
        ("approved 12 new", "**approved 12** new", "approved 12** new"),
        ("run the tool", "run `the tool`", "run `the tool"),
        ("the minutes first", "[the minutes](e.org/(m)) first", "the minutes](e.org/(m)) first"),
        ("Read the minutes first", "Read [the minutes][minutes] first", "Read [the minutes][minutes] first"),
        ("the plan was", "the ![A chart](c.png) plan was", "the ![A chart](c.png) plan was"),
        ("12 approved 3 refused", "- 12 approved\n- 3 refused", "12 approved\n- 3 refused"),
        ("one two", "1. one\n2. two", "one\n2. two"),
        ("Housing The council", "## Housing\n\nThe council", "Housing\n\nThe council"),
        ("she said no", "> she said\n> no", "she said\n> no"),
        ("AT&T ©", "AT&amp;T (c)", "AT&amp;T (c)"),
        ("see https://e.org now", "see <https://e.org> now", "see <https://e.org> now"),
        ("a b", "| a | b |", "a | b"),
        ("old new", "~~old~~ new", "old~~ new"),
        ("costs *3*", "costs 3", "costs 3"),  # markup typed in the phrase is read as the page reads it
    ],
)  # fmt: skip
def test_it_finds_the_phrase_and_reports_the_source_characters(phrase, text, found):
    assert marked(phrase, text) == found


@pytest.mark.parametrize(
    ("phrase", "text"),
    [
        ("approved 14", "The council approved 12 new homes."),
        ("", "The council approved 12 new homes."),
        ("** `", "The council approved 12 new homes."),
        ("council", ""),
        ("about 5%", "about ~5%"),  # a single tilde is a word of its own, not markup
        ("in the year", "since it was in\n2019. The year"),  # a wrapped number is not a list item
    ],
)
def test_it_finds_nothing_where_the_words_are_not_there(phrase, text):
    assert phrases.find(phrase, text) is None
    assert not phrases.contains(phrase, text)


def test_a_phrase_keeps_first_words_that_would_open_a_list_item_in_a_text():
    assert marked("2019. Then it", "Then it rained. In\n2019. Then it") == "2019. Then it"
    assert marked("- 3 refused", "12 refused - 3 refused") == "- 3 refused"


def test_it_reads_a_line_that_only_looks_like_a_link_definition():
    assert marked("[Update]: the council", "[Update]: the council said so.") == "[Update]: the council"
    assert phrases.find("first. https", "Read [it][m] first.\n\n[m]: https://e.org/m") is None


def test_it_prefers_the_first_place_the_phrase_stands():
    assert phrases.find("homes", "12 Homes, then 14 homes") == (3, 8)


@pytest.mark.parametrize(
    ("name", "text", "found"),
    [
        ("Ada", "Adam and Ada", "Ada"),
        ("Ada", "Ada's notes", "Ada"),
        ("Ada Lovelace", "*Ada*\nLovelace.", "Ada*\nLovelace"),
        ("C++", "written in C++, then", "C++"),
        ("Ada", "Adam, Adaline, Lovelace_Ada", None),
        ("Ada", "Adam", None),
    ],
)
def test_it_matches_whole_words_when_asked(name, text, found):
    assert marked(name, text, whole_word=True) == found


def test_it_matches_inside_words_unless_asked_for_whole_words():
    assert marked("Ada", "Adam") == "Ada"


def test_a_folded_text_answers_several_phrases():
    folded = phrases.fold("A lecture on *Ada* Lovelace and Charles Babbage.")
    assert folded.contains("ada lovelace", whole_word=True)
    assert folded.find("Babbage") == (40, 47)
    assert not folded.contains("Lovelace and Babbage")


# Properties. Prose is words of letters and digits with the punctuation of running text; Markdown
# around it is what a writer types.

WORD = st.text(st.sampled_from("abcdeéßXYZ019"), min_size=1, max_size=6)
GAP = st.sampled_from([" ", "  ", "\n", " \n", "\u00a0"])
PUNCT = st.sampled_from(["", "", ",", ".", "’s", "'s", " –", " —", "!"])


@st.composite
def prose(draw) -> str:
    """Running text: no line of it opens a numbered list ("0. 0" is a list whose item reads "0", and
    "1. " starts one even inside a paragraph)."""
    words = draw(st.lists(st.tuples(WORD, PUNCT, GAP), min_size=1, max_size=12))
    text = "".join(word + punct + gap for word, punct, gap in words).strip()
    assume(re.search(r"(^|\n)\s*\d+[.)](\s|$)", text) is None)
    return text


STYLES = ["", "", "*{0}*", "**{0}**", "_{0}_", "`{0}`", "[{0}](https://e.org/{0})"]


@st.composite
def markdown(draw) -> str:
    """Paragraphs, headings, list items and quotes of words, some emphasised, coded or linked, as a
    writer types them."""
    blocks = []
    for _ in range(draw(st.integers(1, 4))):
        pieces = []
        for word in draw(st.lists(WORD, min_size=1, max_size=8)):
            style = draw(st.sampled_from(STYLES))
            pieces.append(style.format(word) if style else word)
        lead = draw(st.sampled_from(["", "", "## ", "- ", "1. ", "> "]))
        blocks.append(lead + draw(st.sampled_from([" ", "\n"])).join(pieces))
    return "\n\n".join(blocks)


def rendered_words(source: str) -> list[str]:
    return html.unescape(strip_tags(render_markdown(source))).split()


@given(prose(), st.data())
@example("Die Straße", None)
def test_any_passage_of_the_text_is_found_where_it_reads_the_same(text, data):
    words = text.split()
    if data is None:
        start, end = 1, 2
    else:
        start = data.draw(st.integers(0, len(words) - 1))
        end = data.draw(st.integers(start + 1, len(words)))
    passage = " ".join(words[start:end])
    span = phrases.find(passage, text)
    assert span is not None
    assert 0 <= span[0] < span[1] <= len(text)
    assert phrases.fold(text[span[0] : span[1]]).text.strip() == phrases.fold(passage).text.strip()


@given(prose(), st.data())
def test_neither_case_nor_typography_of_the_phrase_matters(text, data):
    words = text.split()
    start = data.draw(st.integers(0, len(words) - 1))
    passage = " ".join(words[start : start + 3])
    typeset = passage.upper().replace("'", "’").replace(" -", " \u2013")
    assert phrases.find(typeset, text) == phrases.find(passage, text)


@given(markdown(), st.data())
def test_words_copied_from_the_rendered_page_are_found_in_the_source(source, data):
    words = rendered_words(source)
    start = data.draw(st.integers(0, len(words) - 1))
    end = data.draw(st.integers(start + 1, len(words)))
    assert phrases.contains(" ".join(words[start:end]), source)


@given(prose(), WORD)
def test_a_whole_word_match_never_starts_or_ends_inside_a_word(text, name):
    span = phrases.find(name, text, whole_word=True)
    if span is not None:
        before, after = text[span[0] - 1 : span[0]], text[span[1] : span[1] + 1]
        assert not (before.isalnum() or after.isalnum())
    assert phrases.find(name, name + "q " + text.replace(name, ""), whole_word=True) is None
