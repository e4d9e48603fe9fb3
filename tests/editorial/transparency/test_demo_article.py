"""The demo newsroom's articles: the transparency box says what the record shows of each publication,
including one published over the publish gate while a check-worthy claim was still pending."""

import os
import re

from django.core.management import call_command
from django.utils.dateformat import format as date_format
from django.utils.timezone import localtime

from articles.models import Article
from editorial import demo_content as demo
from editorial.models import AssistJob, Claim
from tests.editorial.transparency.page import (
    claims_as_published,
    count_sentence,
    none,
    one,
    publication,
    read_box,
    sentences,
    sources,
)


def seeded(slug: str) -> Article:
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    return Article.objects.get(slug=slug)


def test_the_article_published_over_the_gate_says_so_sentence_by_sentence(db, client):
    article = seeded(demo.OVERRIDDEN_SLUG)
    moved = publication(article)
    editor = moved.by.person
    counts = claims_as_published(article)
    found = sentences(client, article)

    day = date_format(localtime(moved.at), "j F Y")
    one(found, rf"This version was published on {day} by {re.escape(editor.name)}\.")
    gate = one(
        found,
        r"The publish gate, .* was overridden for its publication by the editor (.+), "
        r"who recorded a reason\.",
    )
    assert moved.override_reason and gate.group(1) == editor.name
    assert (editor.name, editor.get_absolute_url()) in read_box(client, article).links
    none(found, "without an override")

    assert counts.get("pending", 0) >= 1 and counts.get("verified", 0) >= 1
    assert counts["pending"] == Claim.objects.filter(article=article, status="pending").count()
    for status in ("verified", "corrected", "unverifiable", "pending"):
        if counts.get(status):
            one(found, count_sentence(counts[status], status))
        else:
            none(found, count_sentence(0, status).removeprefix("0 claims "))

    responsible = article.live_version.editor
    one(found, rf"{re.escape(responsible.name)}, the named human editor, is responsible for .*")
    assert not AssistJob.objects.filter(article=article).exists()
    one(found, r"No AI assistance was used on this article\.")

    verified = Claim.objects.get(article=article, status="verified")
    evidence = verified.evidence.get()
    assert evidence.checked_by_hand and evidence.hand_checked_by == verified.checked_by
    assert sources(client, article) == [evidence.title]


def test_the_corrected_article_reports_its_checks_and_its_ai_help(db, client):
    article = seeded(demo.PUBLISHED_SLUG)
    moved = (
        publication(article) if article.transitions.filter(version=article.live_version).exists() else None
    )
    assert moved is None  # its live version is the accepted clarification's
    published = article.transitions.filter(to_status="published").get()
    found = sentences(client, article)

    day = date_format(localtime(published.at), "j F Y")
    one(
        found,
        rf"This article was published on {day} by {re.escape(published.by.person.name)}; .*corrections.*",
    )
    one(found, r"It went through the publish gate without an override\.")
    verified = Claim.history.as_of(published.at).filter(article_id=article.pk, status="verified").count()
    unverifiable = Claim.history.as_of(published.at).filter(article_id=article.pk, status="unverifiable")
    one(found, count_sentence(verified, "verified"))
    one(found, count_sentence(unverifiable.count(), "unverifiable"))
    none(found, "still waiting")

    entities = AssistJob.objects.get(article=article, kind="entities")
    accepted = one(
        found, r"Identifying the named entities in the text, with (.+): the result was accepted by (.+)\."
    )
    assert accepted.groups() == (f"{entities.provider} {entities.model}", entities.accepted_by.person.name)
    quality = AssistJob.objects.get(article=article, kind="quality")
    one(
        found,
        rf"Quality checks .* were run with {re.escape(quality.provider)} {re.escape(quality.model)}\. .*",
    )
    assert "IEA, Energy and AI (2025)" in sources(client, article)
