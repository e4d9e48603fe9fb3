"""The fact-check queue: claims, verdicts, re-anchoring across versions, and the publish gate."""

import pytest

from articles import services as article_services
from articles.services import ArticleActionError
from editorial import services
from editorial.models import Claim
from editorial.services import FactCheckError
from tests.factories import ArticleFactory

BODY = "## Housing\n\nThe council approved 12 new homes, the mayor said.\n\nResidents welcomed the plan."


@pytest.fixture
def article(alice, bob):
    return ArticleFactory(author=alice.person, editor=bob.person, body=BODY)


@pytest.fixture
def claim(article, carol):
    return services.claim_add(article, by=carol, text="The council approved 12 new homes")


def edit(article, body):
    article.body = body
    article.save()


def test_it_anchors_a_claim_where_it_stands(claim, article):
    assert article.body[claim.anchor_start : claim.anchor_end] == "The council approved 12 new homes"
    assert claim.version == article.history.latest()
    assert (claim.status, claim.origin) == ("pending", "manual")


def test_it_finds_a_claim_across_line_breaks(article, carol):
    edit(article, "The council approved 12 new\nhomes, the mayor said.")
    claim = services.claim_add(article, by=carol, text="approved 12 new homes")
    assert article.body[claim.anchor_start : claim.anchor_end] == "approved 12 new\nhomes"


def test_it_refuses_text_that_is_not_in_the_article(article, carol):
    with pytest.raises(FactCheckError, match="does not appear"):
        services.claim_add(article, by=carol, text="The mayor resigned")


def test_it_refuses_a_claim_twice(claim, article, carol):
    with pytest.raises(FactCheckError, match="already in the queue"):
        services.claim_add(article, by=carol, text="The council approved 12 new homes")


def test_it_records_a_verdict_with_a_note(claim, carol):
    services.claim_record_verdict(claim, by=carol, status="verified", note="Council minutes, item 4.")
    claim.refresh_from_db()
    assert (claim.status, claim.checked_by, claim.note) == ("verified", carol, "Council minutes, item 4.")
    assert claim.history.latest().history_change_reason == "Verdict: Verified"


def test_it_requires_a_note_with_a_verdict(claim, carol):
    with pytest.raises(FactCheckError, match="Say how you checked it"):
        services.claim_record_verdict(claim, by=carol, status="verified", note="")


@pytest.mark.parametrize(
    ("persona", "allowed"), [("carol", True), ("bob", False), ("alice", False), ("erin", False)]
)
def test_only_checkers_record_verdicts(request, claim, persona, allowed):
    user = request.getfixturevalue(persona)
    if allowed:
        services.claim_record_verdict(claim, by=user, status="unverifiable", note="No source answers.")
        return
    with pytest.raises(FactCheckError, match="Only fact-checkers"):
        services.claim_record_verdict(claim, by=user, status="verified", note="Looks right.")


def test_it_keeps_the_verdict_of_a_claim_whose_sentence_only_moved(claim, article, carol):
    services.claim_record_verdict(claim, by=carol, status="verified", note="Minutes.")
    edit(article, "A new first paragraph.\n\n" + BODY)
    claim.refresh_from_db()
    assert (claim.status, claim.changed_in) == ("verified", None)
    assert article.body[claim.anchor_start : claim.anchor_end] == "The council approved 12 new homes"


def test_it_sends_a_changed_claim_back_to_the_queue(claim, article, carol):
    services.claim_record_verdict(claim, by=carol, status="verified", note="Minutes.")
    edit(article, BODY.replace("12 new homes", "14 new homes"))
    claim.refresh_from_db()
    assert claim.status == "pending"
    assert claim.changed_in == article.history.latest()
    assert claim.history.latest().history_change_reason.startswith("Changed in a later version")


def test_it_leaves_untouched_claims_alone_when_another_changes(article, carol):
    kept = services.claim_add(article, by=carol, text="Residents welcomed the plan")
    changed = services.claim_add(article, by=carol, text="The council approved 12 new homes")
    for claim in (kept, changed):
        services.claim_record_verdict(claim, by=carol, status="verified", note="Checked.")
    edit(article, BODY.replace("12 new homes", "twelve homes"))
    kept.refresh_from_db()
    changed.refresh_from_db()
    assert (kept.status, changed.status) == ("verified", "pending")


