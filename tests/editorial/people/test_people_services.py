"""Profiles, disclosures and policy pages change only through their services, which check who asks."""

import pytest

from editorial import services
from editorial.models import Disclosure, PolicyPage
from tests.factories import DisclosureFactory


def test_an_author_changes_their_own_profile_with_a_version(alice):
    person = alice.person
    person.background = "Covers housing since 2019."
    services.person_save(person, by=alice)
    version = person.history.latest()
    assert (version.background, version.history_user) == ("Covers housing since 2019.", alice)


def test_an_author_cannot_change_someone_elses_profile(alice, dave):
    person = dave.person
    person.title = "Editor-in-chief"
    with pytest.raises(services.PeopleError, match="only your own profile"):
        services.person_save(person, by=alice)


@pytest.mark.parametrize("field", ["slug", "user"])
def test_an_author_cannot_move_their_profiles_address_or_account(alice, dave, field):
    person = alice.person
    setattr(person, field, "new-address" if field == "slug" else dave)
    with pytest.raises(services.PeopleError, match="Only an editor"):
        services.person_save(person, by=alice)


def test_an_editor_changes_anyones_profile(alice, bob):
    person = alice.person
    person.slug = "alice-ng"
    assert services.person_save(person, by=bob).slug == "alice-ng"


def test_a_disclosure_cannot_be_moved_to_another_profile(alice, dave):
    disclosure = DisclosureFactory(person=alice.person)
    disclosure.person = dave.person
    with pytest.raises(services.PeopleError):
        services.disclosure_save(disclosure, by=alice)


def test_an_author_cannot_remove_someone_elses_disclosure(alice, dave):
    disclosure = DisclosureFactory(person=dave.person)
    with pytest.raises(services.PeopleError):
        services.disclosure_delete(disclosure, by=alice)
    assert Disclosure.objects.filter(pk=disclosure.pk).exists()


def test_a_removed_disclosure_keeps_its_versions(alice):
    disclosure = DisclosureFactory(person=alice.person)
    pk = disclosure.pk
    services.disclosure_delete(disclosure, by=alice)
    assert Disclosure.history.filter(id=pk, history_type="-", history_user=alice).exists()


def test_only_an_editor_changes_a_policy_page(alice, bob):
    page = PolicyPage.objects.get(slug=PolicyPage.Slug.CORRECTIONS)
    page.body = "We never correct anything."
    with pytest.raises(services.PeopleError, match="Only an editor"):
        services.policy_page_save(page, by=alice)
    page.body = "We correct errors promptly."
    assert services.policy_page_save(page, by=bob).history.latest().history_user == bob


def test_the_admin_saves_an_authors_profile_through_the_service(client, alice):
    client.force_login(alice)
    url = f"/admin/editorial/person/{alice.person.pk}/change/"
    data = {
        "name": "Alice",
        "title": "Reporter",
        "background": "Housing.",
        "responsibilities": "",
        "links": "",
        "disclosures-TOTAL_FORMS": "1",
        "disclosures-INITIAL_FORMS": "0",
        "disclosures-MIN_NUM_FORMS": "0",
        "disclosures-MAX_NUM_FORMS": "1000",
        "disclosures-0-kind": "financial",
        "disclosures-0-statement": "Owns a flat in the district she covers.",
        "disclosures-0-since": "2026-01-01",
    }
    assert client.post(url, data).status_code == 302
    disclosure = alice.person.disclosures.get()
    assert disclosure.history.latest().history_user == alice
