"""A claim's check-worthiness changes only through claim_set_checkworthiness, with a reason; taking a
waiting claim out of the publish gate is an editor's decision, and the article's panel shows it."""

import pytest
from django.urls import reverse

from articles import services as article_services
from articles.versions import save_version
from editorial import services
from editorial.models import Claim
from editorial.services import FactCheckError
from tests.factories import ArticleFactory

REASON = "The figure comes from the council minutes and is already on the record."


@pytest.fixture
def article(alice, bob):
    return ArticleFactory(author=alice.person, editor=bob.person)


@pytest.fixture
def claim(article, carol):
    return services.claim_add(
        article, by=carol, text="The council approved 12 new homes", checkworthiness=0.9
    )


def page(claim: Claim) -> str:
    return reverse("admin:editorial_claim_checkworthiness", args=[claim.pk])


def test_it_refuses_a_checker_taking_a_claim_out_of_the_gate(claim, carol):
    with pytest.raises(FactCheckError, match="Only an editor can take a claim out of the publish gate"):
        services.claim_set_checkworthiness(claim, by=carol, value=0.3, reason=REASON)
    claim.refresh_from_db()
    assert claim.checkworthiness == 0.9
    assert Claim.objects.blocking().filter(pk=claim.pk).exists()


def test_it_lets_an_editor_take_a_claim_out_of_the_gate_with_a_reason(claim, article, alice, bob):
    services.claim_set_checkworthiness(claim, by=bob, value=0.3, reason=REASON)

    claim.refresh_from_db()
    assert claim.checkworthiness == 0.3
    record = claim.history.latest()
    assert record.history_user == bob
    assert record.history_change_reason == f"Check-worthiness 0.9 → 0.3 (out of the publish gate): {REASON}"
    article_services.article_submit(article, by=alice)
    article_services.article_approve(article, by=bob)
    article_services.article_publish(article, by=bob)  # the gate no longer holds it
    assert article.is_live


def test_it_lets_a_checker_change_it_within_the_gate(claim, article, carol):
    services.claim_set_checkworthiness(claim, by=carol, value=0.6, reason=REASON)
    low = services.claim_add(article, by=carol, text="the mayor said", checkworthiness=0.2)
    services.claim_set_checkworthiness(low, by=carol, value=0.8, reason="It names the mayor, who denies it.")
    assert set(Claim.objects.blocking().values_list("pk", flat=True)) == {claim.pk, low.pk}
    assert low.history.latest().history_user == carol


def test_a_checker_may_lower_a_claim_that_already_has_a_verdict(claim, carol):
    services.claim_record_verdict(claim, by=carol, status="verified", note="Council minutes, item 4.")
    services.claim_set_checkworthiness(claim, by=carol, value=0.1, reason=REASON)
    claim.refresh_from_db()
    assert claim.checkworthiness == 0.1


@pytest.mark.parametrize("value", [7.5, -0.1, float("nan")])
def test_it_refuses_a_value_outside_0_to_1(claim, bob, value):
    with pytest.raises(FactCheckError, match="a number from 0 to 1"):
        services.claim_set_checkworthiness(claim, by=bob, value=value, reason=REASON)
    claim.refresh_from_db()
    assert claim.checkworthiness == 0.9


@pytest.mark.parametrize("reason", ["", "x", "   lower   ", "too many claims"])
def test_it_requires_a_real_reason(claim, bob, reason):
    with pytest.raises(FactCheckError, match="as a sentence of at least 20 characters"):
        services.claim_set_checkworthiness(claim, by=bob, value=0.3, reason=reason)


def test_it_refuses_authors_and_the_desk(claim, alice, erin):
    for user in (alice, erin):
        with pytest.raises(FactCheckError, match="Only fact-checkers and editors"):
            services.claim_set_checkworthiness(claim, by=user, value=1.0, reason=REASON)


