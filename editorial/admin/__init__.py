"""The newsroom's back office, one module per part; importing them registers their admins."""

from editorial.admin import assist, audit, factcheck, outbox, people

__all__ = ["assist", "audit", "factcheck", "outbox", "people"]
