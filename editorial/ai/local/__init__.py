"""The local AI provider: offline, fast, rule-based and explainable.

Nothing leaves the machine and nothing is learned: every claim and flag lists the cues that fired and
where (`start`/`end` are offsets into `article.body`, the Markdown source, so `body[start:end]` is exactly
the text the output talks about).

How it reads an article: `document` masks the Markdown and splits the body into units and sentences;
then one module per kind (`claims`, `entities`, `metadata`, `quality`, `suggest`) applies its rules, with
the word lists, gazetteer and house style that `lexicon` reads from `data/`.

Known limits: English only; no parsing, so passive voice, person and place detection are heuristics; a
four-digit number between 1900 and 2099 is read as a year; discovered names are typed from local cues
(suffixes, "said", titles, "in"), otherwise "other".
"""

from __future__ import annotations

import re
from collections.abc import Callable

from editorial.ai.contract import (
    KINDS,
    ArticleInput,
    CallLog,
    Kind,
    Progress,
    ProviderError,
    ProviderResult,
    validate,
)
from editorial.ai.local import claims, entities, metadata, quality, suggest
from editorial.ai.local.document import Doc

RULES_VERSION = "2026.11.1"

_RULES: dict[Kind, Callable[[Doc, ArticleInput], dict]] = {
    Kind.CLAIMS: lambda doc, article: claims.analyse(doc),
    Kind.ENTITIES: lambda doc, article: entities.analyse(doc),
    Kind.METADATA: metadata.analyse,
    Kind.QUALITY: lambda doc, article: quality.analyse(doc),
    Kind.SUGGEST: lambda doc, article: suggest.analyse(doc),
}


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
            doc = Doc(article.body or "")
            progress(50)
            output = _RULES[Kind(kind)](doc, article)
        except (ValueError, KeyError, IndexError, re.error, OSError) as exc:
            raise ProviderError(f"The local provider failed on {kind}: {exc}") from exc
        result = ProviderResult(output=validate(kind, output), tokens_in=None, tokens_out=None, bytes_sent=0)
        progress(100)
        return result
