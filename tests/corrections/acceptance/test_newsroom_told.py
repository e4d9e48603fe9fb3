"""When a correction goes live, the article's author and editor are told by e-mail (nobody of their own
action, nobody without an address)."""

import pytest

from articles import services as article_services
from corrections import services
from corrections.models import CorrectionRequest
from editorial.models import OutgoingEmail
from tests.factories import ArticleFactory, PersonFactory

OLD = "The council approved 12 new homes."


@pytest.fixture
def live(alice, bob):
    article = ArticleFactory(author=alice.person, editor=bob.person, body=f"{OLD}\n\nA closing line.")
    article_services.article_submit(article, by=alice)
    article_services.article_approve(article, by=bob)
    return article_services.article_publish(article, by=bob)


def told():
    return sorted(OutgoingEmail.objects.filter(template="correction-published").values_list("to", flat=True))


def corrected(article) -> str:
    return article.live_version.body.replace("12 new", "14 new")


def test_it_tells_the_author_and_the_editor_when_a_request_is_accepted(live, erin):
    request = CorrectionRequest.objects.create(article=live, explanation="14", ip_hash="x" * 64)
    services.correction_accept(request, by=erin, body=corrected(live), kind="correction", note="It is 14.")

    assert told() == ["alice@example.com", "bob@example.com"]
    email = OutgoingEmail.objects.get(template="correction-published", to="alice@example.com")
    assert email.subject == f"A correction is live on “{live.public_title}”"
    assert "It is 14." in email.body_text and "published by erin" in email.body_text
    assert f"{live.get_absolute_url()}#correction-" in email.body_html


def test_it_tells_them_of_a_correction_the_desk_publishes_without_a_request(live, erin):
    services.correction_publish(live, by=erin, body=corrected(live), kind="clarification", note="Clearer.")
    assert told() == ["alice@example.com", "bob@example.com"]
    assert "A clarification to" in OutgoingEmail.objects.filter(template="correction-published")[0].body_text


def test_it_does_not_tell_the_editor_of_their_own_correction(live, bob):
    services.correction_publish(live, by=bob, body=corrected(live), kind="correction", note="It is 14.")
    assert told() == ["alice@example.com"]


def test_it_skips_people_without_an_address(live, erin):
    live.editor = PersonFactory()  # no user account
    live.save()
    live.author.user.email = ""
    live.author.user.save()
    services.correction_publish(live, by=erin, body=corrected(live), kind="correction", note="It is 14.")
    assert told() == []


def test_it_tells_nobody_when_the_correction_is_refused(live, erin):
    with pytest.raises(services.CorrectionError):
        services.correction_publish(live, by=erin, body=live.live_version.body, kind="correction", note="x")
    assert told() == []