def approve(article, alice, bob):
    article_services.article_submit(article, by=alice)
    return article_services.article_approve(article, by=bob)


def test_the_gate_refuses_and_lists_claims_without_a_verdict(claim, article, alice, bob):
    approve(article, alice, bob)
    with pytest.raises(ArticleActionError) as refused:
        article_services.article_publish(article, by=bob)
    assert "1 check-worthy claim(s) have no verdict: “The council approved 12 new homes”" in str(
        refused.value
    )


def test_the_gate_passes_once_claims_have_verdicts(claim, article, alice, bob, carol):
    services.claim_record_verdict(claim, by=carol, status="verified", note="Minutes.")
    approve(article, alice, bob)
    article_services.article_publish(article, by=bob)
    assert article.is_live


def test_the_gate_ignores_claims_below_the_threshold(article, alice, bob, carol):
    services.claim_add(article, by=carol, text="Residents welcomed the plan", checkworthiness=0.2)
    approve(article, alice, bob)
    article_services.article_publish(article, by=bob)
    assert article.is_live


def test_an_editor_overrides_the_gate_with_a_recorded_reason(claim, article, alice, bob):
    approve(article, alice, bob)
    article_services.article_publish(article, by=bob, override_reason="Checked with the council by phone.")
    transition = article.transitions.last()
    assert transition.override_reason == "Checked with the council by phone."
    assert "1 check-worthy claim(s) have no verdict" in transition.note


def test_the_gate_holds_a_claim_sent_back_by_a_later_edit(claim, article, alice, bob, carol):
    services.claim_record_verdict(claim, by=carol, status="verified", note="Minutes.")
    edit(article, BODY.replace("12 new homes", "14 new homes"))
    approve(article, alice, bob)
    with pytest.raises(ArticleActionError, match="no verdict"):
        article_services.article_publish(article, by=bob)


def test_the_article_admin_shows_the_fact_check_state(client, claim, article, bob):
    client.force_login(bob)
    html = client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    assert "Fact-check:" in html and "1 waiting for a verdict" in html


def test_public_sources_are_listed_under_the_article(client, claim, carol, article, alice, bob):
    services.evidence_add(
        claim,
        by=carol,
        url="https://council.example.org/minutes",
        title="Council minutes",
        quote="Item 4: 12 homes approved.",
        public=True,
        checked_by_hand=True,
    )
    services.evidence_add(claim, by=carol, url="https://internal.example.org/notes", title="Call notes")
    services.claim_record_verdict(claim, by=carol, status="verified", note="Minutes.")
    approve(article, alice, bob)
    article_services.article_publish(article, by=bob)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Sources" in html and "Council minutes" in html and "Item 4: 12 homes approved." in html
    assert "Call notes" not in html
    assert Claim.objects.filter(article=article).count() == 1


@pytest.mark.parametrize(
    ("body", "text", "anchored"),
    [
        ("The council *approved* 12 homes.", "council approved 12 homes", "council *approved* 12 homes"),
        ('He said "no" to 12 homes.', "He said “no” to 12 homes", 'He said "no" to 12 homes'),
        ("Costs rose -- again.", "Costs rose – again", "Costs rose -- again"),
    ],
)  # fmt: skip
def test_it_anchors_a_claim_copied_from_the_rendered_page(article, carol, body, text, anchored):
    edit(article, body)
    claim = services.claim_add(article, by=carol, text=text)
    assert article.body[claim.anchor_start : claim.anchor_end] == anchored


def test_it_keeps_a_claim_whose_words_were_only_emphasised(claim, article, carol):
    services.claim_record_verdict(claim, by=carol, status="verified", note="Minutes.")
    edit(article, BODY.replace("approved 12", "approved **12**"))
    claim.refresh_from_db()
    assert claim.status == "verified"
    assert article.body[claim.anchor_start : claim.anchor_end] == "The council approved **12** new homes"
