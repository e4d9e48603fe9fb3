"""An overdue article's editors are told: the one who scheduled it and the responsible one, once."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from articles import gate, hooks, services
from editorial import tasks
from editorial.models import OutgoingEmail
from tests.factories import ArticleFactory, PersonFactory, UserFactory


@pytest.fixture
def frank(db):
    user = UserFactory(username="frank")
    user.groups.add(Group.objects.get(name="Editor"))
    PersonFactory(user=user, name="Frank", slug="frank")
    return user


def refuse(article):
    yield gate.Problem("The legal desk has not cleared it.", overridable=False)


def schedule_and_refuse(article, *, author, approver, scheduler):
    services.article_submit(article, by=author)
    services.article_approve(article, by=approver)
    services.article_schedule(article, by=scheduler, when=timezone.now() + timedelta(minutes=5))
    OutgoingEmail.objects.all().delete()
    with hooks.register_temporarily(hooks.PUBLISH_CHECKS, refuse):
        services.publish_due_articles(now=timezone.now() + timedelta(hours=1))
        services.publish_due_articles(now=timezone.now() + timedelta(hours=2))


def overdue_emails() -> list[str]:
    return sorted(OutgoingEmail.objects.filter(template="article-overdue").values_list("to", flat=True))


def test_it_tells_the_scheduler_and_the_responsible_editor_once(alice, bob, frank, mailoutbox):
    article = ArticleFactory(author=alice.person, editor=bob.person, title="Harbour sale")
    schedule_and_refuse(article, author=alice, approver=bob, scheduler=frank)

    assert overdue_emails() == ["bob@example.com", "frank@example.com"]
    assert OutgoingEmail.objects.count() == 2  # the author hears nothing until it is published
    tasks.send_email(OutgoingEmail.objects.get(to="frank@example.com").pk)
    [message] = mailoutbox
    assert message.subject == "Not published as scheduled: Harbour sale"
    assert "The legal desk has not cleared it." in message.body
    assert f"/admin/articles/article/{article.pk}/change/" in message.body


def test_it_tells_the_editor_who_scheduled_it_even_as_the_moves_recorder(alice, bob):
    article = ArticleFactory(author=alice.person, editor=bob.person)
    schedule_and_refuse(article, author=alice, approver=bob, scheduler=bob)
    assert overdue_emails() == ["bob@example.com"]
