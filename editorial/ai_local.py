"""The local AI provider: offline, fast, rule-based and explainable.

Nothing leaves the machine and nothing is learned: every claim and flag lists the cues that fired and
where (`start`/`end` are offsets into `article.body`, the Markdown source, so `body[start:end]` is exactly
the text the output talks about).

How it reads an article:

1. Mask. The body is copied with Markdown markup (heading hashes, list and quote markers, table pipes,
   emphasis, link targets, inline and fenced code, URLs, HTML) replaced by spaces. The copy has the same
   length, so an offset found in it is an offset into the body.
2. Units. Lines become units: headings, paragraphs (lines up to a blank line), list items, table rows
   (with their cells) and block-quoted paragraphs. Plain text without Markdown works too: a short
   Title Case line after a finished sentence is taken as a heading.
3. Sentences. A regex splitter breaks units at `.`, `!`, `?` followed by a capital, a digit or an opening
   quote, unless the period ends an abbreviation (Mr., Dr., e.g., Inc., No. 5, Jan. 5), an initial
   (J. Smith) or a dotted initialism that does not end the sentence (U.S. officials). Decimals never split.
4. Rules per kind, with data from `editorial/data/gazetteer.json` and `editorial/data/style.json`.

Known limits: English only; no parsing, so passive voice, person and place detection are heuristics; a
four-digit number between 1900 and 2099 is read as a year; discovered names are typed from local cues
(suffixes, "said", titles, "in"), otherwise "other".
"""

from __future__ import annotations

import bisect
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from editorial.ai_client import (
    KINDS,
    ArticleInput,
    CallLog,
    Progress,
    ProviderError,
    ProviderResult,
    validate,
)

RULES_VERSION = "2026.11.1"
DATA_DIR = Path(__file__).resolve().parent / "data"

LONG_SENTENCE_WORDS = 35
CLAIM_THRESHOLD = 0.3
MAX_TEXT = 4000
MAX_SHORT = 300


# --------------------------------------------------------------------------------------------- data


@cache
def _load(name: str) -> dict:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


def _ws(words: str) -> str:
    """A phrase as a regex that allows any whitespace (line breaks included) between its words."""
    return r"\s+".join(re.escape(w) for w in words.split())


_ACRONYM_SHAPE = re.compile(r"[A-Z][A-Z0-9&.]*[A-Z0-9.]s?")


def _is_acronym(text: str) -> bool:
    core = text.replace(".", "")
    return bool(_ACRONYM_SHAPE.fullmatch(text)) and sum(c.isupper() for c in core) >= 2 and " " not in text


def _acronym_keys(token: str) -> tuple[str, ...]:
    """Lookup keys for an acronym: FLOPs, FLOPS and FLOP share the key FLOP; U.S. is US."""
    core = token.replace(".", "")
    keys = [core.upper()]
    if len(core) > 2 and core[-1] in "sS":
        keys.append(core[:-1].upper())
    return tuple(keys)


def _initials(phrase: str) -> str:
    """Initials of a long form, small words skipped: People's Republic of China -> PRC."""
    words = [
        w for w in re.split(r"[\s\-]+", phrase) if w and w.lower() not in ("of", "the", "and", "for", "&")
    ]
    return "".join(w[0] for w in words).upper()


@dataclass(frozen=True)
class _Entry:
    name: str
    type: str
    cluster: str
    description: str
    aliases: tuple[str, ...]
    not_after: tuple[str, ...]


@dataclass(frozen=True)
class _Gazetteer:
    entries: tuple[_Entry, ...]
    clusters: dict[str, str]
    pattern: re.Pattern | None
    lookup: dict[str, int]  # lower-cased surface form (single spaces) -> entry index
    expansions: dict[str, str]  # acronym key -> full name, for acronyms the gazetteer can expand
    known_names: frozenset[str]  # acronym keys that are names in their own right (CUDA): never "undefined"


@cache
def _gazetteer() -> _Gazetteer:
    data = _load("gazetteer.json")
    entries, lookup, expansions, known = [], {}, {}, set()
    forms: list[str] = []
    for index, raw in enumerate(data["entities"]):
        entry = _Entry(
            name=raw["name"],
            type=raw["type"],
            cluster=raw["cluster"],
            description=raw["description"],
            aliases=tuple(raw.get("aliases", [])),
            not_after=tuple(raw.get("not_after", [])),
        )
        entries.append(entry)
        surfaces = (entry.name, *entry.aliases)
        longhands = [s for s in surfaces if not _is_acronym(s)]
        for surface in surfaces:
            lookup.setdefault(" ".join(surface.split()).lower(), index)
            forms.append(surface)
            if not _is_acronym(surface):
                continue
            # The long form to spell out: one whose initials are the acronym's letters (so NVIDIA is just
            # Nvidia in capitals), of the same number (GPUs -> graphics processing units).
            letters = re.sub(r"s$", "", surface.replace(".", "").replace("&", ""))
            matching = [s for s in longhands if _initials(s) == letters]
            plural = surface.endswith("s")
            same = [s for s in matching if s.endswith("s") == plural]
            longhand = (same or matching or [None])[0]
            for key in _acronym_keys(surface)[:1]:
                if longhand:
                    expansions.setdefault(key, longhand)
                else:
                    known.add(key)
    alternatives = []
    for form in sorted(set(forms), key=len, reverse=True):
        regex = _ws(form)
        if form[:1].islower():  # "transformer models" also starts a sentence as "Transformer models"
            regex = f"[{form[0].upper()}{form[0]}]" + regex[1:]
        alternatives.append(regex)
    pattern = re.compile(r"(?<![\w.])(?:" + "|".join(alternatives) + r")(?![\w])") if alternatives else None
    return _Gazetteer(
        entries=tuple(entries),
        clusters=dict(data.get("clusters", {})),
        pattern=pattern,
        lookup=lookup,
        expansions=expansions,
        known_names=frozenset(known),
    )


@dataclass(frozen=True)
class _Style:
    phrases: dict[str, str]  # lower-cased phrase -> replacement
    phrase_pattern: re.Pattern | None
    jargon: tuple[str, ...]
    jargon_pattern: re.Pattern | None
    allowlist: frozenset[str]


@cache
def _style() -> _Style:
    data = _load("style.json")
    phrases = {" ".join(k.lower().split()): v for k, v in data.get("style_phrases", {}).items()}
    jargon = tuple(" ".join(j.lower().split()) for j in data.get("jargon", []))

    def alternation(items, suffix=""):
        if not items:
            return None
        body = "|".join(f"(?:{_ws(i)}{suffix})" for i in sorted(items, key=len, reverse=True))
        return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", re.IGNORECASE)

    return _Style(
        phrases=phrases,
        phrase_pattern=alternation(phrases),
        jargon=jargon,
        jargon_pattern=alternation(jargon, "(?:s|es)?"),
        allowlist=frozenset(k for a in data.get("acronym_allowlist", []) for k in _acronym_keys(a)),
    )


# ------------------------------------------------------------------------------------ word lists


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


