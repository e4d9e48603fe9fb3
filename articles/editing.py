"""Who has an article's change form open: a soft lock, like Wagtail's "X has been editing since ...".

Presence is kept in the cache (Redis in production) for a few minutes and renewed by the form's
heartbeat. It only informs: saving is guarded by the version check (articles.services.edit_conflict).
When the cache is unreachable nobody is shown as editing, and editing goes on."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.utils import timezone

from articles.services import display_name

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 30
# A form not heard from for this long is taken as closed.
GONE_AFTER_SECONDS = 90


@dataclass(frozen=True)
class Editor:
    user_id: int
    name: str
    since: datetime


def _key(article_id: int) -> str:
    return f"article-editing:{article_id}"


def editing_touch(article_id: int, user) -> list[Editor]:
    """Record that `user` has the form open now; return the others who do, longest first."""
    now = timezone.now()
    try:
        present = cache.get(_key(article_id)) or {}
        present = {
            uid: entry
            for uid, entry in present.items()
            if (now - entry["seen"]).total_seconds() < GONE_AFTER_SECONDS
        }
        mine = present.get(user.pk)
        present[user.pk] = {"name": display_name(user), "since": mine["since"] if mine else now, "seen": now}
        cache.set(_key(article_id), present, GONE_AFTER_SECONDS * 2)
    except Exception as exc:  # the cache backend's connection errors differ by backend
        log.warning("editing presence unavailable: %s", exc)
        return []
    others = [Editor(uid, e["name"], e["since"]) for uid, e in present.items() if uid != user.pk]
    return sorted(others, key=lambda editor: editor.since)


def editing_leave(article_id: int, user) -> None:
    try:
        present = cache.get(_key(article_id)) or {}
        if present.pop(user.pk, None) is not None:
            cache.set(_key(article_id), present, GONE_AFTER_SECONDS * 2)
    except Exception as exc:
        log.warning("editing presence unavailable: %s", exc)
