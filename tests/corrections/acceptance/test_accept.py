"""Accepting a reader's correction: one transaction, applied once, public everywhere it should be."""

import json
import re

import pytest

from articles import services as article_services
from articles.models import Article, ReviewNote
from corrections import services
from corrections.models import Correction, CorrectionRequest
from corrections.services import CorrectionError
from editorial.models import OutgoingEmail
from tests.factories import ArticleFactory

OLD = "The council approved 12 new homes, the mayor said."
NEW = "The council approved 14 new homes, the mayor said."


@pytest.fixture
def live(alice, bob):
    article = ArticleFactory(
        author=alice.person, editor=bob.person, body=f"## Housing\n\n{OLD}\n\nA closing line."
    )
    article_services.article_submit(article, by=alice)
    article_services.article_approve(article, by=bob)
    return article_services.article_publish(article, by=bob)


@pytest.fixture
def request_(live):
    return CorrectionRequest.objects.create(
        article=live, quoted_text="approved 12 new homes", quote_found=True, ip_hash="x" * 64,
        explanation="The minutes say 14.", email="sam@example.org",
    )  # fmt: skip


def accept(request_, erin, body=None, **kwargs):
    body = body if body is not None else request_.article.live_version.body.replace(OLD, NEW)
    return services.correction_accept(
        request_, by=erin, body=body, kind="correction", note="We said 12 homes; it is 14.", **kwargs
    )


def test_it_publishes_the_correction_as_a_new_live_version(client, live, request_, erin):
    before = live.live_version
    correction = accept(request_, erin)

    live.refresh_from_db()
    assert live.live_version == correction.to_version != before
    assert correction.from_version == before
    assert NEW in live.live_version.body and live.body == live.live_version.body
    assert live.updated_at == correction.published_at
    assert live.live_version.history_user == erin
    assert live.live_version.history_change_reason == "Correction published: We said 12 homes; it is 14."
    request_.refresh_from_db()
    assert (request_.status, request_.decided_by) == ("accepted", erin)
    assert list(correction.requests.all()) == [request_]

    html = client.get(live.get_absolute_url()).content.decode()
    assert "14 new homes" in html and "12 new homes" not in html
    assert f'<time class="updated" datetime="{live.updated_at.isoformat(timespec="seconds")}">Updated' in html
    assert "We said 12 homes; it is 14." in html


def test_it_applies_once_when_accepted_twice(live, request_, erin):
    first = accept(request_, erin)
    second = accept(request_, erin)
    assert first == second
    assert Correction.objects.count() == 1
    assert live.history.filter(history_change_reason__startswith="Correction published").count() == 1


def test_it_is_atomic(live, request_, erin, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Correction.objects, "create", broken)
    versions = live.history.count()
    with pytest.raises(RuntimeError):
        accept(request_, erin)
    live.refresh_from_db()
    request_.refresh_from_db()
    assert (live.history.count(), live.updated_at, request_.status) == (versions, None, "received")
    assert OLD in live.live_version.body


def test_it_refuses_text_that_changes_nothing(live, request_, erin):
    with pytest.raises(CorrectionError, match="same as the live text"):
        accept(request_, erin, body=live.live_version.body)


def test_it_refuses_people_outside_the_desk(live, request_, alice):
    with pytest.raises(CorrectionError, match="Only the corrections desk"):
        accept(request_, alice)


def test_it_tells_the_reader(live, request_, erin):
    accept(request_, erin, reply="Thanks, Sam: you were right.")
    email = OutgoingEmail.objects.get(template="correction-accepted")
    assert email.to == "sam@example.org"
    assert "Thanks, Sam: you were right." in email.body_text
    assert "We said 12 homes; it is 14." in email.body_text


def test_it_describes_the_correction_in_json_ld(client, live, request_, erin):
    correction = accept(request_, erin)
    html = client.get(live.get_absolute_url()).content.decode()
    data = json.loads(
        re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S).group(1)
    )
    assert data["dateModified"] == correction.published_at.isoformat() != data["datePublished"]
    assert data["correction"] == [
        {"@type": "CorrectionComment", "text": "We said 12 homes; it is 14.",
         "datePublished": correction.published_at.isoformat()}
    ]  # fmt: skip


