"""Word-level differences between two versions of an article, for editors and for readers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article

# Words, runs of white space and single punctuation marks: a changed comma shows as a changed comma.
TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)

# What an editor compares, in the order shown, with the label shown.
FIELDS = [
    ("title", "Headline"),
    ("dek", "Standfirst"),
    ("body", "Body"),
    ("seo_description", "Search description"),
    ("slug", "Address"),
    ("author", "Author"),
    ("editor", "Responsible editor"),
    ("topics", "Topics"),
    ("entities", "Entities in the article"),
]


@dataclass(frozen=True)
class FieldDiff:
    field: str
    label: str
    html: SafeString  # the new text with <del> and <ins> marks
    changed: bool
    inserted: int  # words added
    deleted: int  # words removed


def _words(tokens: list[str]) -> int:
    return sum(1 for token in tokens if token[0].isalnum() or token[0] == "_")


def word_diff(old: str, new: str) -> tuple[SafeString, int, int]:
    """The new text, escaped, with removed words in <del> and added words in <ins>."""
    a, b = TOKEN.findall(old or ""), TOKEN.findall(new or "")
    out: list[str] = []
    inserted = deleted = 0
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            out.append(f"<del>{escape(''.join(a[i1:i2]))}</del>")
            deleted += _words(a[i1:i2])
        if op in ("insert", "replace"):
            out.append(f"<ins>{escape(''.join(b[j1:j2]))}</ins>")
            inserted += _words(b[j1:j2])
    return mark_safe("".join(out)), inserted, deleted  # noqa: S308 - every piece is escaped


def _topics(version) -> str:
    if hasattr(version, "listed_topics"):  # a version
        topics = version.listed_topics()
    elif isinstance(version, Article):
        topics = version.topics.all() if version.pk else []
    else:  # typed into a form, not saved: the caller lists them
        topics = getattr(version, "topic_list", [])
    return ", ".join(sorted(topic.name for topic in topics))


def _entities(version) -> str:
    if hasattr(version, "listed_topics"):
        rows = version.entities.filter(entity__isnull=False).select_related("entity")
    elif isinstance(version, Article):
        rows = version.article_entities.select_related("entity") if version.pk else []
    else:
        rows = getattr(version, "entity_lines", [])
    lines = (
        f"{row.entity.name}: {row.description or '(not shown to readers: no description)'}" for row in rows
    )
    return "\n".join(sorted(lines))


def _text(version, field: str) -> str:
    if version is None:
        return ""
    if field in ("author", "editor"):
        person = getattr(version, field) if getattr(version, f"{field}_id") else None
        return person.name if person else ""
    if field == "topics":
        return _topics(version)
    if field == "entities":
        return _entities(version)
    return getattr(version, field, "")


def version_diff(old, new, fields=FIELDS) -> list[FieldDiff]:
    """Compare two versions (history rows, or an article and a history row); `old` may be None."""
    diffs = []
    for field, label in fields:
        before, after = _text(old, field), _text(new, field)
        html, inserted, deleted = word_diff(before, after)
        diffs.append(FieldDiff(field, label, html, before != after, inserted, deleted))
    return diffs


PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
BLOCK_LINE = re.compile(r"^\s*(?:[|>#*+-]|\d+[.)])")


def _unwrap(paragraph: str) -> str:
    """Join a prose paragraph's hard-wrapped lines, as Markdown does; leave tables and lists alone."""
    lines = paragraph.splitlines()
    return (
        paragraph
        if any(BLOCK_LINE.match(line) for line in lines)
        else " ".join(line.strip() for line in lines)
    )


def changed_paragraphs(old: str, new: str) -> list[SafeString]:
    """Only the paragraphs that changed, each with its words marked: what a reader needs to see of a
    long article's change."""
    a = [_unwrap(p) for p in PARAGRAPH_BREAK.split((old or "").strip()) if p]
    b = [_unwrap(p) for p in PARAGRAPH_BREAK.split((new or "").strip()) if p]
    hunks = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op != "equal":
            hunks.append(word_diff("\n\n".join(a[i1:i2]), "\n\n".join(b[j1:j2]))[0])
    return hunks