STOPWORDS = _set(
    """a about above across after again against all almost along already also although always am among an
    and another any anyone anything are around as at away back be became because become been before being
    below between beyond both but by can cannot could did do does doing done down during each either else
    enough even ever every few for from further had has have having he her here hers herself him himself his
    how however i if in into is it its itself just least less like many may me might more most much must my
    myself near neither never next no nor not now of off often on once one only onto or other others our ours
    ourselves out over own per perhaps quite rather really same several shall she should since so some such
    than that the their theirs them themselves then there these they this those though through thus to too
    toward towards under until up upon us very via was we well were what whatever when where whether which
    while who whom whose why will with within without would yet you your yours yourself yourselves
    says said say told tell tells new year years time times way ways still far first last whose get gets got
    make makes made take takes lot lots thing things something nothing everything someone whether across
    cannot can't won't don't doesn't isn't aren't wasn't weren't it's that's there's"""
)
# Capitalised words that start sentences or headings but are not names.
COMMON_CAPS = _set(
    """According After Although And As At Because Before But By Consequently During Each Even For From
    However If In Instead It Its Meanwhile More Most No Not On Once One Only Or Other Over Since So Some Still
    That The Their Then There These They This Those Though Thus To Today Under Unlike Until What When Where
    Which While Who Why With Without Yet Yes We Our You Your He She His Her I A An Is Are Was Were Do Does
    Did Can Could Should Would Will May Might Must How Also Here Many Much Few All Both Every Any New Last
    Next First Second Third Finally Overall"""
)
MONTHS = _set(
    "January February March April May June July August September October November December "
    "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec"
)
WEEKDAYS = _set("Monday Tuesday Wednesday Thursday Friday Saturday Sunday")
NOT_NAMES = MONTHS | WEEKDAYS | {"I", "OK"}
SENTENCE_STARTERS = _set(
    """The A An It He She They We I This That These Those But And In On At For Its Their His Her Our There
    When While After Before As If So Yet Some Most Many According Meanwhile However Still Then"""
)
TITLES = _set(
    """Mr Mrs Ms Mx Dr Prof Professor Sir Dame President Minister Secretary Senator Sen Rep Governor Gov Mayor
    Chancellor Chairman Chairwoman CEO CFO CTO COO Commissioner Judge"""
)
ORG_SUFFIXES = _set(
    """Agency Council University Research Inc Ltd LLC PLC Plc GmbH AG SA Group Institute Ministry Commission
    Department Bank Association Corporation Corp Company Co Foundation Authority Board Committee Lab Labs
    Laboratory Laboratories Systems Technologies Holdings Partners Capital Fund Office Bureau Court Parliament
    Congress Senate Party Union Centre Center College School Society Trust Network Times Post News Press
    Media Energy Power Electric Utilities Grid Insights Analytics Associates Consulting Services"""
)
ORG_PREFIXES = _set(
    "University Ministry Department Bank Institute Office Bureau Council Commission Agency Court Board"
)
# Words that head an "X of Y" name: University of Oxford, Bank of England, Republic of Korea.
OF_HEADS = ORG_PREFIXES | _set(
    """Republic Kingdom State States Museum City Gulf Bay Isle Province House Federation Secretary Minister
    Duke Bishop Statue Port Church Academy School College Library Institute Centre Center Association Society
    Chamber Union Council Bureau Agency Department Ministry Office Court Board Commission University Bank
    Governor Mayor President Chancellor Director Head Chief Professor"""
)
CONNECTORS = _set("of for de van von der du del da la le al the &")
NOT_PARTICIPLE = _set(
    """need speed feed seed bed red shed bleed breed greed embed hundred naked sacred wicked rugged ragged
    kindred indeed proceed succeed exceed"""
)
IRREGULAR_PARTICIPLES = _set(
    """built made done given known shown taken told paid sold held kept left lost met put run said seen
    sent set spent thought won written bought brought caught taught found led read cut hit hurt shut
    split spread drawn driven grown thrown chosen frozen stolen broken spoken forgotten hidden beaten
    eaten fallen ridden risen shaken worn born borne torn sworn begun sung rung struck stuck hung dug
    fed fled bred bent lent meant dealt felt heard laid slept swept understood withdrawn overseen
    undertaken overtaken forbidden forgiven bound ground sought won shed lit"""
)
SUBJECT_STARTERS = _set(
    """the a an this that these those it they we he she i its their his her our there some many most
    officials analysts operators companies regulators"""
)

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


@dataclass
class _Unit:
    kind: str  # heading | paragraph | list_item | table_row
    start: int
    end: int
    quoted: bool = False
    cells: list[tuple[int, int]] = field(default_factory=list)


@dataclass(frozen=True)
class _Sentence:
    start: int
    end: int
    unit: int  # index into the document's units
    kind: str  # the unit's kind
    quoted: bool


SMALL_TITLE_WORDS = _set("a an and as at but by for from in into nor of on or over per the to up via with")
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


class _Doc:
    """The body, its masked copy, its units and sentences."""

    def __init__(self, body: str):
        self.body = body
        chars = list(body)

        def blank(a: int, b: int) -> None:
            for i in range(a, b):
                if chars[i] != "\n":
                    chars[i] = " "

        units: list[_Unit] = []
        current: _Unit | None = None
        current_last_line = ""
        fence: str | None = None
        for line_match in _LINE.finditer(body):
            ls = line_match.start()
            text = line_match.group().rstrip("\n").rstrip("\r")
            le = ls + len(text)
            if fence:
                blank(ls, le)
                if re.match(rf"[ \t]{{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", text):
                    fence = None
                continue
            off, quoted = 0, False
            while m := _QUOTE.match(text, off):
                blank(ls + off, ls + m.end())
                off, quoted = m.end(), True
            rest = text[off:]
            if not rest.strip():
                current = None
                continue
            if m := _FENCE.match(text, off):
                fence = m.group(1)
                blank(ls, le)
                current = None
                continue
            content_start = ls + off + (len(rest) - len(rest.lstrip()))
            content_end = ls + len(text.rstrip())
            if m := _HEADING.match(text, off):
                blank(ls + off, ls + m.end())
                end = content_end
                if closing := _CLOSING_HASHES.search(text, m.end()):
                    blank(ls + closing.start(), ls + closing.end())
                    end = ls + closing.start()
                if end > ls + m.end():
                    units.append(_Unit("heading", ls + m.end(), end, quoted))
                current = None
                continue
            stripped = rest.strip()
            if _RULE.match(stripped):
                if current is not None and current.kind == "paragraph" and stripped[0] in "=-":
                    current.kind = "heading"  # a setext heading
                blank(ls, le)
                current = None
                continue
            if "|" in stripped and _TABLE_SEP.match(stripped) and "-" in stripped:
                if (
                    current is not None
                    and current.kind == "paragraph"
                    and "|" in body[current.start : current.end]
                ):
                    current.kind = "table_row"  # the header row of a table without leading pipes
                    current.cells = self._cells(body, current.start, current.end, blank)
                blank(ls, le)
                current = None
                continue
            previous = units[-1] if units else None
            if stripped.startswith("|") or (
                "|" in stripped and current is None and previous is not None and previous.kind == "table_row"
            ):
                cells = self._cells(body, content_start, content_end, blank)
                if cells:
                    units.append(_Unit("table_row", cells[0][0], cells[-1][1], quoted, cells))
                current = None
                continue
            m = _LIST.match(text, off)
            if m and m.group(1) and m.group(1) != "1" and current is not None and current.kind == "paragraph":
                m = None  # only "1." interrupts a paragraph
            if m and text[m.end() :].strip():
                blank(ls + off, ls + m.end())
                current = _Unit("list_item", ls + m.end(), content_end, quoted)
                units.append(current)
                current_last_line = text
                continue
            if (
                current is not None
                and current.quoted == quoted
                and current.kind in ("paragraph", "list_item")
            ):
                if _ends_sentence(current_last_line) and _title_like(rest):
                    units.append(_Unit("heading", content_start, content_end, quoted))
                    current = None
                    continue
                lazy = current.kind == "list_item" and not rest[:1].isspace()
                if not (lazy and rest.lstrip()[:1].isupper() and not _ends_sentence(current_last_line)):
                    current.end = content_end
                    current_last_line = text
                    continue
                # An unindented capitalised line after an unfinished list item: plain text, a new paragraph.
            if _title_like(rest) and not quoted:
                units.append(_Unit("heading", content_start, content_end, quoted))
                current = None
                continue
            current = _Unit("paragraph", content_start, content_end, quoted)
            units.append(current)
            current_last_line = text
        masked = "".join(chars)
        for pattern in _INLINE_MASKS:
            masked = pattern.sub(_blank, masked)
        self.masked = masked
        self.units = units
        self.sentences: list[_Sentence] = []
        for index, unit in enumerate(units):
            if unit.kind == "heading":
                span = _trim(masked, unit.start, unit.end)
                if span:
                    self.sentences.append(_Sentence(*span, index, "heading", unit.quoted))
                continue
            segments = unit.cells if unit.kind == "table_row" else [(unit.start, unit.end)]
            for a, b in segments:
                for s, e in split_sentences(masked, a, b):
                    self.sentences.append(_Sentence(s, e, index, unit.kind, unit.quoted))
        self._unit_starts = [u.start for u in units]
        self.lower_words = {w for w in re.findall(r"\b[a-z][a-z'’\-]*\b", masked)}

    @staticmethod
    def _cells(body: str, a: int, b: int, blank) -> list[tuple[int, int]]:
        cells, start = [], a
        for pipe in _PIPE.finditer(body, a, b):
            blank(pipe.start(), pipe.end())
            if span := _trim(body, start, pipe.start()):
                cells.append(span)
            start = pipe.end()
        if span := _trim(body, start, b):
            cells.append(span)
        return cells

    def in_quote(self, pos: int) -> bool:
        """Whether `pos` is inside quotation marks in its unit: quoted words are never rewritten."""
        i = bisect.bisect_right(self._unit_starts, pos) - 1
        if i < 0 or not self.units[i].start <= pos < self.units[i].end:
            return False
        return _inside_quotes(self.masked[self.units[i].start : pos], pos - self.units[i].start)

    def text(self, start: int, end: int) -> str:
        """Masked text with whitespace collapsed: for generated prose (dek, rewrites' reasons)."""
        return " ".join(self.masked[start:end].split())

    def prose(self) -> list[_Sentence]:
        return [s for s in self.sentences if s.kind not in ("heading", "table_row")]


