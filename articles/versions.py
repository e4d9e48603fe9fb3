"""Saving versioned records: every model with a history (articles, people, claims, readers' reports) is
saved through these two functions.

simple-history reads who made a change and why from attributes it finds on the instance when it saves;
`save_version` is the one place that sets them. A reason is never left over from an earlier save: each
version says why it was made, or nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.db.models import Model


def save_version[M: "Model"](
    obj: M,
    *,
    by: AbstractBaseUser | None,
    reason: str = "",
    update_fields: Iterable[str] | None = None,
) -> M:
    """Save `obj` and record the change as a new version made by `by`, for `reason`."""
    _sign(obj, by, reason).save(update_fields=update_fields)
    return obj


def save_unversioned[M: "Model"](obj: M, *fields: str) -> M:
    """Save `fields` without a new version: pointers and bookkeeping that are not the record's content
    (which version is live, which was approved, when a link was last checked)."""
    record: Any = obj
    record.save_without_historical_record(update_fields=list(fields))
    return obj


def delete_version(obj: Model, *, by: AbstractBaseUser | None, reason: str = "") -> None:
    """Delete `obj`; its history keeps every version and records the deletion as `by`'s, for `reason`."""
    _sign(obj, by, reason).delete()


def _sign[M: "Model"](obj: M, by: AbstractBaseUser | None, reason: str) -> M:
    """Tell simple-history who makes the next change and why (the attributes it reads when it saves)."""
    record: Any = obj
    record._history_user = by
    record._change_reason = reason or None
    return obj


@contextmanager
def unrecorded[M: "Model"](obj: M) -> Iterator[M]:
    """Changes to `obj` inside are no version of their own: simple-history skips saves and many-to-many
    changes of an instance with this flag. The next `save_version` records them with the rest."""
    record: Any = obj
    record.skip_history_when_saving = True
    try:
        yield obj
    finally:
        del record.skip_history_when_saving
