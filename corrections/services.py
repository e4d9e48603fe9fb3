"""The corrections channel: receiving a reader's request, triage, acceptance and decline."""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from articles import phrases
from articles import services as article_services
from articles.models import Article
from articles.versions import save_version
from corrections.models import Correction, CorrectionDigest, CorrectionRequest, DigestedRequest
from editorial import emails

if TYPE_CHECKING:
    from django.contrib.auth.models import User

log = logging.getLogger(__name__)
R = CorrectionRequest.Status
DESK_GROUP = "Corrections desk"  # the role in editorial/roles.py


class CorrectionError(Exception):
    """A corrections action that the request's or the article's state does not allow."""


# Receiving


def ip_hash(ip: str) -> str:
    """Readers' addresses are never stored; a keyed hash is enough to rate-limit and spot floods."""
    return hmac.new(settings.SECRET_KEY.encode(), ip.encode(), hashlib.sha256).hexdigest()


def _over(key: str, limit: int, window: int, rows) -> bool:
    """Is this request past `limit` in the last `window` seconds? Counted in the cache (Redis in
    production). A missing counter (a new window, or a cache that has just restarted empty) starts from
    the stored `rows`, and when the cache is unreachable the stored rows are counted instead: a Redis
    outage neither blocks readers nor lifts the limits."""
    stored = rows.filter(created_at__gte=timezone.now() - timedelta(seconds=window)).count
    try:
        try:
            count = cache.incr(key)
        except ValueError:  # no counter: start it from the rows (another request may have just done so)
            count = stored() + 1
            if not cache.add(key, count, window):
                count = cache.incr(key)
    except Exception as exc:  # the cache backend's connection errors differ by backend
        # Said once per outage by the cache (editorial/cache.py), not in every request.
        log.debug("corrections limits: cache unavailable (%s), counting stored requests", exc)
        count = stored() + 1
    return count > limit


def address_over_limit(ip: str) -> bool:
    """Has this address sent more than CORRECTIONS_PER_ADDRESS reports in the window? Then it must wait."""
    limit, window = settings.CORRECTIONS_RATE_LIMIT
    return _over(f"corrections:ip:{ip}", limit, window, CorrectionRequest.objects.filter(ip_hash=ip))


def article_flooded(article: Article) -> bool:
    """Has the article received more than CORRECTIONS_PER_ARTICLE_HOUR reports in the last hour? Then
    the next ones are still stored, but held for the desk in one batch (see `correction_request_receive`):
    rotating addresses can flood the desk's queue, never close the channel to a new reader."""
    cap, window = settings.CORRECTIONS_ARTICLE_CAP
    rows = CorrectionRequest.objects.filter(article=article)
    return _over(f"corrections:article:{article.pk}", cap, window, rows)


def quote_found_in(quote: str, version) -> bool:
    """Does the reader's quote appear in the text they read (typography, spacing and markup aside)?
    Read with the same matcher that marks the quote for the desk, so a quote found is a quote shown."""
    if version is None or not quote.strip():
        return False
    return any(phrases.contains(quote, text) for text in (version.body, version.title, version.dek))


class AlreadySent(CorrectionError):
    """This showing of the form has already sent a report (a double click, or a replayed form)."""

    def __init__(self, request: CorrectionRequest):
        super().__init__(f"This report was already sent, with the reference {request.reference}.")
        self.request = request


def correction_request_receive(
    article: Article, *, data: dict, ip: str, nonce: str | None = None, suspected: bool = False
) -> CorrectionRequest:
    """Store the reader's request first, in its own transaction; then queue the acknowledgment.

    A request is held out of the desk's queue, stored all the same, when it is `suspected` of being
    automated (sent faster than a person fills the form in) or when the article is flooded with reports
    (`article_flooded`); its reader is acknowledged once the desk releases it, so that the form cannot be
    used to send the newsroom's mail to strangers. `nonce` is the form showing's: a second report from
    one showing raises AlreadySent with the first."""
    held = CorrectionRequest.Held.NOT_HELD
    if suspected:
        held = CorrectionRequest.Held.TOO_FAST
    elif article_flooded(article):
        held = CorrectionRequest.Held.FLOOD
    try:
        with transaction.atomic():
            request = CorrectionRequest.objects.create(
                article=article,
                quoted_text=data.get("quoted_text", ""),
                quote_found=quote_found_in(data.get("quoted_text", ""), article.live_version),
                explanation=data["explanation"],
                evidence_url=data.get("evidence_url", ""),
                name=data.get("name", ""),
                email=data.get("email", ""),
                ip_hash=ip,
                suspected_automated=bool(held),
                held_because=held,
                form_nonce=nonce,
            )
    except IntegrityError:
        first = CorrectionRequest.objects.filter(form_nonce=nonce).first() if nonce else None
        if first is None:
            raise
        raise AlreadySent(first) from None
    if request.email and not held:
        _acknowledge(request)
    return request


