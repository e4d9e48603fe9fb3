"""The AI-assist contract: what a provider is given and what it must return.

Providers (`editorial.ai.local`, `editorial.ai.openai_compat`) import this module, never the other way
round, and return plain dataclasses; `editorial.ai.get_provider` picks the one that runs. Their output
is untrusted data: it is validated against the kind's JSON schema here and stored as a suggestion; it is
never acted on until a person accepts part of it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import jsonschema

from editorial.models.assist import AssistJob

Kind = AssistJob.Kind
KINDS: tuple[str, ...] = tuple(Kind.values)
# Bump when prompts, rules or schemas change: the ledger records which version produced each output.
PROMPT_VERSION = "2026-11-1"

# What a provider writes of a name it knows nothing about: where the name stands, not who or what it is.
# Such a description is never shown to readers; accepting the entity leaves its description to an editor.
PLACEHOLDER_PERSON_QUOTED = "Person quoted in the article"
PLACEHOLDER_PERSON_NAMED = "Person named in the article"
PLACEHOLDER_ORGANISATION = "Organisation named in the article"
PLACEHOLDER_PLACE = "Place named in the article"
PLACEHOLDER_NAME = "Name mentioned in the article"
PLACEHOLDERS = (
    PLACEHOLDER_PERSON_QUOTED,
    PLACEHOLDER_PERSON_NAMED,
    PLACEHOLDER_ORGANISATION,
    PLACEHOLDER_PLACE,
    PLACEHOLDER_NAME,
)


def says_nothing(description: str) -> bool:
    """Whether an entity's description is empty or a placeholder (one, or one with the text's own words
    after it, "Person quoted in the article: a spokesperson"), rather than a description of it."""
    text = " ".join(description.split()).lower()
    return not text or any(text.startswith(placeholder.lower()) for placeholder in PLACEHOLDERS)


_span = {"type": "integer", "minimum": 0}
_text = {"type": "string", "maxLength": 4000}
_short = {"type": "string", "maxLength": 300}

SCHEMAS: dict[str, dict] = {
    Kind.CLAIMS: {
        "type": "object",
        "required": ["claims"],
        "additionalProperties": False,
        "properties": {
            "claims": {
                "type": "array",
                "maxItems": 200,
                "items": {
                    "type": "object",
                    "required": ["text", "start", "end", "score", "cues"],
                    "additionalProperties": False,
                    "properties": {
                        "text": _text,
                        "start": _span,
                        "end": _span,
                        "score": {"type": "number", "minimum": 0, "maximum": 1},
                        "cues": {"type": "array", "maxItems": 20, "items": _short},
                    },
                },
            }
        },
    },
    Kind.ENTITIES: {
        "type": "object",
        "required": ["entities", "clusters"],
        "additionalProperties": False,
        "properties": {
            "clusters": {
                "type": "array",
                "maxItems": 30,
                "items": {
                    "type": "object",
                    "required": ["name", "description"],
                    "additionalProperties": False,
                    "properties": {"name": _short, "description": _short},
                },
            },
            "entities": {
                "type": "array",
                "maxItems": 100,
                "items": {
                    "type": "object",
                    "required": ["name", "type", "description", "cluster", "aliases", "mentions"],
                    "additionalProperties": False,
                    "properties": {
                        "name": _short,
                        "type": {
                            "enum": [
                                "person",
                                "organisation",
                                "place",
                                "technology",
                                "product",
                                "event",
                                "other",
                            ]
                        },
                        "description": _short,
                        "cluster": _short,
                        "aliases": {"type": "array", "maxItems": 20, "items": _short},
                        "mentions": {
                            "type": "array",
                            "maxItems": 200,
                            "items": {
                                "type": "object",
                                "required": ["start", "end"],
                                "additionalProperties": False,
                                "properties": {"start": _span, "end": _span},
                            },
                        },
                    },
                },
            },
        },
    },
    Kind.METADATA: {
        "type": "object",
        "required": ["dek", "seo_description", "topics", "keywords"],
        "additionalProperties": False,
        "properties": {
            "dek": {"type": "string", "maxLength": 500},
            "seo_description": {"type": "string", "maxLength": 300},
            "topics": {"type": "array", "maxItems": 10, "items": _short},
            "keywords": {"type": "array", "maxItems": 20, "items": _short},
        },
    },
    Kind.QUALITY: {
        "type": "object",
        "required": ["readability", "flags"],
        "additionalProperties": False,
        "properties": {
            "readability": {
                "type": "object",
                "required": ["grade", "words", "sentences"],
                "additionalProperties": False,
                "properties": {
                    "grade": {"type": "number"},
                    "words": {"type": "integer", "minimum": 0},
                    "sentences": {"type": "integer", "minimum": 0},
                },
            },
            "flags": {
                "type": "array",
                "maxItems": 300,
                "items": {
                    "type": "object",
                    "required": ["kind", "message", "start", "end", "cues"],
                    "additionalProperties": False,
                    "properties": {
                        "kind": {
                            "enum": [
                                "long_sentence",
                                "passive_voice",
                                "undefined_acronym",
                                "jargon",
                                "unattributed_claim",
                                "style_phrase",
                            ]
                        },
                        "message": _short,
                        "start": _span,
                        "end": _span,
                        "cues": {"type": "array", "maxItems": 20, "items": _short},
                    },
                },
            },
        },
    },
    Kind.SUGGEST: {
        "type": "object",
        "required": ["suggestions"],
        "additionalProperties": False,
        "properties": {
            "suggestions": {
                "type": "array",
                "maxItems": 50,
                "items": {
                    "type": "object",
                    "required": ["original", "rewrite", "reason"],
                    "additionalProperties": False,
                    "properties": {"original": _text, "rewrite": _text, "reason": _short},
                },
            }
        },
    },
}


class ProviderError(Exception):
    """A provider could not produce a valid answer. `retryable`: worth trying again later."""

    def __init__(self, message: str, *, retryable: bool = False, bytes_sent: int = 0):
        super().__init__(message)
        self.retryable = retryable
        self.bytes_sent = bytes_sent  # what left the building even though nothing usable came back


@dataclass(frozen=True)
class ArticleInput:
    """What a provider sees of an article: data, never instructions."""

    title: str
    dek: str
    body: str  # Markdown; offsets in outputs refer to this text
    topics: list[str] = field(default_factory=list)  # the newsroom's topic names, to choose from

    def sha256(self) -> str:
        payload = json.dumps([self.title, self.dek, self.body, self.topics], ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()


@dataclass(frozen=True)
class ProviderResult:
    output: dict
    tokens_in: int | None = None
    tokens_out: int | None = None
    bytes_sent: int = 0  # what left the building (0 for the local provider)


Progress = Callable[[int], None]  # percent done, 0 to 100


class CallLog(Protocol):
    """Where a provider puts each request it sends on record: one entry per HTTP request, retries included.

    `sending` is called right before a request leaves, with its size; it may raise ProviderError to stop it,
    and then nothing is sent. `finished` is called once that request has ended, with the bytes that did
    leave and "" if it was answered, or why it failed. A provider that sends nothing calls neither."""

    def sending(self, bytes_sent: int) -> None: ...

    def finished(self, bytes_sent: int, error: str = "") -> None: ...


class Unrecorded:
    """A CallLog that keeps nothing, for running a provider outside the ledger (tests, benchmarks)."""

    def sending(self, bytes_sent: int) -> None:
        pass

    def finished(self, bytes_sent: int, error: str = "") -> None:
        pass


class Provider(Protocol):
    name: str
    model: str

    def run(
        self, kind: str, article: ArticleInput, progress: Progress, calls: CallLog | None = None
    ) -> ProviderResult: ...


# Built once: checking the schema itself on every call cost more than the local rules.
_VALIDATORS = {kind: jsonschema.Draft202012Validator(schema) for kind, schema in SCHEMAS.items()}


def validate(kind: str, output: object) -> dict:
    """Reject anything that is not exactly the kind's shape (every schema is an object's)."""
    try:
        _VALIDATORS[kind].validate(output)
    except jsonschema.ValidationError as exc:
        raise ProviderError(f"The {kind} output does not match its schema: {exc.message[:300]}") from exc
    assert isinstance(output, dict)
    return output
