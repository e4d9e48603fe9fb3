"""Metadata: a standfirst and a search description from the lede, topics to choose from, keywords."""

from __future__ import annotations

import re
from collections import Counter

from editorial.ai.contract import ArticleInput
from editorial.ai.local import lexicon
from editorial.ai.local.document import Doc, Sentence, clip, squash, whole_words, words_in
from editorial.ai.local.entities import Found, find_entities
from editorial.ai.local.lexicon import ADJECTIVES, STOPWORDS, fold, is_acronym, phrase_regex

_WORD_TOKEN = re.compile(r"[A-Za-z][A-Za-z’'\-]*[A-Za-z]|[A-Za-z]")


def _content_word(word: str) -> bool:
    low = word.lower()
    return (
        len(low) >= 3
        and low not in STOPWORDS
        and not low.endswith("ly")
        and not (low.endswith("ed") and len(low) > 4)
        and not is_acronym(word)
        and low not in ADJECTIVES
        and not low.endswith(("al", "ive", "ous", "ic", "able", "ible", "ful", "less"))
    )


def _lede(doc: Doc) -> list[Sentence]:
    for kind in (("paragraph",), ("list_item",), ("table_row",)):
        for index, unit in enumerate(doc.units):
            if unit.kind in kind and not unit.quoted:
                return [s for s in doc.sentences if s.unit == index]
    return []


def _summary(doc: Doc, lede: list[Sentence], fallbacks: list[str], limit: int) -> str:
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
        fallback = squash(fallback)
        if 40 <= len(fallback) <= limit:
            return fallback
    source = texts[0] if texts else next((squash(f) for f in fallbacks if f.strip()), "")
    return whole_words(source, limit)


def _topics(doc: Doc, article: ArticleInput) -> list[str]:
    gz = lexicon.gazetteer()
    haystack = " ".join([article.title, article.dek, doc.masked])
    # A long article must name a topic at least twice; a short one once.
    needed = 1 if len(words_in(doc.masked)) < 300 else 2
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
                (re.escape(f) if is_acronym(f) else f"(?i:{phrase_regex(f)})") + r"(?:s|es)?" for f in forms
            )
            count = len(re.findall(rf"(?<![\w-])(?:{pattern})(?![\w-])", haystack))
            if not count:
                ok = False
                break
            total += count
        if ok and total >= needed and topic not in chosen:
            chosen.append(topic)
    return chosen[:10]


def _keywords(doc: Doc, article: ArticleInput, entities: list[Found]) -> list[str]:
    title_words = {fold(w.lower()) for w in _WORD_TOKEN.findall(article.title)}
    dek_words = {fold(w.lower()) for w in _WORD_TOKEN.findall(article.dek)}
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
            key = fold(low)
            counts[key] += 1
            forms.setdefault(key, Counter())[low] += 1
            first.setdefault(key, t.start())
            if previous is not None and doc.masked[previous.end() : t.start()].strip() == "":
                pkey = f"{fold(previous.group().lower())} {key}"
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
        words = {fold(w) for w in term.lower().split()}
        if any(words <= {fold(w) for w in c.lower().split()} for c in chosen):
            continue
        chosen.append(clip(term))
        if len(chosen) == 10:
            break
    return chosen


def analyse(doc: Doc, article: ArticleInput) -> dict:
    lede = _lede(doc)
    return {
        "dek": _summary(doc, lede, [article.dek, article.title], 200),
        "seo_description": _summary(doc, lede, [article.dek, article.title], 160),
        "topics": _topics(doc, article),
        "keywords": _keywords(doc, article, find_entities(doc)),
    }
