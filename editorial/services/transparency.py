"""What the public article page tells readers about the newsroom's work on it, read from the record of
its live snapshot: the publication that put that version live, the AI help accepted (or run) before it,
and the claims and their sources as they stood at that moment. Later work changes none of it until an
editor publishes again; the template turns these facts into sentences."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.dateparse import parse_datetime

from articles.models import Article, Transition
from editorial.models import AssistJob, Claim, Evidence


@dataclass(frozen=True)
class Named:
    """A person as readers see them: their byline name, and their profile's address if they have one."""

    name: str
    url: str = ""


@dataclass(frozen=True)
class AIHelp:
    """One kind of AI assistance used before publication. Quality checks are run, never accepted, so
    `accepted_by` is empty for them."""

    kind: str
    what: str  # the readers' words for the kind (AssistJob.Kind.told_readers)
    accepted_by: tuple[Named, ...]
    tools: tuple[str, ...]  # "provider model", e.g. "local rules-3"

    @property
    def only_run(self) -> bool:
        return self.kind == AssistJob.Kind.QUALITY


@dataclass(frozen=True)
class Transparency:
    """The facts of the transparency box and the sources list, for the live version."""

    published_at: datetime | None
    published_by: Named | None
    editor: Named | None  # the responsible editor the live version names
    overridden_by: Named | None  # the editor who published over the publish gate, if anyone did
    corrected_since: bool  # the live version is a correction of the version that was published
    ai_help: tuple[AIHelp, ...]
    verified: int
    corrected: int
    unverifiable: int
    pending: int
    sources: tuple[Any, ...]  # Evidence records as they stood at publication

    @property
    def claims(self) -> int:
        return self.verified + self.corrected + self.unverifiable + self.pending


STAFF = Named("a member of staff")  # someone on record without a public name (or no longer on record)


def named(user) -> Named:
    person = getattr(user, "person", None)
    if person is not None:
        return Named(person.name, person.get_absolute_url())
    return Named(user.get_full_name()) if user.get_full_name() else STAFF


def publication(article: Article) -> Transition | None:
    """The move that put the live version before readers. A correction makes a new live version without
    one: then it is the publication that version corrects (the latest made before the version existed)."""
    live: Any = article.live_version
    return (
        Transition.objects.filter(article=article, to_status=Article.Status.PUBLISHED)
        .filter(Q(version_id=live.pk) | Q(at__lte=live.history_date))
        .select_related("by__person")
        .order_by("-at", "-pk")
        .first()
    )


def _claims_then(article: Article, when: datetime) -> Any:
    """Each of the article's claims as it stood at `when` (its latest record by then), unless deleted."""
    records = Claim.history.filter(article_id=article.pk, history_date__lte=when).latest_of_each()
    return records.exclude(history_type="-")


def _sources(claims: Any, when: datetime) -> tuple[Any, ...]:
    """Public sources of those claims (historical records) as they stood at `when`: their address, title
    and quote then, if readers could be sent to them then (their link check had succeeded or a
    fact-checker had checked them by hand) and they are still on record. An edit made since shows once
    the article is published again. One query, whatever the number of claims and sources."""
    then = (
        Evidence.history.filter(claim_id__in=claims.values("id"), history_date__lte=when)
        .latest_of_each()
        .exclude(history_type="-")
        .filter(Q(link_status=Evidence.LinkStatus.OK) | Q(checked_by_hand=True), public=True)
        .filter(id__in=Evidence.objects.values("pk"))
    )
    return tuple(then.order_by("claim__created_at", "claim_id", "created_at", "id"))


def _acceptances(job: AssistJob, when: datetime) -> list[str]:
    """Usernames of the people who accepted parts of the job's output by `when`."""
    taken = [
        entry.get("by", "")
        for entry in job.accepted or []
        if (at := parse_datetime(str(entry.get("at", "")))) is not None and at <= when
    ]
    if not taken and job.accepted_by is not None and job.accepted_at and job.accepted_at <= when:
        taken = [job.accepted_by.get_username()]
    return [username for username in taken if username]


def _ai_help(article: Article, when: datetime) -> tuple[AIHelp, ...]:
    jobs = (
        AssistJob.objects.filter(article=article, status=AssistJob.Status.SUCCEEDED, finished_at__lte=when)
        .filter(Q(accepted_at__isnull=False) | Q(kind=AssistJob.Kind.QUALITY))
        .select_related("accepted_by")
        .order_by("created_at", "pk")
    )
    tools: dict[str, list[str]] = {}
    takers: dict[str, list[str]] = {}
    for job in jobs:
        accepted = _acceptances(job, when)
        if job.kind != AssistJob.Kind.QUALITY and not accepted:
            continue
        tools.setdefault(job.kind, []).append(f"{job.provider} {job.model}")
        takers.setdefault(job.kind, []).extend(accepted)
    usernames = {username for names in takers.values() for username in names}
    users = get_user_model().objects.filter(username__in=usernames).select_related("person")
    people = {user.get_username(): named(user) for user in users} if usernames else {}
    return tuple(
        AIHelp(
            kind=kind,
            what=kind.told_readers,
            accepted_by=tuple(dict.fromkeys(people.get(u, STAFF) for u in takers[kind])),
            tools=tuple(dict.fromkeys(tools[kind])),
        )
        for kind in AssistJob.Kind
        if kind in tools
    )


def article_transparency(article: Article) -> Transparency:
    """The transparency facts of the article's live version (see the module docstring)."""
    live: Any = article.live_version
    published = publication(article)
    when = published.at if published else live.history_date
    claims = _claims_then(article, when)
    counts = Counter(claims.values_list("status", flat=True))
    checked = claims.filter(status__in=[Claim.Status.VERIFIED, Claim.Status.CORRECTED])
    return Transparency(
        published_at=published.at if published else None,
        published_by=named(published.by) if published else None,
        editor=Named(live.editor.name, live.editor.get_absolute_url()) if live.editor else None,
        overridden_by=named(published.by) if published and published.override_reason else None,
        corrected_since=published is not None and published.version_id != live.pk,
        ai_help=_ai_help(article, when),
        verified=counts[Claim.Status.VERIFIED],
        corrected=counts[Claim.Status.CORRECTED],
        unverifiable=counts[Claim.Status.UNVERIFIABLE],
        pending=counts[Claim.Status.PENDING],
        sources=_sources(checked, when),
    )
