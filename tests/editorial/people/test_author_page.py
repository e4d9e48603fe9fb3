import datetime

from django.utils import timezone

from tests.factories import DisclosureFactory


def test_it_shows_background_responsibilities_and_active_disclosures(client, published_article, alice):
    person = alice.person
    person.background = "Ten years on the council beat."
    person.responsibilities = "Local government and housing."
    person.save()
    today = timezone.localdate()
    DisclosureFactory(person=person, statement="Rents from a housing association.")
    DisclosureFactory(
        person=person,
        statement="Was a council press officer.",
        since=today - datetime.timedelta(days=800),
        until=today - datetime.timedelta(days=400),
    )
    DisclosureFactory(person=person, statement="Will join a board.", since=today + datetime.timedelta(days=5))

    response = client.get("/authors/alice/")
    html = response.content.decode()

    assert response.status_code == 200
    assert "Ten years on the council beat." in html
    assert "Local government and housing." in html
    assert "Rents from a housing association." in html
    assert "Was a council press officer." not in html
    assert "Will join a board." not in html
    assert "Disclosures last updated" in html
    assert "Council approves homes" in html


def test_it_lists_articles_the_person_edited(client, published_article, bob):
    assert "Council approves homes" in client.get("/authors/bob/").content.decode()


def test_it_says_when_there_is_nothing_to_disclose(client, alice):
    html = client.get("/authors/alice/").content.decode()
    assert "Alice has no active disclosures." in html


def test_it_answers_404_for_an_unknown_person(client, db):
    assert client.get("/authors/nobody/").status_code == 404


def test_it_links_only_web_addresses(client, alice):
    alice.person.links = (
        "https://example.org/alice\njavascript:alert(1)\ndata:text/html,x\nhttp://blog.example.org"
    )
    alice.person.save()
    html = client.get("/authors/alice/").content.decode()
    assert 'href="https://example.org/alice"' in html and 'href="http://blog.example.org"' in html
    assert "javascript:" not in html and "data:text" not in html
