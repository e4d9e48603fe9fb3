import pytest

from editorial import services
from editorial.models import Claim

URL = "/admin/editorial/claim/"


@pytest.fixture
def claim(published_article, carol):
    return services.claim_add(published_article, by=carol, text="The council approved 12 new homes")


@pytest.mark.parametrize(
    ("persona", "list_", "add", "verdict"),
    [
        ("carol", 200, 200, 200),  # fact-checker: everything
        ("bob", 200, 200, 403),  # editor: sees and adds claims, leaves verdicts to checkers
        ("alice", 403, 403, 403),  # author
        ("erin", 403, 403, 403),  # corrections desk
    ],
)
def test_each_role_reaches_what_it_should(client, request, claim, persona, list_, add, verdict):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(URL).status_code == list_
    assert client.get(URL + "add/").status_code == add
    assert client.get(f"{URL}{claim.pk}/verdict/").status_code == verdict
    assert client.get(URL + "dashboard/").status_code == list_


def test_a_reader_is_sent_to_log_in(client, claim):
    assert "/admin/login/" in client.get(URL).headers["Location"]


def test_it_lists_waiting_claims_oldest_first(client, carol, claim, published_article):
    newer = services.claim_add(published_article, by=carol, text="the mayor said")
    decided = services.claim_add(published_article, by=carol, text="A section")
    services.claim_record_verdict(decided, by=carol, status="not_a_claim", note="A heading.")
    client.force_login(carol)
    html = client.get(URL).content.decode()
    assert html.index("The council approved 12 new homes") < html.index("the mayor said")
    assert "A section" not in html
    assert "A section" in client.get(URL + "?state=all").content.decode()
    assert newer.pk


def test_it_adds_a_claim_from_the_admin(client, carol, published_article):
    client.force_login(carol)
    response = client.post(
        URL + "add/", {"article": published_article.pk, "text": "the mayor said", "checkworthiness": "0.8"}
    )
    assert response.status_code == 302
    assert Claim.objects.get().anchor_end > 0
    bad = client.post(
        URL + "add/", {"article": published_article.pk, "text": "Nothing like this", "checkworthiness": "1"}
    )
    assert "does not appear in the article" in bad.content.decode()


def test_it_records_a_verdict_from_the_admin(client, carol, claim):
    client.force_login(carol)
    response = client.post(f"{URL}{claim.pk}/verdict/", {"status": "verified", "note": "Minutes, item 4."})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.checked_by) == ("verified", carol)


def test_it_adds_evidence_inline_and_queues_its_check(
    client, carol, claim, django_capture_on_commit_callbacks
):
    client.force_login(carol)
    data = {
        "checkworthiness": "1", "assigned_to": "",
        "evidence-TOTAL_FORMS": "1", "evidence-INITIAL_FORMS": "0",
        "evidence-0-url": "https://council.example.org/minutes", "evidence-0-title": "Minutes",
        "evidence-0-quote": "", "evidence-0-kind": "primary", "evidence-0-stance": "supports",
        "evidence-0-public": "on",
    }  # fmt: skip
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(f"{URL}{claim.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    evidence = claim.evidence.get()
    assert (evidence.added_by, evidence.public, evidence.link_status) == (carol, True, "unchecked")
    assert len(callbacks) == 1


@pytest.mark.parametrize(
    "url, stored, error",
    [
        ("https://Council.Example.ORG/minutes", "https://council.example.org/minutes", None),
        ("https://council.example.org@evil.example/", None, "cannot contain a user name or password"),
        ("https://council.example.org/\u202eminutes", None, "invisible characters"),
    ],
)
def test_a_source_link_is_kept_in_normal_form_or_refused(client, carol, claim, url, stored, error):
    client.force_login(carol)
    data = {
        "checkworthiness": "1", "assigned_to": "",
        "evidence-TOTAL_FORMS": "1", "evidence-INITIAL_FORMS": "0",
        "evidence-0-url": url, "evidence-0-title": "Minutes",
        "evidence-0-quote": "", "evidence-0-kind": "primary", "evidence-0-stance": "supports",
    }  # fmt: skip
    response = client.post(f"{URL}{claim.pk}/change/", data)
    if error:
        assert response.status_code == 200 and error in response.content.decode()
        assert not claim.evidence.exists()
    else:
        assert response.status_code == 302
        assert claim.evidence.get().url == stored


def test_the_dashboard_counts_the_queue(client, carol, claim):
    client.force_login(carol)
    html = client.get(URL + "dashboard/").content.decode()
    assert "Oldest waiting" in html and "The council approved 12 new homes" in html
    assert '<th scope="row">Pending</th><td>1</td>' in html


def test_assign_to_me(client, carol, claim):
    client.force_login(carol)
    client.post(URL, {"action": "assign_to_me", "_selected_action": [claim.pk]})
    claim.refresh_from_db()
    assert claim.assigned_to == carol
    assert claim.pk in Claim.objects.for_checker(carol).values_list("pk", flat=True)


def test_a_checker_marks_evidence_checked_by_hand_in_the_inline(client, carol, claim):
    evidence = services.evidence_add(
        claim, by=carol, url="https://intranet.example.org/minutes", title="Minutes"
    )
    client.force_login(carol)
    data = {
        "checkworthiness": "1", "assigned_to": "",
        "evidence-TOTAL_FORMS": "1", "evidence-INITIAL_FORMS": "1",
        "evidence-0-id": str(evidence.pk), "evidence-0-claim": str(claim.pk),
        "evidence-0-url": evidence.url, "evidence-0-title": "Minutes",
        "evidence-0-quote": "", "evidence-0-kind": "primary", "evidence-0-stance": "supports",
        "evidence-0-checked_by_hand": "on",
    }  # fmt: skip
    response = client.post(f"{URL}{claim.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    evidence.refresh_from_db()
    assert (evidence.checked_by_hand, evidence.hand_checked_by) == (True, carol)
