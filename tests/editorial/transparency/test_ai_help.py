"""What the box says of AI help: each kind accepted before publication, who accepted it and with which
provider and model; quality checks as run, never as accepted; and plainly when there was none."""

import re

import pytest

from editorial import services
from editorial.models import AssistJob
from tests.editorial.assist.jobs import BODY, finished
from tests.editorial.transparency.page import none, one, publish, read_box, sentences
from tests.factories import ArticleFactory


@pytest.fixture
def article(alice, bob):
    return ArticleFactory(author=alice.person, editor=bob.person, body=BODY)


def test_a_quality_check_is_said_to_have_run_not_to_be_accepted(client, article, alice, bob):
    job = finished(article, "quality", alice)
    publish(article, by=bob)
    found = sentences(client, article)

    assert job.accepted_at is None
    tool = re.escape(f"{job.provider} {job.model}")
    one(found, rf"Quality checks on readability, attribution and style were run with {tool}\. .*")
    none(found, r"accepted (by|each)|reviewed and accepted")


def test_accepted_help_names_who_accepted_it_and_the_model(client, article, alice, bob, carol):
    job = finished(article, "claims", alice)
    services.ai_job_accept(job, by=carol, items=[0], fields=[])
    ignored = finished(article, "metadata", alice)  # asked for, never accepted
    services.claim_record_verdict(article.claims.get(), by=carol, status="verified", note="IEA report.")
    publish(article, by=bob)
    job.refresh_from_db()
    found = sentences(client, article)

    line = one(
        found,
        r"Finding check-worthy claims for the fact-checkers' queue, with (.+): "
        r"the result was accepted by (.+)\.",
    )
    assert line.groups() == (f"{job.provider} {job.model}", job.accepted_by.person.name)
    assert (carol.person.name, carol.person.get_absolute_url()) in read_box(client, article).links
    assert ignored.accepted_at is None
    none(found, "metadata")


def test_help_accepted_after_publication_is_not_reported(client, article, alice, bob):
    job = finished(article, "metadata", alice)
    publish(article, by=bob)
    services.ai_job_accept(job, by=alice, items=[], fields=["dek"])
    job.refresh_from_db()
    assert job.accepted_at is not None
    one(sentences(client, article), r"No AI assistance was used on this article\.")


def test_an_article_without_ai_help_says_so(client, article, bob):
    publish(article, by=bob)
    found = sentences(client, article)
    assert not AssistJob.objects.filter(article=article).exists()
    one(found, r"No AI assistance was used on this article\.")
    none(found, r"AI tools helped")
