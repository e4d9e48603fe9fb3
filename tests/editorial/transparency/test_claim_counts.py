"""The box counts the claims by the verdict they had when the live version was published: an
unverifiable claim is not a verified one, and the counts read "1 claim was", "3 claims were"."""

import pytest

from editorial import services
from tests.editorial.transparency.page import (
    claims_as_published,
    count_sentence,
    none,
    one,
    publish,
    sentences,
)
from tests.factories import ArticleFactory

CLAIMS = [
    "Homes rose by 12",
    "The vote was 7-2",
    "The site is 4 hectares",
    "Rents fell 3%",
    "Work starts in May",
]
BODY = ". ".join(CLAIMS) + "."


@pytest.fixture
def article(alice, bob):
    return ArticleFactory(author=alice.person, editor=bob.person, body=BODY)


def claims(article, carol, verdicts: list[str]) -> None:
    for text, verdict in zip(CLAIMS, verdicts, strict=False):
        claim = services.claim_add(article, by=carol, text=text)
        services.claim_record_verdict(claim, by=carol, status=verdict, note="Checked with the council.")


def test_an_unverifiable_claim_is_not_counted_as_verified(client, article, bob, carol):
    claims(article, carol, ["verified", "unverifiable"])
    publish(article, by=bob)
    counts = claims_as_published(article)
    found = sentences(client, article)

    assert counts == {"verified": 1, "unverifiable": 1}
    one(found, count_sentence(counts["verified"], "verified"))
    one(found, count_sentence(counts["unverifiable"], "unverifiable"))
    none(found, r"2 claims were verified|checked against (reliable )?sources")


def test_it_counts_each_verdict_in_the_plural_and_the_singular(client, article, bob, carol):
    claims(article, carol, ["verified", "verified", "verified", "corrected", "not_a_claim"])
    publish(article, by=bob)
    counts = claims_as_published(article)
    found = sentences(client, article)

    assert counts == {"verified": 3, "corrected": 1, "not_a_claim": 1}
    one(found, r"3 claims were verified by a fact-checker\.")
    one(found, count_sentence(counts["corrected"], "corrected"))
    assert count_sentence(1, "corrected") == r"1 claim was found inaccurate and corrected\."
    none(found, "waiting for a verdict|could not be verified")


def test_an_article_without_claims_says_none_were_checked(client, article, bob):
    publish(article, by=bob)
    found = sentences(client, article)
    one(found, r"No claims from this article were in the fact-check queue when it was published\.")
    none(found, "verified")
