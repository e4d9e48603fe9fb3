"""How the local provider reads a body: masked Markdown, units, sentences and words.

1. Mask. The body is copied with Markdown markup (heading hashes, list and quote markers, table pipes,
   emphasis, link targets, inline and fenced code, URLs, HTML) replaced by spaces. The copy has the same
   length, so an offset found in it is an offset into the body.
2. Units. Lines become units: headings, paragraphs (lines up to a blank line), list items, table rows
   (with their cells) and block-quoted paragraphs. Plain text without Markdown works too: a short
   Title Case line after a finished sentence is taken as a heading.
3. Sentences. A regex splitter breaks units at `.`, `!`, `?` followed by a capital, a digit or an opening
   quote, unless the period ends an abbreviation (Mr., Dr., e.g., Inc., No. 5, Jan. 5), an initial
   (J. Smith) or a dotted initialism that does not end the sentence (U.S. officials). Decimals never split.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from editorial.ai.local.lexicon import (
    NEVER_SPLIT,
    NUMBER_ABBREVIATIONS,
    SENTENCE_STARTERS,
    SMALL_TITLE_WORDS,
    SPLIT_IF_STARTER,
)

MAX_TEXT = 4000
MAX_SHORT = 300

# ------------------------------------------------------------------------------------------ masking

_LINE = re.compile(r"[^\n]*\n|[^\n]+\Z")
_QUOTE = re.compile(r"[ \t]{0,3}>[ \t]?")
_FENCE = re.compile(r"[ \t]{0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"[ \t]{0,3}(#{1,6})(?:[ \t]+|$)")
_CLOSING_HASHES = re.compile(r"[ \t]+#+[ \t]*$")
_RULE = re.compile(r"[ \t]{0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,}|=+[ \t]*)$")
_TABLE_SEP = re.compile(r"\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_LIST = re.compile(r"[ \t]*(?:[-*+]|(\d{1,9})[.)])(?:[ \t]+|$)(?:\[[ xX]\][ \t]+)?")
_PIPE = re.compile(r"(?<!\\)\|")

_INLINE_MASKS = [
    re.compile(r"<!--.*?-->", re.DOTALL),  # HTML comments: all of it
    re.compile(r"(`+)[^`]*?\1"),  # inline code: all of it
    re.compile(r"<https?://[^>\s]*>"),  # autolinks
    re.compile(r"\[\^[^\]\n]*\]"),  # footnote references
    re.compile(r"\]\([^)\n]*\)"),  # link targets
    re.compile(r"\](?=\[)|(?<=\])\[[^\]\n]*\]"),  # reference links
    re.compile(r"!?\[(?=[^\]\n]*\])"),  # link and image openers
    re.compile(r"https?://[^\s<>()\[\]]+"),  # bare URLs
    re.compile(r"</?[A-Za-z][^<>\n]*>"),  # HTML tags
    re.compile(r"\*+|~~|(?<![A-Za-z0-9])_+|_+(?![A-Za-z0-9])"),  # emphasis
    re.compile(r"\\(?=[\\`*_{}\[\]()#+\-.!|>~])"),  # backslash escapes
]


def _blank(match: re.Match) -> str:
    return re.sub(r"[^\n]", " ", match.group())


def _mask_inline(text: str) -> str:
    for pattern in _INLINE_MASKS:
        text = pattern.sub(_blank, text)
    return text


@dataclass
class Unit:
    kind: str  # heading | paragraph | list_item | table_row
    start: int
    end: int
    quoted: bool = False
    cells: list[tuple[int, int]] = field(default_factory=list)


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    unit: int  # index into the document's units
    kind: str  # the unit's kind
    quoted: bool


_TITLE_WORD = re.compile(r"[A-Za-z][\w'’\-]*")


def _title_like(text: str) -> bool:
    """A short Title Case line with no closing punctuation: a plain-text heading."""
    text = text.strip()
    if not text or text[-1] in '.,;:!?"”’)|' or not text[0].isupper():
        return False
    words = _TITLE_WORD.findall(text)
    significant = [w for w in words if w.lower() not in SMALL_TITLE_WORDS]
    return 2 <= len(words) <= 12 and len(significant) >= 2 and all(w[0].isupper() for w in significant)


def _ends_sentence(text: str) -> bool:
    return bool(re.search(r"[.!?:][\"'”’)\]]*\s*$", text))


@dataclass
class _Line:
    """One line of the body, after its block-quote markers."""

    start: int  # offset of the line in the body
    text: str  # without its line break
    off: int  # where the content starts, after quote markers
    quoted: bool

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    @property
    def rest(self) -> str:
        return self.text[self.off :]

    @property
    def stripped(self) -> str:
        return self.rest.strip()

    @property
    def content_start(self) -> int:
        return self.start + self.off + (len(self.rest) - len(self.rest.lstrip()))

    @property
    def content_end(self) -> int:
        return self.start + len(self.text.rstrip())


class _Reader:
    """Reads the body line by line into units, blanking block markup in `chars` as it goes."""

    def __init__(self, body: str):
        self.body = body
        self.chars = list(body)
        self.units: list[Unit] = []
        self.current: Unit | None = None  # the paragraph or list item a next line may continue
        self.current_last_line = ""
        self.fence: str | None = None

    def blank(self, a: int, b: int) -> None:
        for i in range(a, b):
            if self.chars[i] != "\n":
                self.chars[i] = " "

    def read(self) -> list[Unit]:
        for line_match in _LINE.finditer(self.body):
            self._line(line_match.start(), line_match.group().rstrip("\n").rstrip("\r"))
        return self.units

    def _line(self, start: int, text: str) -> None:
        if self.fence:
            self.blank(start, start + len(text))
            if re.match(rf"[ \t]{{0,3}}{re.escape(self.fence[0])}{{{len(self.fence)},}}[ \t]*$", text):
                self.fence = None
            return
        off, quoted = 0, False
        while m := _QUOTE.match(text, off):
            self.blank(start + off, start + m.end())
            off, quoted = m.end(), True
        line = _Line(start, text, off, quoted)
        if not line.rest.strip():
            self.current = None
            return
        if m := _FENCE.match(text, off):
            self.fence = m.group(1)
            self.blank(line.start, line.end)
            self.current = None
            return
        handlers = (self._heading, self._rule, self._table_separator, self._table_row, self._list_item)
        if not any(handler(line) for handler in handlers) and not self._continuation(line):
            self._paragraph(line)

    def _heading(self, line: _Line) -> bool:
        m = _HEADING.match(line.text, line.off)
        if not m:
            return False
        self.blank(line.start + line.off, line.start + m.end())
        end = line.content_end
        if closing := _CLOSING_HASHES.search(line.text, m.end()):
            self.blank(line.start + closing.start(), line.start + closing.end())
            end = line.start + closing.start()
        if end > line.start + m.end():
            self.units.append(Unit("heading", line.start + m.end(), end, line.quoted))
        self.current = None
        return True

    def _rule(self, line: _Line) -> bool:
        stripped = line.stripped
        if not _RULE.match(stripped):
            return False
        if self.current is not None and self.current.kind == "paragraph" and stripped[0] in "=-":
            self.current.kind = "heading"  # a setext heading
        self.blank(line.start, line.end)
        self.current = None
        return True

    def _table_separator(self, line: _Line) -> bool:
        stripped = line.stripped
        if not ("|" in stripped and _TABLE_SEP.match(stripped) and "-" in stripped):
            return False
        current = self.current
        if (
            current is not None
            and current.kind == "paragraph"
            and "|" in self.body[current.start : current.end]
        ):
            current.kind = "table_row"  # the header row of a table without leading pipes
            current.cells = self._cells(current.start, current.end)
        self.blank(line.start, line.end)
        self.current = None
        return True

    def _table_row(self, line: _Line) -> bool:
        stripped = line.stripped
        previous = self.units[-1] if self.units else None
        if not stripped.startswith("|") and not (
            "|" in stripped and self.current is None and previous is not None and previous.kind == "table_row"
        ):
            return False
        cells = self._cells(line.content_start, line.content_end)
        if cells:
            self.units.append(Unit("table_row", cells[0][0], cells[-1][1], line.quoted, cells))
        self.current = None
        return True

    def _list_item(self, line: _Line) -> bool:
        m = _LIST.match(line.text, line.off)
        current = self.current
        if m and m.group(1) and m.group(1) != "1" and current is not None and current.kind == "paragraph":
            return False  # only "1." interrupts a paragraph
        if not (m and line.text[m.end() :].strip()):
            return False
        self.blank(line.start + line.off, line.start + m.end())
        self.current = Unit("list_item", line.start + m.end(), line.content_end, line.quoted)
        self.units.append(self.current)
        self.current_last_line = line.text
        return True

    def _continuation(self, line: _Line) -> bool:
        """A line that continues the current paragraph or list item, or a plain-text heading."""
        current, rest = self.current, line.rest
        if (
            current is not None
            and current.quoted == line.quoted
            and current.kind in ("paragraph", "list_item")
        ):
            if _ends_sentence(self.current_last_line) and _title_like(rest):
                self.units.append(Unit("heading", line.content_start, line.content_end, line.quoted))
                self.current = None
                return True
            lazy = current.kind == "list_item" and not rest[:1].isspace()
            if not (lazy and rest.lstrip()[:1].isupper() and not _ends_sentence(self.current_last_line)):
                current.end = line.content_end
                self.current_last_line = line.text
                return True
            # An unindented capitalised line after an unfinished list item: plain text, a new paragraph.
        if _title_like(rest) and not line.quoted:
            self.units.append(Unit("heading", line.content_start, line.content_end, line.quoted))
            self.current = None
            return True
        return False

    def _paragraph(self, line: _Line) -> None:
        self.current = Unit("paragraph", line.content_start, line.content_end, line.quoted)
        self.units.append(self.current)
        self.current_last_line = line.text

    def _cells(self, a: int, b: int) -> list[tuple[int, int]]:
        cells, start = [], a
        for pipe in _PIPE.finditer(self.body, a, b):
            self.blank(pipe.start(), pipe.end())
            if span := trim(self.body, start, pipe.start()):
                cells.append(span)
            start = pipe.end()
        if span := trim(self.body, start, b):
            cells.append(span)
        return cells


def _sentences(masked: str, units: list[Unit]) -> list[Sentence]:
    sentences = []
    for index, unit in enumerate(units):
        if unit.kind == "heading":
            span = trim(masked, unit.start, unit.end)
            if span:
                sentences.append(Sentence(*span, index, "heading", unit.quoted))
            continue
        segments = unit.cells if unit.kind == "table_row" else [(unit.start, unit.end)]
        for a, b in segments:
            for s, e in split_sentences(masked, a, b):
                sentences.append(Sentence(s, e, index, unit.kind, unit.quoted))
    return sentences


class Doc:
    """The body, its masked copy, its units and sentences."""

    def __init__(self, body: str):
        self.body = body
        reader = _Reader(body)
        self.units = reader.read()
        self.masked = _mask_inline("".join(reader.chars))
        self.sentences = _sentences(self.masked, self.units)
        self._unit_starts = [u.start for u in self.units]
        self.lower_words = {w for w in re.findall(r"\b[a-z][a-z'’\-]*\b", self.masked)}

    def in_quote(self, pos: int) -> bool:
        """Whether `pos` is inside quotation marks in its unit: quoted words are never rewritten."""
        i = bisect.bisect_right(self._unit_starts, pos) - 1
        if i < 0 or not self.units[i].start <= pos < self.units[i].end:
            return False
        return inside_quotes(self.masked[self.units[i].start : pos], pos - self.units[i].start)

    def text(self, start: int, end: int) -> str:
        """Masked text with whitespace collapsed: for generated prose (dek, rewrites' reasons)."""
        return " ".join(self.masked[start:end].split())

    def prose(self) -> list[Sentence]:
        return [s for s in self.sentences if s.kind not in ("heading", "table_row")]


def trim(text: str, a: int, b: int) -> tuple[int, int] | None:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return (a, b) if a < b else None


# ------------------------------------------------------------------------------ sentence splitting

_CANDIDATE = re.compile(r"(?:[.!?…]+|\.\.\.)[\"'”’)\]]*(?=\s|$)")
_PREV_TOKEN = re.compile(r"([A-Za-z0-9.&'’\-]+)\.$")
_NEXT_WORD = re.compile(r"[\"'“‘(\[]*([A-Za-z0-9]+)")


def _is_boundary(text: str, seg_start: int, match: re.Match, next_at: int) -> bool:
    following = text[next_at]
    if following.islower():
        return False
    if not (following.isupper() or following.isdigit() or following in "\"'“‘([*_#"):
        return True
    punct = match.group()
    if not punct.startswith(".") or punct.startswith("..."):
        return True
    prev = _PREV_TOKEN.search(text, seg_start, match.start() + 1)
    token = prev.group(1).lstrip("'’-") if prev else ""
    low = token.lower()
    word = _NEXT_WORD.match(text, next_at)
    next_word = word.group(1) if word else ""
    if low in NUMBER_ABBREVIATIONS:
        return not next_word[:1].isdigit()  # No. 5, Jan. 5, p. 12
    if low in NEVER_SPLIT:
        return False
    if len(token) == 1 and token.isupper():
        return False  # an initial: J. Smith
    if re.fullmatch(r"(?:[a-z]\.)+[a-z]", low) or low in SPLIT_IF_STARTER:
        return next_word in SENTENCE_STARTERS  # U.S. officials / ... in the U.S. The next
    return True


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans in text[start:end], trimmed of whitespace; offsets are into `text`."""
    end = len(text) if end is None else end
    spans, current = [], start
    for match in _CANDIDATE.finditer(text, start, end):
        j = match.end()
        while j < end and text[j].isspace():
            j += 1
        if j >= end:
            break
        if _is_boundary(text, start, match, j):
            if span := trim(text, current, match.end()):
                spans.append(span)
            current = j
    if span := trim(text, current, end):
        spans.append(span)
    return spans


# ------------------------------------------------------------------------------------------- words

_WORDS = re.compile(r"[A-Za-z0-9]+(?:[’'\-.,][A-Za-z0-9]+)*%?")


def words_in(text: str) -> list[str]:
    return _WORDS.findall(text)


def squash(text: str) -> str:
    return " ".join(text.split())


def clip(text: str, limit: int = MAX_SHORT) -> str:
    text = squash(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def whole_words(text: str, limit: int) -> str:
    text = squash(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(",;:—–- ") + "…"


def inside_quotes(text: str, at: int) -> bool:
    before = text[:at]
    return before.count('"') % 2 == 1 or before.count("“") > before.count("”")


def capitalise(text: str) -> str:
    for i, c in enumerate(text):
        if c.isalpha():
            return text[:i] + c.upper() + text[i + 1 :]
    return text