def _acknowledge(request: CorrectionRequest) -> None:
    try:
        with transaction.atomic():
            emails.correction_received(request.email, _email_context(request))
    except Exception:
        # The request is safe; only the acknowledgment is missing, and the desk can reply.
        log.exception("could not queue the acknowledgment for %s", request.reference)


def _email_context(request: CorrectionRequest, **extra) -> dict:
    return {
        "request": request,
        "article_title": request.article.public_title,
        "status_url": settings.SITE_URL + request.get_status_url(),
        "article_url": settings.SITE_URL + request.article.get_absolute_url(),
        **extra,
    }


# Triage


def _can_decide(user) -> bool:
    return user.has_perm("corrections.decide_correctionrequest")


def _require_desk(user) -> None:
    if not user.has_perm("corrections.change_correctionrequest"):
        raise CorrectionError("Only the corrections desk can triage correction requests.")


def _locked(request: CorrectionRequest) -> CorrectionRequest:
    request.refresh_from_db(from_queryset=CorrectionRequest.objects.select_for_update())
    return request


@transaction.atomic
def correction_request_assign(request: CorrectionRequest, *, to, by: User) -> CorrectionRequest:
    _require_desk(by)
    _locked(request).assigned_to = to
    return save_version(request, by=by, update_fields=["assigned_to"])


@transaction.atomic
def correction_request_release(request: CorrectionRequest, *, by: User) -> CorrectionRequest:
    """Release a request held as suspected automated into the desk's queue, and send the reader the
    acknowledgment that was held back."""
    _require_desk(by)
    if not _locked(request).suspected_automated:
        raise CorrectionError(f"{request.reference} is not held as a suspected automated report.")
    if not request.is_open:
        raise CorrectionError(f"{request.reference} is already {request.get_status_display().lower()}.")
    request.suspected_automated, request.held_because = False, CorrectionRequest.Held.NOT_HELD
    save_version(
        request,
        by=by,
        reason="released from the held reports",
        update_fields=["suspected_automated", "held_because"],
    )
    if request.email:
        emails.correction_received(request.email, _email_context(request))
    return request


@transaction.atomic
def correction_request_mark(request: CorrectionRequest, *, status: str, by: User) -> CorrectionRequest:
    """Move an open request to in review, or file it as spam."""
    _require_desk(by)
    if status not in (R.IN_REVIEW, R.SPAM):
        raise CorrectionError("Use accept, decline or merge for that decision.")
    if not _locked(request).is_open:
        raise CorrectionError(f"{request.reference} is already {request.get_status_display().lower()}.")
    released = status == R.IN_REVIEW and request.suspected_automated
    request.status = status
    if released:
        # taken up by the desk: a report like any other
        request.suspected_automated, request.held_because = False, CorrectionRequest.Held.NOT_HELD
    if status == R.SPAM:
        request.decided_at, request.decided_by = timezone.now(), by
    save_version(request, by=by)
    if released and request.email:
        emails.correction_received(request.email, _email_context(request))
    return request


@transaction.atomic
def correction_requests_merge(
    requests: Iterable[CorrectionRequest], *, into: CorrectionRequest, by: User
) -> int:
    """File requests as duplicates of `into` (the one the desk keeps working on). Their readers are
    told of the decision on `into` as well."""
    _require_desk(by)
    merged = 0
    for request in requests:
        if request.pk == into.pk or not _locked(request).is_open:
            continue
        if request.article_id != into.article_id:
            raise CorrectionError(f"{request.reference} is about another article than {into.reference}.")
        request.status, request.duplicate_of = R.DUPLICATE, into
        request.decided_at, request.decided_by = timezone.now(), by
        save_version(request, by=by)
        merged += 1
    return merged


@transaction.atomic
def correction_decline(request: CorrectionRequest, *, by: User, reply: str) -> CorrectionRequest:
    if not _can_decide(by):
        raise CorrectionError("Only the corrections desk can decline a request.")
    if not reply.strip():
        raise CorrectionError(
            "Tell the reader why: the reply is sent to them and shown on their status page."
        )
    if not _locked(request).is_open:
        raise CorrectionError(f"{request.reference} is already {request.get_status_display().lower()}.")
    for each in [request, *request.duplicates.all()]:
        each.status = R.DECLINED if each.pk == request.pk else each.status
        each.reply = reply.strip()
        each.decided_at, each.decided_by = timezone.now(), by
        save_version(each, by=by)
        if each.email:
            emails.correction_declined(each.email, _email_context(each))
    return request


# Acceptance


