"""The local provider's data: word lists, the gazetteer and the house style, read from `data/` once.

`data/words.json` holds the word lists the rules consult, `data/gazetteer.json` the names the provider
knows (with types, clusters, descriptions and aliases) and `data/style.json` the wordy phrases, jargon and
acronyms readers know. Editing them changes the output; bump `RULES_VERSION` when you do.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


@cache
def load(name: str) -> dict:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


def phrase_regex(words: str) -> str:
    """A phrase as a regex that allows any whitespace (line breaks included) between its words."""
    return r"\s+".join(re.escape(w) for w in words.split())


_ACRONYM_SHAPE = re.compile(r"[A-Z][A-Z0-9&.]*[A-Z0-9.]s?")


def is_acronym(text: str) -> bool:
    core = text.replace(".", "")
    return bool(_ACRONYM_SHAPE.fullmatch(text)) and sum(c.isupper() for c in core) >= 2 and " " not in text


def acronym_keys(token: str) -> tuple[str, ...]:
    """Lookup keys for an acronym: FLOPs, FLOPS and FLOP share the key FLOP; U.S. is US."""
    core = token.replace(".", "")
    keys = [core.upper()]
    if len(core) > 2 and core[-1] in "sS":
        keys.append(core[:-1].upper())
    return tuple(keys)


def fold(word: str) -> str:
    """A crude singular: chips -> chip, centres -> centre, but not glass or analysis."""
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _initials(phrase: str) -> str:
    """Initials of a long form, small words skipped: People's Republic of China -> PRC."""
    words = [
        w for w in re.split(r"[\s\-]+", phrase) if w and w.lower() not in ("of", "the", "and", "for", "&")
    ]
    return "".join(w[0] for w in words).upper()


# ------------------------------------------------------------------------------------ word lists

_WORD_LISTS = load("words.json")


def _words(key: str) -> frozenset[str]:
    return frozenset(_WORD_LISTS[key])


STOPWORDS = _words("stopwords")
COMMON_CAPS = _words("common_caps")
MONTHS = _words("months")
WEEKDAYS = _words("weekdays")
NOT_NAMES = MONTHS | WEEKDAYS | {"I", "OK"}
SENTENCE_STARTERS = _words("sentence_starters")
TITLES = _words("titles")
ORG_SUFFIXES = _words("org_suffixes")
ORG_PREFIXES = _words("org_prefixes")
OF_HEADS = ORG_PREFIXES | _words("of_heads")
CONNECTORS = _words("connectors")
NOT_PARTICIPLE = _words("not_participles")
IRREGULAR_PARTICIPLES = _words("irregular_participles")
SUBJECT_STARTERS = _words("subject_starters")
SMALL_TITLE_WORDS = _words("small_title_words")
NEVER_SPLIT = _words("never_split")
NUMBER_ABBREVIATIONS = _words("number_abbreviations")
SPLIT_IF_STARTER = _words("split_if_starter")
ADJECTIVES = _words("adjectives")


# ------------------------------------------------------------------------------------- gazetteer


@dataclass(frozen=True)
class Entry:
    name: str
    type: str
    cluster: str
    description: str
    aliases: tuple[str, ...]
    not_after: tuple[str, ...]


@dataclass(frozen=True)
class Gazetteer:
    entries: tuple[Entry, ...]
    clusters: dict[str, str]
    pattern: re.Pattern | None
    lookup: dict[str, int]  # lower-cased surface form (single spaces) -> entry index
    expansions: dict[str, str]  # acronym key -> full name, for acronyms the gazetteer can expand
    known_names: frozenset[str]  # acronym keys that are names in their own right (CUDA): never "undefined"


def _entry(raw: dict) -> Entry:
    return Entry(
        name=raw["name"],
        type=raw["type"],
        cluster=raw["cluster"],
        description=raw["description"],
        aliases=tuple(raw.get("aliases", [])),
        not_after=tuple(raw.get("not_after", [])),
    )


def _longhand(acronym: str, longhands: list[str]) -> str | None:
    """The long form to spell out: one whose initials are the acronym's letters (so NVIDIA is just Nvidia
    in capitals), of the same number (GPUs -> graphics processing units)."""
    letters = re.sub(r"s$", "", acronym.replace(".", "").replace("&", ""))
    matching = [s for s in longhands if _initials(s) == letters]
    plural = acronym.endswith("s")
    same = [s for s in matching if s.endswith("s") == plural]
    return next(iter(same or matching), None)


def _surface_pattern(forms: list[str]) -> re.Pattern | None:
    alternatives = []
    for form in sorted(set(forms), key=len, reverse=True):
        regex = phrase_regex(form)
        if form[:1].islower():  # "transformer models" also starts a sentence as "Transformer models"
            regex = f"[{form[0].upper()}{form[0]}]" + regex[1:]
        alternatives.append(regex)
    if not alternatives:
        return None
    return re.compile(r"(?<![\w.])(?:" + "|".join(alternatives) + r")(?![\w])")


@cache
def gazetteer() -> Gazetteer:
    data = load("gazetteer.json")
    entries = [_entry(raw) for raw in data["entities"]]
    lookup: dict[str, int] = {}
    expansions: dict[str, str] = {}
    known: set[str] = set()
    forms: list[str] = []
    for index, entry in enumerate(entries):
        surfaces = (entry.name, *entry.aliases)
        longhands = [s for s in surfaces if not is_acronym(s)]
        for surface in surfaces:
            lookup.setdefault(" ".join(surface.split()).lower(), index)
            forms.append(surface)
            if not is_acronym(surface):
                continue
            longhand = _longhand(surface, longhands)
            for key in acronym_keys(surface)[:1]:
                if longhand:
                    expansions.setdefault(key, longhand)
                else:
                    known.add(key)
    return Gazetteer(
        entries=tuple(entries),
        clusters=dict(data.get("clusters", {})),
        pattern=_surface_pattern(forms),
        lookup=lookup,
        expansions=expansions,
        known_names=frozenset(known),
    )


# ----------------------------------------------------------------------------------------- style


@dataclass(frozen=True)
class Style:
    phrases: dict[str, str]  # lower-cased phrase -> replacement
    phrase_pattern: re.Pattern | None
    jargon: tuple[str, ...]
    jargon_pattern: re.Pattern | None
    allowlist: frozenset[str]


def _alternation(items, suffix: str = "") -> re.Pattern | None:
    if not items:
        return None
    body = "|".join(f"(?:{phrase_regex(i)}{suffix})" for i in sorted(items, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", re.IGNORECASE)


@cache
def style() -> Style:
    data = load("style.json")
    phrases = {" ".join(k.lower().split()): v for k, v in data.get("style_phrases", {}).items()}
    jargon = tuple(" ".join(j.lower().split()) for j in data.get("jargon", []))
    return Style(
        phrases=phrases,
        phrase_pattern=_alternation(phrases),
        jargon=jargon,
        jargon_pattern=_alternation(jargon, "(?:s|es)?"),
        allowlist=frozenset(k for a in data.get("acronym_allowlist", []) for k in acronym_keys(a)),
    )
