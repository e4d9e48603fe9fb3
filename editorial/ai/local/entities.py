"""Entities: names from the gazetteer, and capitalised phrases typed from local cues (said, titles, in)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from editorial.ai.contract import (
    PLACEHOLDER_NAME,
    PLACEHOLDER_ORGANISATION,
    PLACEHOLDER_PERSON_NAMED,
    PLACEHOLDER_PERSON_QUOTED,
    PLACEHOLDER_PLACE,
)
from editorial.ai.local import lexicon
from editorial.ai.local.document import Doc, Sentence, clip, squash
from editorial.ai.local.lexicon import (
    COMMON_CAPS,
    CONNECTORS,
    NOT_NAMES,
    OF_HEADS,
    ORG_PREFIXES,
    ORG_SUFFIXES,
    STOPWORDS,
    TITLES,
    is_acronym,
    phrase_regex,
)

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
class Found:
    name: str
    type: str = "other"
    description: str = ""
    cluster: str = ""
    aliases: list[str] = field(default_factory=list)
    mentions: list[tuple[int, int]] = field(default_factory=list)
    gazetteer: bool = False


def _overlaps(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(span[0] < b and a < span[1] for a, b in spans)


def _gazetteer_mentions(doc: Doc) -> dict[int, list[tuple[int, int]]]:
    gz = lexicon.gazetteer()
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


def _discover(doc: Doc, taken: list[tuple[int, int]]) -> list[tuple[str, tuple[int, int], dict]]:
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


def _name_spans(doc: Doc, sentence: Sentence, group: list[tuple[int, int]]):
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


def _finish(doc: Doc, sentence: Sentence, group: list[tuple[int, int]]):
    text = doc.masked
    start, end = group[0][0], group[-1][1]
    while end > start and text[end - 1] in ".-’'":
        end -= 1
    name = squash(text[start:end])
    words = name.split()
    if not words or (len(words) == 1 and (name in NOT_NAMES or is_acronym(name) or name.isdigit())):
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
        return "organisation", PLACEHOLDER_ORGANISATION
    if any(c["title"] for c in contexts) and all(w[0].isupper() for w in words) and len(words) <= 3:
        return "person", _person_description(said, appositive)
    if person_shape and (said or appositive):
        return "person", _person_description(said, appositive)
    if any(c["in"] for c in contexts):
        return "place", PLACEHOLDER_PLACE
    return "other", PLACEHOLDER_NAME


def _person_description(said: bool, appositive: str) -> str:
    base = PLACEHOLDER_PERSON_QUOTED if said else PLACEHOLDER_PERSON_NAMED
    return clip(f"{base}: {appositive}" if appositive else base)


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
    return re.compile(rf"(?<![\w’'\-]){phrase_regex(name)}(?![\w\-])")


def find_entities(doc: Doc) -> list[Found]:
    gz = lexicon.gazetteer()
    found: list[Found] = []
    taken: list[tuple[int, int]] = []
    for index, spans in _gazetteer_mentions(doc).items():
        entry = gz.entries[index]
        found.append(
            Found(
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
    by_name: dict[str, Found] = {}
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
        entity = Found(name=name, type=kind, description=description, cluster=TYPE_CLUSTERS[kind])
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


def analyse(doc: Doc) -> dict:
    gz = lexicon.gazetteer()
    entities, clusters = [], []
    for f in find_entities(doc):
        entities.append(
            {
                "name": clip(f.name),
                "type": f.type,
                "description": clip(f.description),
                "cluster": clip(f.cluster),
                "aliases": [clip(a) for a in f.aliases][:20],
                "mentions": [{"start": a, "end": b} for a, b in f.mentions[:200]],
            }
        )
        if f.cluster not in clusters:
            clusters.append(f.cluster)
    described = [
        {"name": clip(c), "description": clip(gz.clusters.get(c, "Names the article mentions."))}
        for c in clusters
    ]
    return {"entities": entities, "clusters": described[:30]}
