"""The box describes the live version as it was published: a verdict recorded afterwards changes
nothing readers see until an editor publishes again."""

import pytest

from articles import services as article_services
from articles.versions import save_version
from editorial import services
from tests.editorial.transparency.page import count_sentence, none, one, publish, sentences, sources
from tests.factories import ArticleFactory

BODY = "The council approved 12 new homes. Building starts in May."
REASON = "The vote is tonight's news; the figure is from the council's own agenda."


@pytest.fixture
def article(alice, bob, carol):
    article = ArticleFactory(author=alice.person, editor=bob.person, body=BODY)
    claim = services.claim_add(article, by=carol, text="The council approved 12 new homes")
    evidence = services.evidence_add(claim, by=carol, url="https://council.example.org/minutes", public=True)
    evidence.link_status, evidence.title = "ok", "Minutes"
    save_version(evidence, by=None, reason="Link checked: ok")
    return publish(article, by=bob, override_reason=REASON)


def test_a_verdict_after_publication_waits_for_the_next_publication(client, article, bob, carol):
    services.claim_record_verdict(article.claims.get(), by=carol, status="verified", note="Minutes, item 4.")

    found = sentences(client, article)
    one(found, count_sentence(1, "pending"))
    none(found, "verified by a fact-checker")
    one(
        found,
        r"The publish gate, .* overridden for its publication by the editor Bob, who recorded a reason\.",
    )
    assert sources(client, article) == []

    article.body += "\n\nThe vote was 7-2."
    article_services.article_save(article, by=bob, reason="Added the vote")
    article_services.article_submit(article, by=bob)
    publish(article, by=bob)

    found = sentences(client, article)
    one(found, count_sentence(1, "verified"))
    none(found, "waiting for a verdict|overridden")
    one(found, r"It went through the publish gate without an override\.")
    assert sources(client, article) == ["Minutes"]
