"""The back office's audit trail: sign-ins and views of what is not public. One insert per event."""

from __future__ import annotations

from django.http import HttpRequest

from editorial.models import AuditEvent
from editorial.proxies import client_ip

# Admin pages that show what readers have not seen (a working copy, an old version, a diff, an AI job's
# output or one of its calls to a provider, a reader's report), by URL name, with the model they show.
AUDITED_VIEWS: dict[str, str] = {
    "articles_article_change": "articles.article",
    "articles_article_history": "articles.article",
    "articles_article_simple_history": "articles.article",
    "articles_article_versions": "articles.article",
    "articles_article_compare": "articles.article",
    "articles_article_workflow": "articles.article",
    "editorial_assistjob_change": "editorial.assistjob",
    "editorial_aicall_change": "editorial.aicall",
    "corrections_correctionrequest_change": "corrections.correctionrequest",
    "corrections_correctionrequest_history": "corrections.correctionrequest",
    "corrections_correctionrequest_simple_history": "corrections.correctionrequest",
    "corrections_correctionrequest_accept": "corrections.correctionrequest",
    "corrections_correctionrequest_decline": "corrections.correctionrequest",
}


def audit_record(
    kind: str,
    *,
    request: HttpRequest | None = None,
    user=None,
    username: str = "",
    object_type: str = "",
    object_id: str = "",
    detail: str = "",
) -> AuditEvent:
    if user is None and request is not None and request.user.is_authenticated:
        user = request.user
    return AuditEvent.objects.create(
        kind=kind,
        user=user,
        username=(username or (user.get_username() if user is not None else ""))[:150],
        ip_address=client_ip(request) if request is not None else None,
        path=request.get_full_path()[:500] if request is not None else "",
        object_type=object_type,
        object_id=str(object_id)[:64],
        detail=detail[:300],
    )


def audit_view(request: HttpRequest, response) -> None:
    """Record that a staff member saw a non-public admin page (successful GETs only)."""
    match = request.resolver_match
    if request.method != "GET" or response.status_code != 200 or match is None:
        return
    object_type = AUDITED_VIEWS.get(match.url_name or "")
    if object_type is None:
        return
    object_id = match.kwargs.get("object_id") or (match.args[0] if match.args else "")
    version = match.args[1] if len(match.args) > 1 else match.kwargs.get("history_id", "")
    detail = f"{match.url_name}" + (f" version {version}" if version else "")
    audit_record(
        AuditEvent.Kind.VIEWED, request=request, object_type=object_type, object_id=object_id, detail=detail
    )