def _trim(text: str, a: int, b: int) -> tuple[int, int] | None:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return (a, b) if a < b else None


# ------------------------------------------------------------------------------ sentence splitting

_CANDIDATE = re.compile(r"(?:[.!?…]+|\.\.\.)[\"'”’)\]]*(?=\s|$)")
_PREV_TOKEN = re.compile(r"([A-Za-z0-9.&'’\-]+)\.$")
_NEXT_WORD = re.compile(r"[\"'“‘(\[]*([A-Za-z0-9]+)")
NEVER_SPLIT = _set(
    """mr mrs ms mx dr prof sr jr st mt ft gen gov sen rep rev hon pres capt col lt sgt cmdr adm e.g i.e cf
    vs viz al approx dept est ca op ed eds"""
)
NUMBER_ABBREVIATIONS = _set("no nos vol vols pp p fig figs jan feb mar apr jun jul aug sep sept oct nov dec")
SPLIT_IF_STARTER = _set("inc ltd co corp llc plc bros etc")


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
            if span := _trim(text, current, match.end()):
                spans.append(span)
            current = j
    if span := _trim(text, current, end):
        spans.append(span)
    return spans


# ------------------------------------------------------------------------------------------- cues

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_PERCENT = re.compile(rf"(?<![\w.,])(?:{_NUM})(?:\s?%|\s(?:per\s?cent|percent|percentage points?)\b)")
_MONEY = re.compile(
    rf"(?:(?<!\w)(?:US\$|[$€£¥]|(?:USD|EUR|GBP)\s?)\s?(?:{_NUM})(?:\s?(?:bn|billion|mn|million|m|trillion|tn|k)\b)?"
    rf"|(?<![\w.,])(?:{_NUM})\s?(?:(?:bn|billion|million|trillion)\s)?(?:dollars|euros|pounds|yuan|yen)\b)"
)
_NUMBER = re.compile(rf"(?<![\w.,])(?:{_NUM})(?![\w])")
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_NUMBER_WORD = re.compile(
    r"\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
    r"sixty|seventy|eighty|ninety|hundreds?|thousands?|millions?|billions?|trillions?|dozens?|"
    r"half|a third|a quarter|two-thirds|three-quarters)\b",
    re.IGNORECASE,
)
_MONTH_DATE = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)(?=\s+\d|\s+(?:19|20)\d\d)"
    r"|\b(?:in|on|since|until|by|from|last|next|early|late|mid|of|through|before|after)\s+"
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December)\b"
    r"|\b(?:on\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
    r"|\b(?:this|last|next|earlier this|later this)\s+(?:year|month|week|quarter|decade|spring|summer|autumn|"
    r"fall|winter)\b|\b(?:yesterday|tomorrow)\b"
)
_ATTRIBUTION = re.compile(
    r"\b(?:said|says|say|told|tells|reported|reports|announced|announces|estimated|estimates|stated|wrote|"
    r"writes|added|noted|confirmed|claimed|found|showed|shows|published|predicted|predicts|forecast|"
    r"forecasts|projected|projects|expects|expected|warned|warns)\b"
)
_PASSIVE_BEFORE = re.compile(r"\b(?:am|is|are|was|were|be|been|being)\s+(?:\w+ly\s+)?$", re.IGNORECASE)
_ACCORDING = re.compile(r"\baccording\s+to\b", re.IGNORECASE)
_SOURCE = re.compile(
    r"\b(?:a|the|its|their|an)\s+(?:\w+\s+)?(?:report|study|survey|analysis|filing|statement)\b"
    r"|\b(?:data|figures|statistics|estimates)\s+(?:from|by|published)\b",
    re.IGNORECASE,
)
_COMPARATIVE = re.compile(
    r"\b(?:(?:more|less|fewer|greater|higher|lower|larger|smaller|bigger|faster|slower|cheaper|better|worse)"
    r"\s+than|at\s+least|at\s+most|up\s+to|as\s+(?:much|many)\s+as|compared\s+(?:with|to)|up\s+from|"
    r"down\s+from|twice|(?:two|three|four|five|ten)\s+times)\b",
    re.IGNORECASE,
)
_SUPERLATIVE = re.compile(
    r"\b(?:the|its|their|his|her|world's|world’s|country's|country’s)\s+(?:(?:largest|biggest|smallest|"
    r"highest|lowest|fastest|slowest|greatest|cheapest|strongest|weakest|busiest|oldest|newest|best|worst|"
    r"first|only|most\s+\w+|least\s+\w+)(?:-\w+)?)\b|\b(?:a\s+)?record\b|\ball-time\s+(?:high|low)\b",
    re.IGNORECASE,
)
_QUANTITY = re.compile(
    r"\b(?:doubl(?:e|ed|es|ing)|tripl(?:e|ed|es|ing)|quadrupl(?:e|ed|es|ing)|halv(?:e|ed|es|ing)|rose|risen|"
    r"fell|fallen|grew|grown|increased|decreased|declined|surged|soared|plunged|plummeted|jumped|climbed|"
    r"dropped|slumped|tumbled|shrank|shrunk|expanded|contracted)\b",
    re.IGNORECASE,
)
_OPINION = re.compile(
    r"\b(?:I|we)\s+(?:think|believe|feel|reckon|suspect)\b|\bin\s+(?:my|our)\s+(?:view|opinion)\b|"
    r"\barguably\b|\bit\s+seems\b|\bseemingly\b|\bfrankly\b|\bin\s+fairness\b|\bto\s+be\s+fair\b",
    re.IGNORECASE,
)
_PRESCRIPTIVE = re.compile(r"\b(?:should|shouldn[’']t|must|mustn[’']t|ought\s+to)\b", re.IGNORECASE)
WEIGHTS = {
    "percentage": 0.5,
    "money": 0.5,
    "number": 0.35,
    "date/year": 0.3,
    "attribution": 0.3,
    "according to": 0.35,
    "source": 0.25,
    "quantity word": 0.3,
    "number word": 0.2,
    "superlative": 0.2,
    "comparative": 0.15,
}
FIGURES = ("percentage", "money", "number")
ATTRIBUTIONS = ("attribution", "according to", "source")