def test_it_lists_the_correction_publicly(client, live, request_, erin):
    accept(request_, erin)
    log = client.get("/corrections/").content.decode()
    assert "We said 12 homes; it is 14." in log
    feed = client.get("/corrections/feed/").content.decode()
    assert "We said 12 homes; it is 14." in feed
    changes = client.get(f"/articles/{live.slug}/changes/").content.decode()
    assert "<del>12</del><ins>14</ins>" in changes
    assert "Correction:</strong> We said 12 homes; it is 14." in changes


def test_it_applies_the_correction_to_unpublished_edits_too(live, request_, erin):
    live.body = live.body.replace("A closing line.", "A rewritten closing line.")
    live.save()
    accept(request_, erin)
    live.refresh_from_db()
    assert NEW in live.body and "A rewritten closing line." in live.body  # the draft has both
    assert "A rewritten closing line." not in live.live_version.body  # readers see only the correction
    assert live.history.latest().history_change_reason == "Correction applied to the unpublished draft too"


def test_it_tells_the_desk_what_to_merge_when_the_draft_moved_on(live, request_, erin):
    live.body = live.body.replace(OLD, "The council approved a dozen homes, officials said.")
    live.save()
    accept(request_, erin)
    live.refresh_from_db()
    assert "a dozen homes" in live.body and NEW not in live.body  # the draft is kept as it was
    assert NEW in live.live_version.body
    note = ReviewNote.objects.get(article=live)
    assert "could not be applied to them automatically" in note.body


def test_it_withdraws_an_approval_the_correction_made_stale(live, request_, erin, alice, bob):
    live.body = live.body.replace("A closing line.", "An approved new ending.")
    live.save()
    article_services.article_submit(live, by=alice)
    article_services.article_approve(live, by=bob)
    accept(request_, erin)
    live.refresh_from_db()
    assert live.status == Article.Status.IN_REVIEW
    assert live.transitions.last().note == "A correction was published since this draft was approved."
    assert NEW in live.body and "An approved new ending." in live.body


def test_it_declines_with_a_reason(client, live, request_, erin):
    services.correction_decline(request_, by=erin, reply="The minutes we cite say 12.")
    request_.refresh_from_db()
    assert (request_.status, request_.reply) == ("declined", "The minutes we cite say 12.")
    assert OutgoingEmail.objects.get(template="correction-declined").to == "sam@example.org"
    page = client.get(request_.get_status_url()).content.decode()
    assert "Declined: the article stays as it is." in page and "The minutes we cite say 12." in page
    with pytest.raises(CorrectionError, match="already declined"):
        accept(request_, erin)


def test_it_requires_a_reason_to_decline(live, request_, erin):
    with pytest.raises(CorrectionError, match="Tell the reader why"):
        services.correction_decline(request_, by=erin, reply=" ")


def test_it_merges_duplicates_and_answers_their_readers(live, request_, erin):
    twin = CorrectionRequest.objects.create(
        article=live, explanation="It was 14!", email="kim@example.org", ip_hash="y" * 64
    )
    assert services.correction_requests_merge([twin], into=request_, by=erin) == 1
    accept(request_, erin)
    twin.refresh_from_db()
    assert (twin.status, twin.duplicate_of) == ("duplicate", request_)
    told = OutgoingEmail.objects.filter(template="correction-accepted").values_list("to", flat=True)
    assert sorted(told) == ["kim@example.org", "sam@example.org"]


def test_it_files_spam(live, request_, erin):
    services.correction_request_mark(request_, status="spam", by=erin)
    assert CorrectionRequest.objects.get().status == "spam"
    with pytest.raises(CorrectionError, match="already spam"):
        services.correction_request_mark(request_, status="in_review", by=erin)


def test_it_applies_a_long_correction_to_a_long_draft(live, request_, erin):
    paragraphs = [f"Paragraph {i} about the housing plan and its many details." for i in range(200)]
    live.body = live.body + "\n\n" + "\n\n".join(paragraphs)
    live.save()
    long_fix = "The council approved 14 new homes after a long debate about density, parking and schools."
    accept(request_, erin, body=request_.article.live_version.body.replace(OLD, long_fix))
    live.refresh_from_db()
    assert long_fix in live.body and "Paragraph 199 about" in live.body
