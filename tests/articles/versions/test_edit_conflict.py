"""Two people editing one article: the later save never silently overwrites the earlier one."""

import re

import pytest

from articles import services
from articles.models import Article
from tests.admin_forms import no_inline_changes
from tests.factories import ArticleFactory


@pytest.fixture
def article(alice, bob):
    return ArticleFactory(author=alice.person, editor=bob.person, title="Bridge repairs", body="First text.")


def change_url(article) -> str:
    return f"/admin/articles/article/{article.pk}/change/"


def form_data(client, article, **changes) -> dict:
    """What the browser would post: the form as loaded, with the user's changes."""
    html = client.get(change_url(article)).content.decode()
    base = re.search(r'name="base_version" value="(\d+)"', html).group(1)
    data = {
        "title": article.title,
        "slug": article.slug,
        "dek": article.dek,
        "body": article.body,
        "seo_description": "",
        "author": article.author_id,
        "editor": article.editor_id or "",
        "base_version": base,
        **no_inline_changes(),
    }
    return {**data, **changes}


def test_it_refuses_a_save_over_newer_text_and_keeps_what_was_typed(client, article, alice, bob):
    client.force_login(alice)
    alices = form_data(client, article, body="Alice's rewrite of the text.")
    client.force_login(bob)
    assert client.post(change_url(article), form_data(client, article, body="Bob's fix.")).status_code == 302
    versions = article.history.count()

    client.force_login(alice)
    response = client.post(change_url(article), alices)

    html = response.content.decode()
    assert response.status_code == 200
    assert "saved a newer version" in html
    assert "Alice&#x27;s rewrite of the text." in html  # still in her form
    assert "Bob" in html and "fix" in html  # their change, shown as a diff
    article.refresh_from_db()
    assert article.body == "Bob's fix."
    assert article.history.count() == versions


def test_it_saves_the_second_time_once_the_user_has_seen_the_conflict(client, article, alice, bob):
    client.force_login(alice)
    alices = form_data(client, article, body="Alice's rewrite.")
    copy = Article.objects.get(pk=article.pk)
    copy.body = "Bob's fix."
    services.article_save(copy, by=bob, reason="Fix")
    stale = client.post(change_url(article), alices).content.decode()
    newer = re.search(r'name="base_version" value="(\d+)"', stale).group(1)

    response = client.post(change_url(article), {**alices, "base_version": newer})

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.body == "Alice's rewrite."


def test_it_does_not_call_a_workflow_move_a_conflict(client, article, alice):
    client.force_login(alice)
    data = form_data(client, article, body="Second text.")
    services.article_submit(article, by=alice)  # a new history row, the same content

    assert client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert (article.body, article.status) == ("Second text.", Article.Status.IN_REVIEW)


def test_the_service_refuses_a_stale_base_version(article, alice, bob):
    base = article.history.latest().history_id
    copy = Article.objects.get(pk=article.pk)
    copy.body = "Bob's text."
    services.article_save(copy, by=bob, reason="Edit", base_version_id=base)
    article.body = "Alice's text."
    with pytest.raises(services.EditConflict, match="newer version"):
        services.article_save(article, by=alice, reason="Edit", base_version_id=base)


def test_the_service_refuses_a_byline_change_by_an_author(article, alice, dave):
    article.author = dave.person
    with pytest.raises(services.ArticleActionError, match="Only an editor"):
        services.article_save(article, by=alice, reason="Edit")


def test_it_shows_who_else_has_the_form_open(client, article, alice, bob):
    client.force_login(bob)
    client.get(change_url(article))
    client.force_login(alice)

    html = client.get(change_url(article)).content.decode()

    assert "<strong>Bob</strong> has been editing since" in html


def test_the_heartbeat_answers_who_else_is_editing(client, article, alice, bob, carol):
    client.force_login(bob)
    client.get(change_url(article))
    client.force_login(alice)
    url = f"/admin/articles/article/{article.pk}/editing/"

    assert client.post(url).json()["others"][0]["name"] == "Bob"
    assert client.get(url).status_code == 405
    client.force_login(carol)  # reads every article, changes none
    assert client.post(url).status_code == 403