def _squash(text: str) -> str:
    return " ".join(text.split())


def _cues(text: str) -> dict[str, list[str]]:
    """Claim cues in a masked sentence or clause: category -> the matched texts."""
    found: dict[str, list[str]] = {}

    def add(category: str, value: str) -> None:
        found.setdefault(category, [])
        value = _squash(value)
        if value not in found[category]:
            found[category].append(value)

    taken: list[tuple[int, int]] = []
    for m in _PERCENT.finditer(text):
        add("percentage", m.group())
        taken.append(m.span())
    for m in _MONEY.finditer(text):
        add("money", m.group().strip())
        taken.append(m.span())
    for m in _NUMBER.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        value = m.group()
        if _YEAR.match(value):
            add("date/year", value)
        else:
            add("number", value)
    for m in _MONTH_DATE.finditer(text):
        add("date/year", m.group())
    for m in _NUMBER_WORD.finditer(text):
        if not any(a <= m.start() < b for a, b in taken):  # "billion" in "$26.3 billion" is money
            add("number word", m.group().lower())
    for m in _ACCORDING.finditer(text):
        add("according to", m.group().lower())
    for m in _ATTRIBUTION.finditer(text):
        if not _PASSIVE_BEFORE.search(text, 0, m.start()):  # "was told through chips" is not a source
            add("attribution", m.group())
    for m in _SOURCE.finditer(text):
        add("source", m.group())
    for m in _COMPARATIVE.finditer(text):
        add("comparative", m.group().lower())
    for m in _SUPERLATIVE.finditer(text):
        add("superlative", m.group().lower())
    for m in _QUANTITY.finditer(text):
        add("quantity word", m.group().lower())
    return found


def _cue_list(found: dict[str, list[str]]) -> list[str]:
    cues = []
    for category in WEIGHTS:
        for value in found.get(category, []):
            cues.append(_clip(category if value == category else f"{category}: {value}"))
    return cues[:20]


def _score(found: dict[str, list[str]]) -> float:
    miss = 1.0
    for category, values in found.items():
        weight = WEIGHTS[category]
        if len(values) > 1 and category in FIGURES:
            weight = min(0.6, weight + 0.1)  # several figures: more to check
        miss *= 1 - weight
    return round(min(0.99, 1 - miss), 2)


def _is_question(text: str) -> bool:
    return text.rstrip().rstrip("\"'”’)]*_ ").endswith("?")


