import pytest
from django.core import mail

from articles import services
from editorial import tasks
from editorial.models import OutgoingEmail
from tests.factories import ArticleFactory


@pytest.fixture
def article(alice, bob):
    return ArticleFactory(author=alice.person, editor=bob.person, title="Bridge repairs")


def sent_to(template: str) -> list[str]:
    return list(OutgoingEmail.objects.filter(template=template).values_list("to", flat=True))


def test_it_tells_the_reviewer_of_a_submission(article, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.article_submit(article, by=alice, note="Ready for a look.")
    assert sent_to("article-submitted") == ["bob@example.com"]
    assert len(callbacks) == 1
    tasks.send_email(OutgoingEmail.objects.get().pk)
    [message] = mail.outbox
    assert message.subject == "Review requested: Bridge repairs"
    assert "Ready for a look." in message.body
    assert f"/admin/articles/article/{article.pk}/change/" in message.body


def test_it_tells_every_editor_when_nobody_is_assigned(alice, bob):
    article = ArticleFactory(author=alice.person, editor=None)
    services.article_submit(article, by=alice)
    assert sent_to("article-submitted") == ["bob@example.com"]


def test_it_tells_the_author_of_each_decision(article, alice, bob):
    services.article_submit(article, by=alice)
    services.article_request_changes(article, by=bob, note="Name the contractor.")
    services.article_submit(article, by=alice)
    services.article_approve(article, by=bob)
    services.article_publish(article, by=bob)
    for template in ["article-changes-requested", "article-approved", "article-published"]:
        assert sent_to(template) == ["alice@example.com"], template
    body = OutgoingEmail.objects.get(template="article-changes-requested").body_text
    assert "Name the contractor." in body


def test_it_does_not_tell_people_of_their_own_actions(bob):
    article = ArticleFactory(author=bob.person, editor=bob.person)
    services.article_submit(article, by=bob)
    services.article_approve(article, by=bob)
    assert not OutgoingEmail.objects.exists()


def test_it_writes_the_email_in_the_actions_transaction(article, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.article_submit(article, by=alice)
    assert OutgoingEmail.objects.count() == 1
    assert len(callbacks) == 1  # the task is only queued once the action commits


def test_it_escapes_reader_visible_text_in_html_but_not_in_text(alice, bob):
    article = ArticleFactory(author=alice.person, editor=bob.person, title="Tom & Jerry <b>")
    services.article_submit(article, by=alice)
    email = OutgoingEmail.objects.get()
    assert "Tom & Jerry <b>" in email.body_text
    assert "Tom &amp; Jerry &lt;b&gt;" in email.body_html