@transaction.atomic
def correction_publish(
    article: Article,
    *,
    by: User,
    body: str,
    kind: str,
    note: str,
    requests=(),
    drop_unmentioned: bool = False,
) -> Correction:
    """Publish corrected text as a new live version with a public note (articles moves the pointer, the
    Updated date and the draft), and record the correction for readers. An entity the page lists whose
    last mention the correction removes is refused unless `drop_unmentioned` takes it off the page."""
    if not _can_decide(by):
        raise CorrectionError("Only the corrections desk can publish a correction.")
    if not note.strip():
        raise CorrectionError("Write the public note: what was wrong and what is right.")
    label = Correction.Kind(kind).label
    try:
        published = article_services.article_publish_correction(
            article, by=by, body=body, label=label, note=note.strip(), drop_unmentioned=drop_unmentioned
        )
    except article_services.ArticleActionError as exc:
        raise CorrectionError(str(exc)) from exc
    correction = Correction.objects.create(
        article=article,
        kind=kind,
        note=note.strip(),
        published_at=published.published_at,
        accepted_by=by,
        from_version=published.previous,
        to_version=published.corrected,
    )
    correction.requests.set(requests)
    _notify_newsroom(correction, by=by)
    return correction


def _notify_newsroom(correction: Correction, *, by: User) -> None:
    """Tell the article's author and editor that a correction is live (nobody of their own action)."""
    article = correction.article
    people = [article.author, article.editor]
    users = {person.user for person in people if person is not None and person.user is not None}
    ctx = {
        "correction": correction,
        "article_title": article.public_title,
        "article_url": settings.SITE_URL + correction.get_absolute_url(),
        "by_name": by.get_full_name() or by.get_username(),
    }
    for address in sorted({user.email for user in users if user.email and user.pk != by.pk}):
        emails.correction_published(address, ctx)


@transaction.atomic
def correction_accept(
    request: CorrectionRequest,
    *,
    by: User,
    body: str,
    kind: str,
    note: str,
    reply: str = "",
    drop_unmentioned: bool = False,
):
    """Accept a reader's request: publish the correction and tell the reader (and the readers of its
    duplicates). Accepting a request that is already accepted returns its correction unchanged."""
    if not _can_decide(by):
        raise CorrectionError("Only the corrections desk can accept a request.")
    _locked(request)
    if request.status == R.ACCEPTED:
        return request.corrections.first()
    if not request.is_open:
        raise CorrectionError(f"{request.reference} is already {request.get_status_display().lower()}.")
    duplicates = list(request.duplicates.all())
    correction = correction_publish(
        request.article,
        by=by,
        body=body,
        kind=kind,
        note=note,
        requests=[request, *duplicates],
        drop_unmentioned=drop_unmentioned,
    )
    reply = (
        reply.strip() or "Thank you: we have corrected the article and added a note explaining the change."
    )
    for each in [request, *duplicates]:
        if each.pk == request.pk:
            each.status = R.ACCEPTED
        each.reply = reply
        each.decided_at, each.decided_by = correction.published_at, by
        save_version(each, by=by)
        if each.email:
            emails.correction_accepted(each.email, _email_context(each, correction=correction))
    return correction


# The desk's digest


def _desk_addresses() -> list[str]:
    """Where the digest goes: CORRECTIONS_DIGEST_TO if set, else the active members of the corrections
    desk group (the role of that name in editorial/roles.py) who have an address."""
    if settings.CORRECTIONS_DIGEST_TO:
        return sorted(set(settings.CORRECTIONS_DIGEST_TO))
    members = get_user_model().objects.filter(groups__name=DESK_GROUP, is_active=True).exclude(email="")
    return sorted(set(members.values_list("email", flat=True)))


def correction_digest_due(*, now=None) -> bool:
    """Whether CORRECTIONS_DIGEST_MINUTES have passed since the last digest (or there was none)."""
    last = CorrectionDigest.objects.order_by("-created_at").values_list("created_at", flat=True).first()
    interval = timedelta(minutes=settings.CORRECTIONS_DIGEST_MINUTES)
    return last is None or (now or timezone.now()) - last >= interval


@transaction.atomic
def correction_digest_send() -> CorrectionDigest | None:
    """List every request no digest has listed yet in one e-mail to the desk. The digest, its entries
    and the outbox rows are written in one transaction: a request is listed in exactly one digest, and
    the e-mails wait in the outbox while the broker or SMTP is down. With no new requests, or nobody to
    tell, nothing is written and the requests wait for the next digest."""
    # Locked and skipped: two runs at once list disjoint requests, never one twice.
    new = list(
        CorrectionRequest.objects.undigested()
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("article", "article__live_version")
        .order_by("created_at", "pk")
    )
    addresses = _desk_addresses()
    if not new:
        return None
    if not addresses:
        log.warning("corrections digest: nobody to send %s new request(s) to; they wait", len(new))
        return None
    digest = CorrectionDigest.objects.create(recipients="\n".join(addresses))
    DigestedRequest.objects.bulk_create(DigestedRequest(digest=digest, request=r) for r in new)
    ctx = {
        "count": len(new),
        "queued": [_digest_line(r) for r in new if not r.suspected_automated],
        "suspected": [_digest_line(r) for r in new if r.suspected_automated],
    }
    for address in addresses:
        emails.corrections_digest(address, ctx)
    return digest


def _digest_line(request: CorrectionRequest) -> dict:
    return {
        "request": request,
        "article_title": request.article.public_title,
        "admin_url": settings.SITE_URL
        + reverse("admin:corrections_correctionrequest_change", args=[request.pk]),
    }