def _clip(text: str, limit: int = MAX_SHORT) -> str:
    text = _squash(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def _whole_words(text: str, limit: int) -> str:
    text = _squash(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(",;:—–- ") + "…"


# ------------------------------------------------------------------------------------------ claims


def _clauses(doc: _Doc, sentence: _Sentence) -> list[tuple[int, int]]:
    """A sentence's semicolon-separated clauses (the sentence itself when it has no semicolon)."""
    parts, start = [], sentence.start
    for m in re.finditer(r";", doc.masked[sentence.start : sentence.end]):
        at = sentence.start + m.start()
        parts.append((start, at))
        start = at + 1
    parts.append((start, sentence.end))
    return [span for a, b in parts if (span := _trim(doc.masked, a, b))]


def _skip_reason(text: str, found: dict) -> str | None:
    if _is_question(text):
        return "question"
    if _OPINION.search(text):
        return "opinion"
    has_figure = any(c in found for c in FIGURES)
    if _PRESCRIPTIVE.search(text) and not (has_figure and any(c in found for c in ATTRIBUTIONS)):
        return "prescriptive"
    return None


def _claims(doc: _Doc) -> dict:
    claims = []
    for sentence in doc.sentences:
        if sentence.kind in ("heading", "table_row"):
            continue
        full = doc.masked[sentence.start : sentence.end]
        if _skip_reason(full, _cues(full)):
            continue
        for start, end in _clauses(doc, sentence):
            found = _cues(doc.masked[start:end])
            score = _score(found)
            if score >= CLAIM_THRESHOLD:
                claims.append((start, end, score, _cue_list(found)))
    seen_rows = set()
    for unit_index, unit in enumerate(doc.units):
        if unit.kind != "table_row" or unit_index in seen_rows:
            continue
        seen_rows.add(unit_index)
        texts = [doc.masked[a:b] for a, b in unit.cells if not _is_question(doc.masked[a:b])]
        found = _cues(" ; ".join(texts))
        if not any(c in found for c in (*FIGURES, "date/year")):
            continue
        score = _score(found)
        if score >= CLAIM_THRESHOLD:
            claims.append((unit.start, unit.end, score, ["table row", *_cue_list(found)][:20]))
    out = []
    for start, end, score, cues in sorted(claims):
        if end - start > MAX_TEXT:
            end = start + MAX_TEXT
        out.append({"text": doc.body[start:end], "start": start, "end": end, "score": score, "cues": cues})
    return {"claims": out[:200]}


# ---------------------------------------------------------------------------------------- entities

_CAPWORD = r"(?:(?:Mr|Mrs|Ms|Mx|Dr|Prof|Sen|Rep|Gov|St)\.|[A-Z]\.(?=[ \t]+[A-Z])|[A-Z][A-Za-z0-9’'&\-]*)"
_PHRASE = re.compile(
    rf"(?<![\w’'\-.]){_CAPWORD}(?:[ \t\n]+(?:(?:of(?:[ \t\n]+the)?|for|&|de|van|von|der|du|del|da|la|le|al)"
    rf"[ \t\n]+)?{_CAPWORD})*"
)
_TOKEN = re.compile(r"\S+")
_SAID_BEFORE = re.compile(
    r"\b(?:said|says|told|according\s+to|wrote|added|asked|explained|argued|noted|warned)\s+"
    r"(?:(?:Mr|Mrs|Ms|Mx|Dr|Prof)\.?\s+)?$",
    re.IGNORECASE,
)
_SAID_AFTER = re.compile(
    r"^(?:\s+of\s+(?:the\s+)?[A-Z][\w’'\-]*(?:\s+(?:of\s+)?[A-Z][\w’'\-]*)*)?"
    r"(?:,\s+(?:an?|the)\s+[^,.;:\"“”()]{3,100}?,)?(?:\s*,)?\s+"
    r"(?:said|says|told|wrote|added|argued|noted|explained|warned)\b"
)
_APPOSITIVE = re.compile(r"^,\s+((?:an?|the)\s+[^,.;:\"“”()]{3,100}?)(?=,|\.|;|\s*$)")
# An appositive describes; a clause with a verb ("Ms. Chen, the plan was approved") does not.
_CLAUSE_VERB = re.compile(r"\b(?:is|are|was|were|has|have|had|will|would|can|could|said|says|did|does)\b")
_IN_BEFORE = re.compile(r"\b(?:in|across|near|outside|throughout)\s+(?:the\s+)?$")
_TITLE_BEFORE = re.compile(r"\b(?:" + "|".join(sorted(TITLES)) + r")\.?\s+$")


@dataclass
class _Found:
    name: str
    type: str = "other"
    description: str = ""
    cluster: str = ""
    aliases: list[str] = field(default_factory=list)
    mentions: list[tuple[int, int]] = field(default_factory=list)
    gazetteer: bool = False


def _overlaps(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(span[0] < b and a < span[1] for a, b in spans)


def _gazetteer_mentions(doc: _Doc) -> dict[int, list[tuple[int, int]]]:
    gz = _gazetteer()
    found: dict[int, list[tuple[int, int]]] = {}
    if gz.pattern is None:
        return found
    for m in gz.pattern.finditer(doc.masked):
        index = gz.lookup.get(" ".join(m.group().split()).lower())
        if index is None:
            continue
        entry = gz.entries[index]
        before = re.search(r"(\w+)\s+$", doc.masked[max(0, m.start() - 30) : m.start()])
        if before and before.group(1) in entry.not_after:
            continue
        found.setdefault(index, []).append(m.span())
    return found


def _at_sentence_start(prefix: str) -> bool:
    stripped = prefix.rstrip()
    if not re.search(r"[A-Za-z0-9]", stripped):
        return True
    return bool(re.search(r"(?:^|\s)[\"“‘(\[]$|[:—–]$", stripped))


def _discover(doc: _Doc, taken: list[tuple[int, int]]) -> list[tuple[str, tuple[int, int], dict]]:
    """Capitalised phrases that are not gazetteer names: (name, span, context cues)."""
    out = []
    for sentence in doc.sentences:
        if sentence.kind == "heading":
            continue
        text = doc.masked
        for m in _PHRASE.finditer(text, sentence.start, sentence.end):
            tokens = [(t.start(), t.end()) for t in _TOKEN.finditer(text, m.start(), m.end())]
            # Break at gazetteer mentions and titles (CEO Jensen Huang, Dr. Smith).
            groups: list[list[tuple[int, int]]] = [[]]
            for a, b in tokens:
                word = text[a:b].rstrip(".")
                if _overlaps((a, b), taken) or word in TITLES:
                    groups.append([])
                else:
                    groups[-1].append((a, b))
            for group in groups:
                for part in _split_of(text, group):
                    out.extend(_name_spans(doc, sentence, part))
    return out


def _split_of(text: str, group: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """'Anna Berg of the Technical University of Munich' is two names; 'Bank of England' is one."""
    parts: list[list[tuple[int, int]]] = [[]]
    for i, (a, b) in enumerate(group):
        word = text[a:b]
        if word == "of" and parts[-1] and text[parts[-1][-1][0] : parts[-1][-1][1]] not in OF_HEADS:
            parts.append([])
            continue
        if word == "the" and i and text[group[i - 1][0] : group[i - 1][1]] == "of" and not parts[-1]:
            continue
        parts[-1].append((a, b))
    return [p for p in parts if p]


def _name_spans(doc: _Doc, sentence: _Sentence, group: list[tuple[int, int]]):
    text = doc.masked
    while group and text[group[0][0] : group[0][1]].lower() in CONNECTORS:
        group = group[1:]
    while group and text[group[-1][0] : group[-1][1]].lower() in CONNECTORS:
        group = group[:-1]
    if not group:
        return
    # Possessives end the name: Nvidia's chips.
    for i, (a, b) in enumerate(group):
        if text[a:b].endswith(("'s", "’s")):
            group = [*group[:i], (a, b - 2)]
            break
    start = group[0][0]
    at_start = _at_sentence_start(text[sentence.start : start])
    first = text[group[0][0] : group[0][1]]
    if at_start and (first in COMMON_CAPS or first.lower() in STOPWORDS or first.lower() in doc.lower_words):
        yield from _name_spans_after_drop(doc, sentence, group[1:])
        return
    if at_start and len(group) == 1:
        return  # a capitalised first word alone is no evidence of a name
    yield from _finish(doc, sentence, group)


def _name_spans_after_drop(doc, sentence, group):
    text = doc.masked
    while group and text[group[0][0] : group[0][1]].lower() in CONNECTORS:
        group = group[1:]
    if group:
        yield from _finish(doc, sentence, group)


def _finish(doc: _Doc, sentence: _Sentence, group: list[tuple[int, int]]):
    text = doc.masked
    start, end = group[0][0], group[-1][1]
    while end > start and text[end - 1] in ".-’'":
        end -= 1
    name = _squash(text[start:end])
    words = name.split()
    if not words or (len(words) == 1 and (name in NOT_NAMES or _is_acronym(name) or name.isdigit())):
        return
    if len(words) == 1 and "-" in name and any(p[:1].islower() for p in name.split("-")):
        return  # FLOPS-per-clock, Lower-precision: a compound word, not a name
    if name.lower() in STOPWORDS or len(name) < 2:
        return
    prefix = text[sentence.start : start]
    suffix = text[end : sentence.end]
    context = {
        "said": bool(_SAID_BEFORE.search(prefix) or _SAID_AFTER.match(suffix)),
        "appositive": (
            a.group(1) if (a := _APPOSITIVE.match(suffix)) and not _CLAUSE_VERB.search(a.group(1)) else ""
        ),
        "title": bool(_TITLE_BEFORE.search(prefix)),
        "in": bool(_IN_BEFORE.search(prefix)),
    }
    yield name, (start, end), context


def _type_of(name: str, contexts: list[dict]) -> tuple[str, str]:
    words = name.split()
    last = words[-1].rstrip(".")
    said = any(c["said"] for c in contexts)
    appositive = next((c["appositive"] for c in contexts if c["appositive"]), "")
    person_shape = 2 <= len(words) <= 3 and all(re.fullmatch(r"[A-Z][a-z’'\-]+|[A-Z]\.", w) for w in words)
    heads_of = any(w in ORG_PREFIXES and n == "of" for w, n in zip(words, words[1:], strict=False))
    if last in ORG_SUFFIXES or heads_of:
        return "organisation", "Organisation named in the article"
    if any(c["title"] for c in contexts) and all(w[0].isupper() for w in words) and len(words) <= 3:
        return "person", _person_description(said, appositive)
    if person_shape and (said or appositive):
        return "person", _person_description(said, appositive)
    if any(c["in"] for c in contexts):
        return "place", "Place named in the article"
    return "other", "Name mentioned in the article"


def _person_description(said: bool, appositive: str) -> str:
    base = "Person quoted in the article" if said else "Person named in the article"
    return _clip(f"{base}: {appositive}" if appositive else base)


TYPE_CLUSTERS = {
    "person": "People",
    "organisation": "Companies and institutions",
    "place": "Places and governments",
    "technology": "Technology",
    "product": "Technology",
    "event": "Events",
    "other": "Other names",
}


def _name_regex(name: str) -> re.Pattern:
    return re.compile(rf"(?<![\w’'\-]){_ws(name)}(?![\w\-])")


def _find_entities(doc: _Doc) -> list[_Found]:
    gz = _gazetteer()
    found: list[_Found] = []
    taken: list[tuple[int, int]] = []
    for index, spans in _gazetteer_mentions(doc).items():
        entry = gz.entries[index]
        found.append(
            _Found(
                name=entry.name,
                type=entry.type,
                description=entry.description,
                cluster=entry.cluster,
                aliases=list(entry.aliases),
                mentions=spans,
                gazetteer=True,
            )
        )
        taken.extend(spans)
    discovered: dict[str, list[dict]] = {}
    for name, _span, context in _discover(doc, taken):
        discovered.setdefault(name, []).append(context)
    # Multi-word names first, so a surname alone becomes an alias of its person.
    names = sorted(discovered, key=lambda n: (-len(n.split()), n))
    by_name: dict[str, _Found] = {}
    for name in names:
        kind, description = _type_of(name, discovered[name])
        mentions = [
            m.span() for m in _name_regex(name).finditer(doc.masked) if not _overlaps(m.span(), taken)
        ]
        if not mentions:
            continue
        surnames = {f.name.split()[-1] for f in by_name.values() if f.type == "person"}
        if len(name.split()) == 1 and name in surnames:
            continue  # a surname alone: added to its person below
        entity = _Found(name=name, type=kind, description=description, cluster=TYPE_CLUSTERS[kind])
        entity.mentions = mentions
        by_name[name] = entity
        taken.extend(mentions)
    # A person's surname alone, anywhere (also "Marsh added ..." at the start of a sentence), is an alias.
    for person in [f for f in by_name.values() if f.type == "person" and len(f.name.split()) > 1]:
        surname = person.name.split()[-1]
        if surname in by_name:
            continue
        spans = [
            m.span() for m in _name_regex(surname).finditer(doc.masked) if not _overlaps(m.span(), taken)
        ]
        if spans:
            person.aliases.append(surname)
            person.mentions.extend(spans)
            taken.extend(spans)
    found.extend(by_name.values())
    for entity in found:
        entity.mentions = sorted(set(entity.mentions))
    found = [f for f in found if f.mentions]
    found.sort(key=lambda f: f.mentions[0][0])
    return found[:100]


def _entities(doc: _Doc) -> dict:
    gz = _gazetteer()
    entities, clusters = [], []
    for f in _find_entities(doc):
        entities.append(
            {
                "name": _clip(f.name),
                "type": f.type,
                "description": _clip(f.description),
                "cluster": _clip(f.cluster),
                "aliases": [_clip(a) for a in f.aliases][:20],
                "mentions": [{"start": a, "end": b} for a, b in f.mentions[:200]],
            }
        )
        if f.cluster not in clusters:
            clusters.append(f.cluster)
    described = [
        {"name": _clip(c), "description": _clip(gz.clusters.get(c, "Names the article mentions."))}
        for c in clusters
    ]
    return {"entities": entities, "clusters": described[:30]}


# ---------------------------------------------------------------------------------------- metadata

_WORD_TOKEN = re.compile(r"[A-Za-z][A-Za-z’'\-]*[A-Za-z]|[A-Za-z]")


def _fold(word: str) -> str:
    """A crude singular: chips -> chip, centres -> centre, but not glass or analysis."""
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


ADJECTIVES = _set(
    """large small big high low long short single global new old early late major key main better best cheap
    cheaper slower faster local national several different real current existing further whole full specific
    many more most less other same such own certain various possible likely available independent difficult
    important strong weak"""
)


def _content_word(word: str) -> bool:
    low = word.lower()
    return (
        len(low) >= 3
        and low not in STOPWORDS
        and not low.endswith("ly")
        and not (low.endswith("ed") and len(low) > 4)
        and not _is_acronym(word)
        and low not in ADJECTIVES
        and not low.endswith(("al", "ive", "ous", "ic", "able", "ible", "ful", "less"))
    )


def _lede(doc: _Doc) -> list[_Sentence]:
    for kind in (("paragraph",), ("list_item",), ("table_row",)):
        for index, unit in enumerate(doc.units):
            if unit.kind in kind and not unit.quoted:
                return [s for s in doc.sentences if s.unit == index]
    return []


def _summary(doc: _Doc, lede: list[_Sentence], fallbacks: list[str], limit: int) -> str:
    texts = [doc.text(s.start, s.end) for s in lede]
    if texts:
        summary = texts[0]
        for more in texts[1:]:
            if len(summary) >= 80 or len(summary) + 1 + len(more) > limit:
                break
            summary = f"{summary} {more}"
        if len(summary) <= limit:
            return summary
    for fallback in fallbacks:
        fallback = _squash(fallback)
        if 40 <= len(fallback) <= limit:
            return fallback
    source = texts[0] if texts else next((_squash(f) for f in fallbacks if f.strip()), "")
    return _whole_words(source, limit)


def _topics(doc: _Doc, article: ArticleInput) -> list[str]:
    gz = _gazetteer()
    haystack = " ".join([article.title, article.dek, doc.masked])
    # A long article must name a topic at least twice; a short one once.
    needed = 1 if len(_words(doc.masked)) < 300 else 2
    chosen = []
    for topic in article.topics:
        words = [w for w in re.findall(r"[\w’'\-]+", topic) if w.lower() not in STOPWORDS]
        if not words:
            continue
        total, ok = 0, True
        for word in words:
            forms = [word]
            index = gz.lookup.get(word.lower())
            if index is not None:
                entry = gz.entries[index]
                forms += [entry.name, *entry.aliases]
            pattern = "|".join(
                (re.escape(f) if _is_acronym(f) else f"(?i:{_ws(f)})") + r"(?:s|es)?" for f in forms
            )
            count = len(re.findall(rf"(?<![\w-])(?:{pattern})(?![\w-])", haystack))
            if not count:
                ok = False
                break
            total += count
        if ok and total >= needed and topic not in chosen:
            chosen.append(topic)
    return chosen[:10]


def _keywords(doc: _Doc, article: ArticleInput, entities: list[_Found]) -> list[str]:
    title_words = {_fold(w.lower()) for w in _WORD_TOKEN.findall(article.title)}
    dek_words = {_fold(w.lower()) for w in _WORD_TOKEN.findall(article.dek)}
    counts: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    first: dict[str, int] = {}
    for sentence in doc.sentences:  # headings included: their words are salient
        tokens = list(_WORD_TOKEN.finditer(doc.masked, sentence.start, sentence.end))
        previous = None
        for t in tokens:
            word = t.group()
            if not _content_word(word) or word[0].isupper() and t.start() != sentence.start:
                previous = None  # names are counted as entities
                continue
            low = word.lower()
            key = _fold(low)
            counts[key] += 1
            forms.setdefault(key, Counter())[low] += 1
            first.setdefault(key, t.start())
            if previous is not None and doc.masked[previous.end() : t.start()].strip() == "":
                pkey = f"{_fold(previous.group().lower())} {key}"
                counts[pkey] += 1
                forms.setdefault(pkey, Counter())[f"{previous.group().lower()} {low}"] += 1
                first.setdefault(pkey, previous.start())
            previous = t
    scored: list[tuple[float, int, str]] = []
    for key, count in counts.items():
        parts = key.split()
        in_title = all(p in title_words for p in parts)
        bonus = (2 if in_title else 0) + (1 if all(p in dek_words for p in parts) else 0)
        if len(parts) == 2:
            if count < 2:
                continue
            score = count * 2 + bonus
        else:
            if count < 2 and not in_title:
                continue
            score = count + bonus
        scored.append((score, first[key], forms[key].most_common(1)[0][0]))
    for entity in entities:
        mentions = len(entity.mentions)
        in_title = entity.name.lower() in article.title.lower() or any(
            re.search(rf"(?<!\w){re.escape(a)}(?!\w)", article.title) for a in entity.aliases
        )
        if mentions >= 2 or in_title or entity.gazetteer:
            scored.append((mentions * 1.5 + (2 if in_title else 0), entity.mentions[0][0], entity.name))
    scored.sort(key=lambda item: (-item[0], item[1]))
    chosen: list[str] = []
    for _, _, term in scored:
        words = {_fold(w) for w in term.lower().split()}
        if any(words <= {_fold(w) for w in c.lower().split()} for c in chosen):
            continue
        chosen.append(_clip(term))
        if len(chosen) == 10:
            break
    return chosen


def _metadata(doc: _Doc, article: ArticleInput) -> dict:
    lede = _lede(doc)
    return {
        "dek": _summary(doc, lede, [article.dek, article.title], 200),
        "seo_description": _summary(doc, lede, [article.dek, article.title], 160),
        "topics": _topics(doc, article),
        "keywords": _keywords(doc, article, _find_entities(doc)),
    }


# ----------------------------------------------------------------------------------------- quality

_WORDS = re.compile(r"[A-Za-z0-9]+(?:[’'\-.,][A-Za-z0-9]+)*%?")
_BE = r"(?:am|is|are|was|were|be|been|being|isn[’']t|aren[’']t|wasn[’']t|weren[’']t)"
_PASSIVE = re.compile(
    rf"\b{_BE}((?:\s+(?:not|also|now|still|often|already|never|just|then|being|been|largely|mostly|"
    rf"widely|[a-z]+ly))*)\s+([a-z]+)\b",
    re.IGNORECASE,
)
_BY_AGENT = re.compile(r"^((?:\s+\S+){0,4}?)\s+by\s+((?:(?:the|a|an|its|their|his|her)\s+)?[\w’'\-]+)")
_ACRONYM = re.compile(r"(?<![\w.\-])[A-Z][A-Z0-9&]{1,7}s?(?![\w])")
_DEFINED_AFTER = re.compile(r"\(\s*([A-Z][A-Za-z0-9&]{1,9})\s*\)")
_DEFINED_BEFORE = re.compile(r"(?<![\w.\-])([A-Z][A-Z0-9&]{1,7}s?)\s*\(\s*[A-Za-z][^()]{3,80}\)")


def _words(text: str) -> list[str]:
    return _WORDS.findall(text)


def _syllables(word: str) -> int:
    if any(c.isdigit() for c in word):
        return min(4, max(1, sum(c.isdigit() for c in word)))
    total = 0
    for part in re.split(r"[’'\-.,]", word.lower()):
        part = re.sub(r"[^a-z]", "", part)
        if not part:
            continue
        groups = len(re.findall(r"[aeiouy]+", part))
        silent = (
            (part.endswith("e") and not part.endswith(("le", "ee", "ye")))
            or (part.endswith("ed") and not part.endswith(("ted", "ded")))
            or (part.endswith("es") and len(part) > 3 and part[-3] not in "sxzhcg")
        )
        if silent and groups > 1:
            groups -= 1
        total += max(1, groups)
    return max(1, total)


def _readability(doc: _Doc) -> dict:
    sentences = doc.prose()
    words = [w for s in sentences for w in _words(doc.masked[s.start : s.end])]
    if not sentences or not words:
        return {"grade": 0.0, "words": len(words), "sentences": len(sentences)}
    syllables = sum(_syllables(w) for w in words)
    grade = 0.39 * len(words) / len(sentences) + 11.8 * syllables / len(words) - 15.59
    return {"grade": round(grade, 1), "words": len(words), "sentences": len(sentences)}


def _is_participle(word: str) -> bool:
    low = word.lower()
    if low in IRREGULAR_PARTICIPLES:
        return True
    return len(low) >= 4 and low.endswith("ed") and low not in NOT_PARTICIPLE


def _flag(kind: str, message: str, start: int, end: int, cues: list[str]) -> dict:
    return {
        "kind": kind,
        "message": _clip(message),
        "start": start,
        "end": end,
        "cues": [_clip(c) for c in cues][:20],
    }


def _style_matches(doc: _Doc):
    style = _style()
    if style.phrase_pattern is None:
        return
    for m in style.phrase_pattern.finditer(doc.masked):
        phrase = " ".join(m.group().lower().split())
        if phrase in style.phrases:
            yield m, phrase, style.phrases[phrase]


def _acronym_uses(doc: _Doc) -> list[dict]:
    """First undefined use of each acronym: {token, start, end, count, expansion, later}."""
    style, gz = _style(), _gazetteer()
    defined: dict[str, int] = {}
    for pattern in (_DEFINED_AFTER, _DEFINED_BEFORE):
        for m in pattern.finditer(doc.masked):
            for key in _acronym_keys(m.group(1)):
                defined[key] = min(defined.get(key, m.start(1)), m.start(1))
    uses: dict[str, dict] = {}
    for sentence in doc.sentences:
        if sentence.kind == "heading":
            continue
        text = doc.masked[sentence.start : sentence.end]
        letters = [c for c in text if c.isalpha()]
        if letters and sum(c.isupper() for c in letters) > 0.6 * len(letters):
            continue  # shouting: a whole sentence in capitals
        for m in _ACRONYM.finditer(doc.masked, sentence.start, sentence.end):
            token = m.group()
            keys = _acronym_keys(token)
            core = keys[0]
            if sum(c.isupper() for c in core) < 2 or sum(c.isalpha() for c in core) > 6:
                continue
            before = re.search(r"([A-Za-z0-9]+)[ \t]+$", doc.masked[max(0, m.start() - 20) : m.start()])
            after = re.match(r"[ \t]+([A-Za-z0-9]+)", doc.masked[m.end() : m.end() + 20])
            if any(w and len(w.group(1)) >= 3 and w.group(1).isupper() for w in (before, after)):
                continue  # a name set in capitals (ELPA SPACE), not an acronym
            if re.fullmatch(r"[IVXLC]+", core) or any(
                k in style.allowlist or k in gz.known_names for k in keys
            ):
                continue
            key = next((k for k in keys if k in uses), keys[-1] if keys[-1] in defined else keys[0])
            if key in uses:
                uses[key]["count"] += 1
                continue
            expansion = next((gz.expansions[k] for k in keys if k in gz.expansions), None)
            defined_at = min((defined[k] for k in keys if k in defined), default=None)
            # A gazetteer long form earlier in the text (International Energy Agency) defines IEA too.
            long_form_before = (
                expansion is not None
                and " ".join(expansion.split()).lower() in " ".join(doc.masked[: m.start()].split()).lower()
            )
            uses[key] = {
                "token": token,
                "start": m.start(),
                "end": m.end(),
                "count": 1,
                "expansion": expansion,
                "defined": (defined_at is not None and defined_at <= m.start()) or long_form_before,
                "later": defined_at if defined_at is not None and defined_at > m.start() else None,
            }
    return [u for u in uses.values() if not u["defined"]]


def _quality_flags(doc: _Doc) -> list[dict]:
    style = _style()
    flags = []
    prose = doc.prose()
    for i, sentence in enumerate(prose):
        text = doc.masked[sentence.start : sentence.end]
        count = len(_words(text))
        if count > LONG_SENTENCE_WORDS:
            split = _split_point(doc.body[sentence.start : sentence.end])
            cues = [f"{count} words", f"limit: {LONG_SENTENCE_WORDS}"]
            if split:
                cues.append(f"split point: {split[2]!r}")
            flags.append(
                _flag(
                    "long_sentence",
                    f"Sentence has {count} words (limit {LONG_SENTENCE_WORDS})",
                    sentence.start,
                    sentence.end,
                    cues,
                )
            )
        for m in _PASSIVE.finditer(doc.masked, sentence.start, sentence.end):
            participle = m.group(2)
            if not _is_participle(participle):
                continue
            be = doc.masked[m.start() : m.end()].split()[0]
            cues = [f"be-verb: {be.lower()}", f"participle: {participle.lower()}"]
            agent = _BY_AGENT.match(doc.masked[m.end() : sentence.end])
            if agent and agent.group(2)[:1].isalpha():
                cues.append(f"agent: by {agent.group(2)}")
            flags.append(
                _flag("passive_voice", f"Passive voice: '{_squash(m.group())}'", m.start(), m.end(), cues)
            )
        found = _cues(text)
        if (
            any(c in found for c in FIGURES)
            and not any(c in found for c in ATTRIBUTIONS)
            and not _skip_reason(text, found)
        ):
            previous = prose[i - 1] if i and prose[i - 1].unit == sentence.unit else None
            previous_found = _cues(doc.masked[previous.start : previous.end]) if previous else {}
            if not any(c in previous_found for c in ATTRIBUTIONS):
                figures = [f"{c}: {v}" for c in FIGURES for v in found.get(c, [])]
                flags.append(
                    _flag(
                        "unattributed_claim",
                        "Figures without a source: add who says so",
                        sentence.start,
                        sentence.end,
                        [*figures[:10], "no attribution cue in this or the previous sentence"],
                    )
                )
    for use in _acronym_uses(doc):
        cues = [f"acronym: {use['token']}", f"used {use['count']} time{'s' if use['count'] > 1 else ''}"]
        if use["later"] is not None:
            message = f"'{use['token']}' is used before it is defined"
            cues.append(f"defined later at offset {use['later']}")
        else:
            message = f"'{use['token']}' is not defined"
            cues.append(f"no 'Full Name ({use['token']})' before first use")
        if use["expansion"]:
            cues.append(f"gazetteer: {use['expansion']}")
        flags.append(_flag("undefined_acronym", message, use["start"], use["end"], cues))
    if style.jargon_pattern is not None:
        seen: dict[str, dict] = {}
        for m in style.jargon_pattern.finditer(doc.masked):
            key = _fold(" ".join(m.group().lower().split()))
            if key in seen:
                seen[key]["count"] += 1
                continue
            seen[key] = {"match": m, "count": 1}
        for item in seen.values():
            m = item["match"]
            flags.append(
                _flag(
                    "jargon",
                    f"Jargon: '{_squash(m.group())}' — explain it or use a plain word",
                    m.start(),
                    m.end(),
                    [
                        "jargon list (style.json)",
                        f"used {item['count']} time{'s' if item['count'] > 1 else ''}",
                    ],
                )
            )
    for m, phrase, replacement in _style_matches(doc):
        plain = f"'{replacement}'" if replacement else "nothing (delete it)"
        flags.append(
            _flag(
                "style_phrase",
                f"Wordy phrase: '{_squash(m.group())}' → {plain}",
                m.start(),
                m.end(),
                [
                    f"style phrase: {phrase}",
                    f"replacement: {replacement or '(delete)'}",
                    *(["inside a quotation: keep the speaker's words"] if doc.in_quote(m.start()) else []),
                ],
            )
        )
    flags.sort(key=lambda f: (f["start"], f["end"], f["kind"]))
    return flags[:300]


def _quality(doc: _Doc) -> dict:
    return {"readability": _readability(doc), "flags": _quality_flags(doc)}


# ----------------------------------------------------------------------------------------- suggest


def _split_point(text: str) -> tuple[int, int, str] | None:
    """Where to split a long sentence: (cut, resume, separator) nearest the middle, both halves >= 8 words."""
    options = []
    for m in re.finditer(r";\s+|,\s+(?:and|but)\s+", text):
        left, right = text[: m.start()], text[m.end() :]
        if _inside_quotes(text, m.start()):
            continue
        if len(_words(left)) < 8 or len(_words(right)) < 8:
            continue
        separator = _squash(m.group()).rstrip()
        if separator != ";":
            following = re.match(r"[\"“‘(]*([A-Za-z’']+)", right)
            word = following.group(1) if following else ""
            if not (word.lower() in SUBJECT_STARTERS or word[:1].isupper() or right[:1].isdigit()):
                continue  # ", and who ...": a list, not a new clause
        # ", and" goes; ", but" stays as "But", so the contrast survives.
        resume = m.start() + m.group().index("but") if separator.endswith("but") else m.end()
        options.append((abs(len(left) - len(right)), m.start(), resume, separator))
    if not options:
        return None
    _, cut, resume, separator = min(options)
    return cut, resume, separator


def _split_long(text: str) -> tuple[str, list[str]]:
    """Split a sentence until every piece has at most LONG_SENTENCE_WORDS words or no split point is left."""
    pieces, separators, done = [text], [], []
    while pieces:
        piece = pieces.pop(0)
        split = _split_point(piece) if len(_words(piece)) > LONG_SENTENCE_WORDS else None
        if split is None:
            done.append(piece)
            continue
        cut, resume, separator = split
        gap = "\n" if "\n" in piece[cut:resume] else " "
        pieces[:0] = [piece[:cut].rstrip(" ,;") + "." + gap, _capitalise(piece[resume:])]
        separators.append(separator)
    return "".join(done), separators


def _inside_quotes(text: str, at: int) -> bool:
    before = text[:at]
    return before.count('"') % 2 == 1 or before.count("“") > before.count("”")


def _capitalise(text: str) -> str:
    for i, c in enumerate(text):
        if c.isalpha():
            return text[:i] + c.upper() + text[i + 1 :]
    return text


def _suggest(doc: _Doc) -> dict:
    edits: dict[int, list[tuple[int, int, str, str]]] = {}  # sentence index -> (start, end, new, reason)
    prose = doc.prose()
    starts = [s.start for s in prose]

    def sentence_at(pos: int) -> int | None:
        i = bisect.bisect_right(starts, pos) - 1
        return i if i >= 0 and prose[i].start <= pos < prose[i].end else None

    for m, _phrase, replacement in _style_matches(doc):
        i = sentence_at(m.start())
        if i is None or doc.in_quote(m.start()):
            continue
        end = m.end()
        new = replacement
        if not replacement:
            tail = re.match(r"(?:\s+that)?,?\s*", doc.body[end : prose[i].end])
            end += tail.end() if tail else 0
        elif m.group()[:1].isupper():
            new = _capitalise(replacement)
        reason = (
            f"'{_squash(m.group())}' → '{replacement}'" if replacement else f"drop '{_squash(m.group())}'"
        )
        edits.setdefault(i, []).append((m.start(), end, new, reason))
    for use in _acronym_uses(doc):
        if not use["expansion"]:
            continue
        i = sentence_at(use["start"])
        if i is None or doc.in_quote(use["start"]):
            continue
        new = f"{use['expansion']} ({use['token']})"
        edits.setdefault(i, []).append(
            (use["start"], use["end"], new, f"spell out {use['token']} on first use ({use['expansion']})")
        )
    for i, s in enumerate(prose):
        if len(_words(doc.masked[s.start : s.end])) > LONG_SENTENCE_WORDS:
            edits.setdefault(i, [])
    suggestions = []
    for i in sorted(edits):
        s = prose[i]
        original = doc.body[s.start : s.end]
        rewrite, reasons, limit = original, [], len(original)
        for start, end, new, reason in sorted(edits[i], key=lambda e: e[0], reverse=True):
            a, b = start - s.start, end - s.start
            if b <= a or a < 0 or b > limit:
                continue  # outside the sentence, or overlapping an edit already made
            rewrite = rewrite[:a] + new + rewrite[b:]
            reasons.insert(0, reason)
            limit = a
        if not rewrite[:1].isupper() and original[:1].isupper():
            rewrite = _capitalise(rewrite)
        if len(_words(rewrite)) > LONG_SENTENCE_WORDS:
            rewrite, separators = _split_long(rewrite)
            if separators:
                quoted = ", ".join(f"'{sep}'" for sep in separators)
                reasons.append(f"split a {len(_words(original))}-word sentence at {quoted}")
        if rewrite == original or not reasons:
            continue
        if len(original) > MAX_TEXT or len(rewrite) > MAX_TEXT:
            continue
        suggestions.append({"original": original, "rewrite": rewrite, "reason": _clip("; ".join(reasons))})
    return {"suggestions": suggestions[:50]}


# ---------------------------------------------------------------------------------------- provider


class LocalProvider:
    """Rules over the Markdown source; see the module docstring."""

    name = "local"
    model = f"rules-{RULES_VERSION}"

    def run(
        self, kind: str, article: ArticleInput, progress: Progress, calls: CallLog | None = None
    ) -> ProviderResult:
        # Nothing leaves the building, so there is no call to put on record (`calls` is never used).
        if kind not in KINDS:
            raise ProviderError(f"Unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
        progress(0)
        try:
            doc = _Doc(article.body or "")
            progress(50)
            if kind == "claims":
                output = _claims(doc)
            elif kind == "entities":
                output = _entities(doc)
            elif kind == "metadata":
                output = _metadata(doc, article)
            elif kind == "quality":
                output = _quality(doc)
            else:
                output = _suggest(doc)
        except (ValueError, KeyError, IndexError, re.error, OSError) as exc:
            raise ProviderError(f"The local provider failed on {kind}: {exc}") from exc
        result = ProviderResult(output=validate(kind, output), tokens_in=None, tokens_out=None, bytes_sent=0)
        progress(100)
        return result
