"""Suggestions: rewrites of weak sentences (wordy phrases, acronyms to spell out, sentences to split)."""

from __future__ import annotations

import bisect
import re

from editorial.ai.local.document import MAX_TEXT, Doc, Sentence, capitalise, clip, squash, words_in
from editorial.ai.local.quality import LONG_SENTENCE_WORDS, acronym_uses, split_point, style_matches


def _split_long(text: str) -> tuple[str, list[str]]:
    """Split a sentence until every piece has at most LONG_SENTENCE_WORDS words or no split point is left."""
    pieces, separators, done = [text], [], []
    while pieces:
        piece = pieces.pop(0)
        split = split_point(piece) if len(words_in(piece)) > LONG_SENTENCE_WORDS else None
        if split is None:
            done.append(piece)
            continue
        cut, resume, separator = split
        gap = "\n" if "\n" in piece[cut:resume] else " "
        pieces[:0] = [piece[:cut].rstrip(" ,;") + "." + gap, capitalise(piece[resume:])]
        separators.append(separator)
    return "".join(done), separators


Edit = tuple[int, int, str, str]  # start, end, new text, reason


def _edits(doc: Doc, prose: list[Sentence]) -> dict[int, list[Edit]]:
    """The edits to make, by index of the sentence in `prose`; a long sentence is there with none."""
    edits: dict[int, list[Edit]] = {}
    starts = [s.start for s in prose]

    def sentence_at(pos: int) -> int | None:
        i = bisect.bisect_right(starts, pos) - 1
        return i if i >= 0 and prose[i].start <= pos < prose[i].end else None

    for m, _phrase, replacement in style_matches(doc):
        i = sentence_at(m.start())
        if i is None or doc.in_quote(m.start()):
            continue
        end = m.end()
        new = replacement
        if not replacement:
            tail = re.match(r"(?:\s+that)?,?\s*", doc.body[end : prose[i].end])
            end += tail.end() if tail else 0
        elif m.group()[:1].isupper():
            new = capitalise(replacement)
        reason = f"'{squash(m.group())}' → '{replacement}'" if replacement else f"drop '{squash(m.group())}'"
        edits.setdefault(i, []).append((m.start(), end, new, reason))
    for use in acronym_uses(doc):
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
        if len(words_in(doc.masked[s.start : s.end])) > LONG_SENTENCE_WORDS:
            edits.setdefault(i, [])
    return edits


def _rewrite(doc: Doc, sentence: Sentence, edits: list[Edit]) -> dict | None:
    """One sentence with its edits made (last first, so offsets hold) and split if still too long."""
    original = doc.body[sentence.start : sentence.end]
    rewrite, limit = original, len(original)
    reasons: list[str] = []
    for start, end, new, reason in sorted(edits, key=lambda e: e[0], reverse=True):
        a, b = start - sentence.start, end - sentence.start
        if b <= a or a < 0 or b > limit:
            continue  # outside the sentence, or overlapping an edit already made
        rewrite = rewrite[:a] + new + rewrite[b:]
        reasons.insert(0, reason)
        limit = a
    if not rewrite[:1].isupper() and original[:1].isupper():
        rewrite = capitalise(rewrite)
    if len(words_in(rewrite)) > LONG_SENTENCE_WORDS:
        rewrite, separators = _split_long(rewrite)
        if separators:
            quoted = ", ".join(f"'{sep}'" for sep in separators)
            reasons.append(f"split a {len(words_in(original))}-word sentence at {quoted}")
    if rewrite == original or not reasons:
        return None
    if len(original) > MAX_TEXT or len(rewrite) > MAX_TEXT:
        return None
    return {"original": original, "rewrite": rewrite, "reason": clip("; ".join(reasons))}


def analyse(doc: Doc) -> dict:
    prose = doc.prose()
    edits = _edits(doc, prose)
    suggestions = [s for i in sorted(edits) if (s := _rewrite(doc, prose[i], edits[i]))]
    return {"suggestions": suggestions[:50]}
