"""One function per e-mail the newsroom sends. Each writes an outbox row (sent by a task after commit)."""

from editorial import services
from editorial.models import OutgoingEmail


def article_submitted(to: str, ctx: dict) -> OutgoingEmail:
    return services.email_queue("article-submitted", to=to, context=ctx)


def article_changes_requested(to: str, ctx: dict) -> OutgoingEmail:
    return services.email_queue("article-changes-requested", to=to, context=ctx)


def article_approved(to: str, ctx: dict) -> OutgoingEmail:
    return services.email_queue("article-approved", to=to, context=ctx)


def article_published(to: str, ctx: dict) -> OutgoingEmail:
    return services.email_queue("article-published", to=to, context=ctx)


def correction_received(to: str, ctx: dict) -> OutgoingEmail:
    return services.email_queue("correction-received", to=to, context=ctx)


def correction_accepted(to: str, ctx: dict) -> OutgoingEmail:
    return services.email_queue("correction-accepted", to=to, context=ctx)


def correction_declined(to: str, ctx: dict) -> OutgoingEmail:
    return services.email_queue("correction-declined", to=to, context=ctx)
