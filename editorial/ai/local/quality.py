"""Quality: readability, long sentences, passive voice, undefined acronyms, jargon, unattributed figures and
wordy phrases from the house style."""

from __future__ import annotations

import re

from editorial.ai.local import lexicon
from editorial.ai.local.claims import ATTRIBUTIONS, FIGURES, find_cues, skip_reason
from editorial.ai.local.document import Doc, Sentence, clip, inside_quotes, squash, words_in
from editorial.ai.local.lexicon import (
    IRREGULAR_PARTICIPLES,
    NOT_PARTICIPLE,
    SUBJECT_STARTERS,
    acronym_keys,
    fold,
)

LONG_SENTENCE_WORDS = 35

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


def _readability(doc: Doc) -> dict:
    sentences = doc.prose()
    words = [w for s in sentences for w in words_in(doc.masked[s.start : s.end])]
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
        "message": clip(message),
        "start": start,
        "end": end,
        "cues": [clip(c) for c in cues][:20],
    }


def style_matches(doc: Doc):
    style = lexicon.style()
    if style.phrase_pattern is None:
        return
    for m in style.phrase_pattern.finditer(doc.masked):
        phrase = " ".join(m.group().lower().split())
        if phrase in style.phrases:
            yield m, phrase, style.phrases[phrase]


def acronym_uses(doc: Doc) -> list[dict]:
    """First undefined use of each acronym: {token, start, end, count, expansion, later}."""
    style, gz = lexicon.style(), lexicon.gazetteer()
    defined: dict[str, int] = {}
    for pattern in (_DEFINED_AFTER, _DEFINED_BEFORE):
        for m in pattern.finditer(doc.masked):
            for key in acronym_keys(m.group(1)):
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
            keys = acronym_keys(token)
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


def _long_sentence_flags(doc: Doc, sentence: Sentence) -> list[dict]:
    count = len(words_in(doc.masked[sentence.start : sentence.end]))
    if count <= LONG_SENTENCE_WORDS:
        return []
    split = split_point(doc.body[sentence.start : sentence.end])
    cues = [f"{count} words", f"limit: {LONG_SENTENCE_WORDS}"]
    if split:
        cues.append(f"split point: {split[2]!r}")
    message = f"Sentence has {count} words (limit {LONG_SENTENCE_WORDS})"
    return [_flag("long_sentence", message, sentence.start, sentence.end, cues)]


def _passive_flags(doc: Doc, sentence: Sentence) -> list[dict]:
    flags = []
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
            _flag("passive_voice", f"Passive voice: '{squash(m.group())}'", m.start(), m.end(), cues)
        )
    return flags


def _unattributed_flags(doc: Doc, prose: list[Sentence], i: int) -> list[dict]:
    """Figures with no source in this sentence or the one before it in the same unit."""
    sentence = prose[i]
    text = doc.masked[sentence.start : sentence.end]
    found = find_cues(text)
    if (
        not any(c in found for c in FIGURES)
        or any(c in found for c in ATTRIBUTIONS)
        or skip_reason(text, found)
    ):
        return []
    previous = prose[i - 1] if i and prose[i - 1].unit == sentence.unit else None
    previous_found = find_cues(doc.masked[previous.start : previous.end]) if previous else {}
    if any(c in previous_found for c in ATTRIBUTIONS):
        return []
    figures = [f"{c}: {v}" for c in FIGURES for v in found.get(c, [])]
    cues = [*figures[:10], "no attribution cue in this or the previous sentence"]
    message = "Figures without a source: add who says so"
    return [_flag("unattributed_claim", message, sentence.start, sentence.end, cues)]


def _acronym_flags(doc: Doc) -> list[dict]:
    flags = []
    for use in acronym_uses(doc):
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
    return flags


def _jargon_flags(doc: Doc) -> list[dict]:
    """The first use of each jargon term, with how often it is used."""
    pattern = lexicon.style().jargon_pattern
    if pattern is None:
        return []
    seen: dict[str, dict] = {}
    for m in pattern.finditer(doc.masked):
        key = fold(" ".join(m.group().lower().split()))
        if key in seen:
            seen[key]["count"] += 1
            continue
        seen[key] = {"match": m, "count": 1}
    flags = []
    for item in seen.values():
        m = item["match"]
        message = f"Jargon: '{squash(m.group())}' — explain it or use a plain word"
        cues = ["jargon list (style.json)", f"used {item['count']} time{'s' if item['count'] > 1 else ''}"]
        flags.append(_flag("jargon", message, m.start(), m.end(), cues))
    return flags


def _style_flags(doc: Doc) -> list[dict]:
    flags = []
    for m, phrase, replacement in style_matches(doc):
        plain = f"'{replacement}'" if replacement else "nothing (delete it)"
        cues = [
            f"style phrase: {phrase}",
            f"replacement: {replacement or '(delete)'}",
            *(["inside a quotation: keep the speaker's words"] if doc.in_quote(m.start()) else []),
        ]
        message = f"Wordy phrase: '{squash(m.group())}' → {plain}"
        flags.append(_flag("style_phrase", message, m.start(), m.end(), cues))
    return flags


def _quality_flags(doc: Doc) -> list[dict]:
    flags = []
    prose = doc.prose()
    for i, sentence in enumerate(prose):
        flags += _long_sentence_flags(doc, sentence)
        flags += _passive_flags(doc, sentence)
        flags += _unattributed_flags(doc, prose, i)
    flags += _acronym_flags(doc) + _jargon_flags(doc) + _style_flags(doc)
    flags.sort(key=lambda f: (f["start"], f["end"], f["kind"]))
    return flags[:300]


def analyse(doc: Doc) -> dict:
    return {"readability": _readability(doc), "flags": _quality_flags(doc)}


def split_point(text: str) -> tuple[int, int, str] | None:
    """Where to split a long sentence: (cut, resume, separator) nearest the middle, both halves >= 8 words."""
    options = []
    for m in re.finditer(r";\s+|,\s+(?:and|but)\s+", text):
        left, right = text[: m.start()], text[m.end() :]
        if inside_quotes(text, m.start()):
            continue
        if len(words_in(left)) < 8 or len(words_in(right)) < 8:
            continue
        separator = squash(m.group()).rstrip()
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
