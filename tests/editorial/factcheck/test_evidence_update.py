"""Changing an evidence link clears what was found at the old address and queues a check of the new
one; evidence is changed and removed through the services, which record who did it."""

import pytest
from django.urls import reverse
from django.utils import timezone

from editorial import services, web_client
from editorial.models import Evidence
from editorial.services import FactCheckError

OLD, NEW = "https://council.example.org/minutes", "https://council.example.org/minutes-revised"


@pytest.fixture
def claim(published_article, carol):
    return services.claim_add(published_article, by=carol, text="The council approved 12 new homes")


@pytest.fixture
def checked(claim, carol):
    """Evidence whose link was checked: reachable, with a passage offered from the page."""
    evidence = services.evidence_add(claim, by=carol, url=OLD, title="Minutes", quote="Item 4.")
    Evidence.objects.filter(pk=evidence.pk).update(
        link_status=Evidence.LinkStatus.OK,
        link_detail="200 text/html",
        suggested_quote="Item 4: The council approved 12 new homes.",
        match_score=0.97,
        checked_at=timezone.now(),
    )
    evidence.refresh_from_db()
    return evidence


def test_a_new_address_resets_the_link_and_queues_a_check(checked, carol, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.evidence_update(checked, by=carol, url=NEW)

    checked.refresh_from_db()
    assert (checked.url, checked.link_status, checked.link_detail) == (NEW, "unchecked", "")
    assert (checked.suggested_quote, checked.match_score, checked.checked_at) == ("", None, None)
    assert checked.quote == "Item 4."  # the checker's own words stay theirs to change
    assert len(callbacks) == 1
    record = checked.history.latest()
    assert (record.history_user, record.history_change_reason) == (
        carol,
        "New address: the link is checked again",
    )


def test_other_changes_keep_the_check(checked, carol, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.evidence_update(checked, by=carol, url=OLD, title="Council minutes, 3 March")
    checked.refresh_from_db()
    assert (checked.title, checked.link_status, checked.match_score) == (
        "Council minutes, 3 March",
        "ok",
        0.97,
    )
    assert callbacks == []
    assert checked.history.latest().history_user == carol


def test_only_checkers_change_or_remove_evidence(checked, alice, bob):
    for user in (alice, bob):
        with pytest.raises(FactCheckError, match="Only fact-checkers"):
            services.evidence_update(checked, by=user, url=NEW)
        with pytest.raises(FactCheckError, match="Only fact-checkers"):
            services.evidence_remove(checked, by=user)
    assert Evidence.objects.get(pk=checked.pk).url == OLD


def test_a_check_of_the_old_address_does_not_undo_the_change(checked, carol, monkeypatch):
    def fetch_while_the_address_changes(url, **kwargs):
        services.evidence_update(Evidence.objects.get(pk=checked.pk), by=carol, url=NEW)
        return web_client.Page(
            url=url, status=200, content_type="text/html", text="The council approved 12 homes."
        )

    monkeypatch.setattr(web_client, "fetch_text", fetch_while_the_address_changes)
    services.evidence_check_link(checked.pk)
    checked.refresh_from_db()
    assert (checked.url, checked.link_status) == (NEW, "unchecked")


def inline(evidence: Evidence, **changes) -> dict:
    row = {
        "id": evidence.pk, "claim": evidence.claim_id, "url": evidence.url, "title": evidence.title,
        "quote": evidence.quote, "kind": evidence.kind, "stance": evidence.stance, "public": "",
        **changes,
    }  # fmt: skip
    return {
        "assigned_to": "",
        "evidence-TOTAL_FORMS": "1",
        "evidence-INITIAL_FORMS": "1",
        **{f"evidence-0-{name}": value for name, value in row.items()},
    }


def test_the_claim_page_resets_a_changed_link(client, carol, checked, django_capture_on_commit_callbacks):
    client.force_login(carol)
    change = reverse("admin:editorial_claim_change", args=[checked.claim_id])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(change, inline(checked, url=NEW))
    assert response.status_code == 302, response.content.decode()[:2000]
    checked.refresh_from_db()
    assert (checked.url, checked.link_status, checked.suggested_quote) == (NEW, "unchecked", "")
    assert len(callbacks) == 1
    assert checked.history.latest().history_user == carol


def test_a_checker_removes_evidence_from_the_claim_page(client, carol, checked):
    client.force_login(carol)
    change = reverse("admin:editorial_claim_change", args=[checked.claim_id])
    response = client.post(change, inline(checked, DELETE="on"))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not Evidence.objects.filter(pk=checked.pk).exists()
    removed = Evidence.history.filter(id=checked.pk).latest()
    assert (removed.history_type, removed.history_user, removed.history_change_reason) == (
        "-",
        carol,
        "Removed",
    )


def test_ticking_checked_by_hand_records_the_checker_and_a_new_address_clears_it(claim, carol):
    evidence = services.evidence_add(claim, by=carol, url=OLD, title="Paywalled minutes")
    services.evidence_update(evidence, by=carol, checked_by_hand=True)
    evidence.refresh_from_db()
    assert (evidence.checked_by_hand, evidence.hand_checked_by) == (True, carol)
    assert evidence.hand_checked_at is not None
    assert evidence.history.latest().history_user == carol

    services.evidence_update(evidence, by=carol, url=NEW)
    evidence.refresh_from_db()
    assert (evidence.checked_by_hand, evidence.hand_checked_by, evidence.hand_checked_at) == (
        False,
        None,
        None,
    )
