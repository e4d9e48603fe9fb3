"""The newsroom's own models, one module per part: people, outbox, fact-check, assist, audit."""

from editorial.models.assist import AICall, AssistJob, AssistJobQuerySet
from editorial.models.audit import AuditEvent
from editorial.models.factcheck import Claim, ClaimQuerySet, Evidence, EvidenceQuerySet
from editorial.models.outbox import OutgoingEmail
from editorial.models.people import Disclosure, DisclosureQuerySet, Person, PolicyPage

__all__ = [
    "AICall",
    "AssistJob",
    "AssistJobQuerySet",
    "AuditEvent",
    "Claim",
    "ClaimQuerySet",
    "Disclosure",
    "DisclosureQuerySet",
    "Evidence",
    "EvidenceQuerySet",
    "OutgoingEmail",
    "Person",
    "PolicyPage",
]
