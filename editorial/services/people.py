"""People, disclosures and policy pages: who may change them."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.db import transaction

from articles import pages
from articles.models import Article
from articles.versions import delete_version, save_version
from editorial.models import Disclosure, Person, PolicyPage

if TYPE_CHECKING:
    from django.contrib.auth.models import User

log = logging.getLogger(__name__)


class PeopleError(Exception):
    """A change to a profile, a disclosure or a policy page that the acting person may not make."""


def _manages_people(user) -> bool:
    return user.has_perm("editorial.manage_people")


@transaction.atomic
def person_save(person: Person, *, by: User, reason: str = "") -> Person:
    """Save a profile. Editors who manage people change any; everyone else only their own, and never its
    public address or the account it belongs to."""
    if person.pk is None:
        if not _manages_people(by):
            raise PeopleError("Only an editor can add a person.")
        return save_version(person, by=by, reason=reason or "Created")
    current = Person.objects.select_for_update().get(pk=person.pk)
    if not _manages_people(by):
        if current.user_id != by.pk:
            raise PeopleError("You can change only your own profile.")
        if (person.slug, person.user_id) != (current.slug, current.user_id):
            raise PeopleError("Only an editor can change a profile's address or the account it belongs to.")
    save_version(person, by=by, reason=reason or "Edited")
    _bake_profile(
        person,
        bylines=(person.name, person.title, person.slug) != (current.name, current.title, current.slug),
    )
    if person.slug != current.slug:
        pages.bake_on_commit([current.get_absolute_url()])  # the old address: gone from the store
    return person


def _bake_profile(person: Person, *, bylines: bool = False) -> None:
    """The person's public profile changes; with `bylines`, so does every live page naming them."""
    paths = [person.get_absolute_url()]
    if bylines:
        paths += pages.live_article_pages(Article.objects.by_person(person))
    pages.bake_on_commit(paths)


def _may_disclose_for(person_id: int | None, by: User) -> bool:
    if _manages_people(by):
        return True
    return person_id is not None and Person.objects.filter(pk=person_id, user=by).exists()


@transaction.atomic
def disclosure_save(disclosure: Disclosure, *, by: User, reason: str = "") -> Disclosure:
    """Save a disclosure of one's own (editors: anyone's); it cannot be moved to someone else's profile."""
    if disclosure.pk is not None:
        current = Disclosure.objects.select_for_update().get(pk=disclosure.pk)
        if not _may_disclose_for(current.person_id, by):
            raise PeopleError("You can change only your own disclosures.")
    if not _may_disclose_for(disclosure.person_id, by):
        raise PeopleError("You can disclose only on your own profile.")
    save_version(disclosure, by=by, reason=reason or ("Edited" if disclosure.pk else "Disclosed"))
    _bake_profile(disclosure.person)
    return disclosure


@transaction.atomic
def disclosure_delete(disclosure: Disclosure, *, by: User) -> None:
    """Remove a disclosure made in error (one that ended is given an end date instead). Its versions stay."""
    if not _may_disclose_for(disclosure.person_id, by):
        raise PeopleError("You can remove only your own disclosures.")
    delete_version(disclosure, by=by)
    _bake_profile(disclosure.person)


@transaction.atomic
def policy_page_save(page: PolicyPage, *, by: User, reason: str = "") -> PolicyPage:
    if not by.has_perm("editorial.change_policypage"):
        raise PeopleError("Only an editor can change the publisher's policies.")
    save_version(page, by=by, reason=reason or "Edited")
    pages.bake_on_commit([page.get_absolute_url()])
    return page