def test_the_change_form_no_longer_changes_it(client, carol, claim):
    client.force_login(carol)
    for value in ("0.2", "7.5"):
        response = client.post(
            reverse("admin:editorial_claim_change", args=[claim.pk]),
            {
                "checkworthiness": value, "assigned_to": "",
                "evidence-TOTAL_FORMS": "0", "evidence-INITIAL_FORMS": "0",
            },
        )  # fmt: skip
        assert response.status_code == 302
        claim.refresh_from_db()
        assert claim.checkworthiness == 0.9
    assert (
        "Change check-worthiness"
        in client.get(reverse("admin:editorial_claim_change", args=[claim.pk])).content.decode()
    )


@pytest.mark.parametrize(
    ("persona", "get", "post"),
    [("carol", 200, 302), ("bob", 200, 302), ("alice", 403, 403), ("erin", 403, 403)],
)
def test_each_role_reaches_the_page_it_should(client, request, claim, persona, get, post):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(page(claim)).status_code == get
    assert client.post(page(claim), {"checkworthiness": "0.7", "reason": REASON}).status_code == post


def test_the_page_shows_the_value_and_the_threshold(client, carol, claim):
    client.force_login(carol)
    html = client.get(page(claim)).content.decode()
    assert "Check-worthiness now: <strong>0.9</strong>" in html
    assert "at <strong>0.5</strong> or more" in html
    assert "this claim holds publication" in html


def test_the_page_tells_a_checker_to_ask_an_editor(client, carol, claim):
    client.force_login(carol)
    response = client.post(page(claim), {"checkworthiness": "0.3", "reason": REASON})
    assert response.status_code == 200
    assert "Only an editor can take a claim out of the publish gate" in response.content.decode()
    claim.refresh_from_db()
    assert claim.checkworthiness == 0.9


def test_the_page_refuses_7_5(client, bob, claim):
    client.force_login(bob)
    response = client.post(page(claim), {"checkworthiness": "7.5", "reason": REASON})
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 1" in response.content.decode()
    claim.refresh_from_db()
    assert claim.checkworthiness == 0.9


def test_an_editor_takes_a_claim_out_of_the_gate_from_the_page(client, bob, claim):
    client.force_login(bob)
    response = client.post(page(claim), {"checkworthiness": "0.3", "reason": REASON})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.checkworthiness, claim.history.latest().history_user) == (0.3, bob)


def test_the_article_panel_lists_claims_taken_out_of_the_gate(client, article, claim, bob, carol):
    services.claim_set_checkworthiness(claim, by=bob, value=0.3, reason=REASON)
    # A lowering made before reasons were required (the old change form) is listed too.
    quiet = services.claim_add(article, by=carol, text="the mayor said")
    quiet.checkworthiness = 0.1
    save_version(quiet, by=carol)
    kept = services.claim_add(article, by=carol, text="A section", checkworthiness=0.2)  # never in the gate

    client.force_login(bob)
    html = client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()

    assert "Taken out of the publish gate" in html
    assert "“The council approved 12 new homes”</a>: 0.9 → 0.3 by bob" in html
    assert f"Reason: {REASON}" in html
    assert "“the mayor said”</a>: 1.0 → 0.1 by carol" in html
    assert "No reason recorded." in html
    assert "“A section”" not in html
    assert kept.pk


def test_the_panel_forgets_a_claim_once_it_is_back_in_the_gate_or_decided(client, article, claim, bob, carol):
    services.claim_set_checkworthiness(claim, by=bob, value=0.3, reason=REASON)
    assert [r.claim for r in services.claims_out_of_gate(article)] == [claim]
    services.claim_set_checkworthiness(claim, by=carol, value=0.4, reason="Still low, but less so now.")
    assert [r.reason for r in services.claims_out_of_gate(article)] == [REASON]
    services.claim_record_verdict(claim, by=carol, status="verified", note="Council minutes, item 4.")
    assert services.claims_out_of_gate(article) == []
    client.force_login(bob)
    html = client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert "Taken out of the publish gate" not in html
