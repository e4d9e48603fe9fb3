"""simple-history's version pages are records: they display a version and never save one."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.utils import timezone

from articles import services
from articles.admin_base import VersionedAdmin
from articles.models import Article
from articles.versions import save_version
from editorial.models import PolicyPage
from tests.factories import ArticleFactory


@pytest.fixture
def article(alice, bob):
    article = ArticleFactory(author=alice.person, editor=bob.person, title="Old headline", body="Old text.")
    article.title, article.body = "New headline", "New text."
    save_version(article, by=alice)
    return article


def version_url(article, record) -> str:
    return f"/admin/articles/article/{article.pk}/history/{record.history_id}/"


def test_every_history_admin_has_read_only_version_pages():
    tracked = [
        m for m, a in admin.site._registry.items() if hasattr(m._meta, "simple_history_manager_attribute")
    ]
    assert tracked
    assert all(isinstance(admin.site._registry[model], VersionedAdmin) for model in tracked)


def test_it_shows_a_version_as_a_record(client, article, alice):
    client.force_login(alice)
    response = client.get(version_url(article, article.history.earliest()))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Old headline" in html and "cannot be edited" in html
    assert "<textarea" not in html and 'name="title"' not in html
    assert "Restore this version" in html


@pytest.mark.parametrize("persona", ["alice", "bob", "carol", "erin"])
def test_it_refuses_a_post_to_a_version_page_and_changes_nothing(client, article, request, persona):
    client.force_login(request.getfixturevalue(persona))
    old = article.history.earliest()
    versions = article.history.count()

    response = client.post(version_url(article, old), {"title": "Hijacked", "slug": "hijacked", "body": "x"})

    assert response.status_code == 405
    article.refresh_from_db()
    assert (article.title, article.slug, article.history.count()) == ("New headline", article.slug, versions)


def test_an_old_scheduled_version_cannot_be_posted_back(client, article, alice, bob):
    """The schedule an editor cancelled must not come back through an old version's page."""
    services.article_submit(article, by=alice)
    services.article_approve(article, by=bob)
    services.article_schedule(article, by=bob, when=timezone.now() + timedelta(hours=1))
    scheduled = article.history.latest()
    services.article_unschedule(article, by=bob)
    client.force_login(alice)

    response = client.post(version_url(article, scheduled), {"title": article.title, "slug": article.slug})

    assert response.status_code == 405
    article.refresh_from_db()
    assert (article.status, article.scheduled_for) == (Article.Status.APPROVED, None)


def test_the_corrections_policy_cannot_be_rewritten_through_its_history(client, alice):
    page = PolicyPage.objects.get(slug=PolicyPage.Slug.CORRECTIONS)
    page.save()
    record = page.history.latest()
    client.force_login(alice)

    url = f"/admin/editorial/policypage/{page.pk}/history/{record.history_id}/"
    response = client.post(url, {"title": "Defaced", "body": "We never correct anything."})

    assert response.status_code == 405
    page.refresh_from_db()
    assert page.title != "Defaced"


@pytest.mark.parametrize("path", ["abc/history/1/", "1/history/abc/", "abc/history/"])
def test_it_answers_404_for_ids_that_are_not_numbers(client, bob, path):
    client.force_login(bob)
    assert client.get(f"/admin/articles/article/{path}").status_code == 404
