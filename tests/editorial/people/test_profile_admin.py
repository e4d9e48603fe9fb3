"""Authors maintain their own profile and disclosures, and nobody else's."""

import pytest

from editorial.models import Disclosure
from tests.factories import DisclosureFactory


@pytest.fixture
def disclosure(alice):
    disclosure = DisclosureFactory(person=alice.person, statement="Owns a bicycle shop.")
    disclosure.statement = "Owns half of a bicycle shop."
    disclosure.save()
    return disclosure


def urls(obj, model: str) -> list[str]:
    base = f"/admin/editorial/{model}/{obj.pk}"
    return [f"{base}/change/", f"{base}/history/", f"{base}/history/{obj.history.earliest().history_id}/"]


@pytest.mark.parametrize("model", ["person", "disclosure"])
def test_it_lets_an_author_reach_their_own_profile_pages(client, alice, disclosure, model):
    obj = alice.person if model == "person" else disclosure
    client.force_login(alice)
    for url in urls(obj, model):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("model", ["person", "disclosure"])
def test_it_keeps_other_authors_out_of_a_profile(client, alice, dave, disclosure, model):
    obj = alice.person if model == "person" else disclosure
    client.force_login(dave)
    for url in urls(obj, model):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert "Owns half of a bicycle shop" not in response.content.decode()


@pytest.mark.parametrize("model", ["person", "disclosure"])
def test_it_lets_an_editor_manage_every_profile(client, alice, bob, disclosure, model):
    obj = alice.person if model == "person" else disclosure
    client.force_login(bob)
    for url in urls(obj, model):
        assert client.get(url).status_code == 200, url


def test_it_lists_only_the_authors_own_disclosures(client, alice, dave, disclosure):
    DisclosureFactory(person=dave.person, statement="Sits on a school board.")
    client.force_login(dave)
    html = client.get("/admin/editorial/disclosure/").content.decode()
    assert "Sits on a school board" not in html  # statements are not listed, but the person is
    assert "Alice" not in html
    assert "Dave" in html


def test_it_files_an_authors_new_disclosure_under_their_own_profile(client, alice, dave):
    client.force_login(dave)
    response = client.post(
        "/admin/editorial/disclosure/add/",
        {"person": alice.person.pk, "kind": "funding", "statement": "Funded trip.", "since": "2026-01-01"},
    )
    assert response.status_code == 200  # the form refuses someone else's profile
    assert "Select a valid choice" in response.content.decode()
    assert not Disclosure.objects.filter(statement="Funded trip.").exists()


def test_it_lets_an_author_edit_their_profile_but_not_its_address(client, alice):
    client.force_login(alice)
    person = alice.person
    response = client.post(
        f"/admin/editorial/person/{person.pk}/change/",
        {
            "name": "Alice Doe",
            "slug": "hijacked-slug",
            "title": "Reporter",
            "background": "Ten years on the council beat.",
            "responsibilities": "Local government.",
            "links": "",
            "disclosures-TOTAL_FORMS": "0",
            "disclosures-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    person.refresh_from_db()
    assert (person.name, person.slug) == ("Alice Doe", "alice")
    assert person.history.latest().history_user == alice
