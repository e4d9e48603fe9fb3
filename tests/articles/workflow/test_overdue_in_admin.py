"""Overdue articles come first where editors look: the review queue and the article list's status filter;
the workflow panel offers what may be done with them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles import services
from articles.models import Article
from tests.factories import ArticleFactory

S = Article.Status


@pytest.fixture
def waiting(alice, bob):
    """Waiting for review since before the other article was even submitted."""
    article = ArticleFactory(author=alice.person, editor=bob.person, title="Bridge repairs")
    return services.article_submit(article, by=alice)


@pytest.fixture
def overdue(alice, bob, waiting):
    article = ArticleFactory(author=alice.person, editor=bob.person, title="Harbour sale")
    services.article_submit(article, by=alice)
    services.article_approve(article, by=bob)
    services.article_schedule(article, by=bob, when=timezone.now() + timedelta(minutes=5))
    return services.article_mark_overdue(article, by=bob, refusal="Cannot publish yet: no legal clearance.")


def test_it_lists_overdue_articles_first_in_my_review_queue(client, bob, overdue):
    client.force_login(bob)
    html = client.get("/admin/articles/reviewqueue/").content.decode()
    assert html.index("Harbour sale") < html.index("Bridge repairs")
    assert reverse("admin:articles_article_change", args=[overdue.pk]) in html


def test_it_offers_overdue_first_in_the_status_filter(client, bob, overdue):
    client.force_login(bob)
    html = client.get("/admin/articles/article/").content.decode()
    filters = html[html.index('id="changelist-filter"') :]
    assert filters.index("Overdue (1)") < filters.index("Draft") < filters.index("Published")
    listed = client.get("/admin/articles/article/?status__exact=overdue").content.decode()
    assert "Harbour sale" in listed


def test_it_shows_the_refusal_and_the_ways_out(client, bob, overdue):
    client.force_login(bob)
    html = client.get(reverse("admin:articles_article_change", args=[overdue.pk])).content.decode()
    assert "its publication was refused" in html
    assert "Cannot publish yet: no legal clearance." in html
    for action in ["publish", "unschedule", "send_back"]:
        assert reverse("admin:articles_article_workflow", args=[overdue.pk, action]) in html


def test_an_editor_sends_it_back_from_the_workflow_page(client, bob, overdue):
    client.force_login(bob)
    page = reverse("admin:articles_article_workflow", args=[overdue.pk, "send_back"])
    response = client.post(page, {"note": "Needs the legal desk."})
    assert response.status_code == 302
    overdue.refresh_from_db()
    assert (overdue.status, overdue.scheduled_for) == (S.IN_REVIEW, None)
