"""The sources under the article: public evidence of claims verified or corrected by publication, whose
link check reached the page or that a fact-checker checked by hand. Broken or refused links are not
offered to readers."""

import pytest

from articles.versions import save_version
from editorial import services
from editorial.models import Evidence
from tests.editorial.transparency.page import publish, sources
from tests.factories import ArticleFactory

BODY = "The council approved 12 new homes. Building starts in May."


@pytest.fixture
def claim(alice, bob, carol):
    article = ArticleFactory(author=alice.person, editor=bob.person, body=BODY)
    claim = services.claim_add(article, by=carol, text="The council approved 12 new homes")
    services.claim_record_verdict(claim, by=carol, status="verified", note="Minutes, item 4.")
    return claim


def add(claim, carol, title: str, status: str, *, public: bool = True, **extra) -> Evidence:
    evidence = services.evidence_add(
        claim, by=carol, url=f"https://council.example.org/{status}", title=title, public=public, **extra
    )
    # What the link check found (it runs after the commit, which tests do not reach), saved as it saves it.
    evidence.link_status = status
    return save_version(evidence, by=None, reason=f"Link checked: {status}")


def test_broken_and_refused_links_are_not_listed(client, claim, bob, carol):
    add(claim, carol, "Reachable minutes", "ok")
    add(claim, carol, "Gone minutes", "broken")
    add(claim, carol, "Intranet minutes", "refused")
    add(claim, carol, "Never checked", "unchecked")
    publish(claim.article, by=bob)
    assert sources(client, claim.article) == ["Reachable minutes"]


def test_a_source_checked_by_hand_is_listed_and_names_its_checker(client, claim, bob, carol):
    evidence = add(claim, carol, "Paywalled report", "refused", checked_by_hand=True)
    add(claim, carol, "Unread report", "refused")
    publish(claim.article, by=bob)
    evidence.refresh_from_db()
    assert (evidence.checked_by_hand, evidence.hand_checked_by) == (True, carol)
    assert evidence.hand_checked_at is not None
    assert sources(client, claim.article) == ["Paywalled report"]


def test_only_public_evidence_of_checked_claims_is_listed(client, claim, bob, carol):
    add(claim, carol, "Private note", "ok", public=False)
    other = services.claim_add(claim.article, by=carol, text="Building starts in May")
    services.claim_record_verdict(other, by=carol, status="unverifiable", note="No schedule yet.")
    add(other, carol, "Builder's press release", "ok")
    publish(claim.article, by=bob)
    assert sources(client, claim.article) == []


def test_a_source_edited_after_publication_shows_as_it_was_until_the_next_publication(
    client, claim, bob, carol
):
    evidence = add(claim, carol, "Reachable minutes", "ok")
    publish(claim.article, by=bob)
    services.evidence_update(evidence, by=carol, title="Minutes, retitled after publication")
    evidence.link_status = "ok"
    save_version(evidence, by=None, reason="Link checked: ok")
    assert sources(client, claim.article) == ["Reachable minutes"]
