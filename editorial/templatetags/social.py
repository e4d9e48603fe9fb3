"""The social card of a public page: its canonical address, Open Graph and Twitter card tags.

`{% social_card %}` in base.html reads what the page's own template is given (the same live snapshot its
title and JSON-LD come from, never a working copy), so the pages need no tags of their own. Addresses
are SITE_URL and the page's path, never the request's host or tracking query string: baked pages are the
same bytes whoever asked for them first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.utils.encoding import escape_uri_path

register = template.Library()

# The description base.html gives a page that has none of its own.
SITE_DESCRIPTION = "News from {publisher}, written and edited by named people."


@dataclass(frozen=True)
class Card:
    title: str
    description: str = ""
    type: str = "website"
    # Lists keep their `?before=` cursor: each older page lists other articles, and pointing them all
    # at the first page would tell crawlers those articles are listed nowhere.
    paginated: bool = False
    # No canonical and no og:url on a page whose address is a reader's secret (their report's status
    # page: never indexed, its address not repeated for machines), nor on an error page: an address
    # with nothing at it has no canonical form, and a 404 must not echo the path it was asked for.
    addressed: bool = True


def _article(c) -> Card:
    version = c["version"]
    return Card(c["article"].public_title, version.seo_description or version.dek, type="article")


def _person(c) -> Card:
    person = c["person"]
    about = f"{person.name}, {person.title}" if person.title else person.name
    description = f"{about}: background, responsibilities and disclosures."
    return Card(person.name, description, type="profile", paginated=True)


# Each public page's card, by the template that renders it; any other page (an error page, a page added
# later) gets the site's card at its own address.
CARDS: dict[str, Callable[[template.Context], Card]] = {
    "articles/home.html": lambda c: Card(c["publisher_name"], paginated=True),
    "articles/article.html": _article,
    "articles/changes.html": lambda c: Card(
        f"Changes to “{c['article'].public_title}”",
        "Every version readers have seen since publication, with the words changed.",
    ),
    "articles/gone.html": lambda c: Card(
        f"“{c['article'].public_title}” was unpublished", "This article is no longer published."
    ),
    "articles/topic.html": lambda c: Card(
        c["topic"].name, c["topic"].description or c["topic"].name, paginated=True
    ),
    "articles/entity.html": lambda c: Card(
        c["entity"].name, c["description"] or c["entity"].name, paginated=True
    ),
    "editorial/author.html": _person,
    "editorial/policy.html": lambda c: Card(c["page"].title),
    "corrections/log.html": lambda c: Card(
        "Corrections and clarifications",
        "Every correction and clarification we have published, newest first.",
        paginated=True,
    ),
    "corrections/new.html": lambda c: Card(
        "Report an error", f"Report an error in “{c['article'].public_title}”."
    ),
    "corrections/thanks.html": lambda c: Card("Thank you", "Your report has been received."),
    "corrections/status.html": lambda c: Card("Your report", addressed=False),
    "400.html": lambda c: Card("Your request could not be read", addressed=False),
    "403.html": lambda c: Card("Not allowed", addressed=False),
    "403_csrf.html": lambda c: Card("Your form could not be sent", addressed=False),
    "404.html": lambda c: Card("Page not found", addressed=False),
}


def canonical(request, *, paginated: bool) -> str:
    """The page's absolute address on SITE_URL; of its query string, only a list's cursor."""
    url = settings.SITE_URL + escape_uri_path(request.path)
    before = request.GET.get("before") if paginated else None
    return f"{url}?{urlencode({'before': before})}" if before else url


def _iso(when: datetime) -> str:
    return when.isoformat(timespec="seconds")


@register.inclusion_tag("_social.html", takes_context=True)
def social_card(context: template.Context) -> dict:
    site = settings.PUBLISHER_NAME
    card = CARDS.get(context.template_name or "", lambda c: Card(site))(context)
    request = context.get("request")
    tags = {
        "site_name": site,
        "title": card.title,
        "description": card.description or SITE_DESCRIPTION.format(publisher=site),
        "type": card.type,
        "url": canonical(request, paginated=card.paginated) if card.addressed and request else None,
    }
    if card.type == "article":
        article, author = context["article"], context["version"].author
        tags["published_time"] = _iso(article.published_at)
        tags["modified_time"] = _iso(article.date_modified)
        tags["author_url"] = settings.SITE_URL + author.get_absolute_url() if author else None
    return tags
