import pytest

from articles import services
from articles.services import ArticleActionError
from tests.factories import ArticleFactory


def test_it_restores_an_old_version_as_a_new_one(alice):
    article = ArticleFactory(author=alice.person, title="First title", body="First body.")
    first = article.history.latest()
    article.title, article.body = "Second title", "Second body."
    article.save()

    services.article_restore_version(article, first, by=alice)

    article.refresh_from_db()
    assert (article.title, article.body) == ("First title", "First body.")
    newest = article.history.latest()
    assert newest.history_user == alice
    assert newest.history_change_reason.startswith(f"Restored {first.label} of ")
    assert article.history.count() == 3


def test_it_does_not_change_the_live_page(client, published_article, alice):
    first = published_article.history.earliest()
    published_article.body = "Edited."
    published_article.save()
    services.article_restore_version(published_article, first, by=alice)
    assert client.get(published_article.get_absolute_url()).status_code == 200
    assert published_article.live_version.body != "Edited."


def test_it_refuses_a_version_of_another_article(alice):
    mine = ArticleFactory(author=alice.person)
    other = ArticleFactory(author=alice.person)
    with pytest.raises(ArticleActionError, match="belongs to another article"):
        services.article_restore_version(mine, other.history.latest(), by=alice)


def test_it_keeps_the_people_named_now(alice, bob):
    """An old version named no responsible editor: restoring its text must not un-assign the editor."""
    article = ArticleFactory(author=alice.person, editor=None, title="First title", body="First body.")
    first = article.history.latest()
    article.editor, article.body = bob.person, "Second body."
    services.article_save(article, by=bob, reason="Editor assigned")

    services.article_restore_version(article, first, by=alice)

    article.refresh_from_db()
    assert (article.body, article.editor) == ("First body.", bob.person)


def test_an_editor_may_bring_back_the_old_byline_too(alice, bob):
    article = ArticleFactory(author=alice.person, editor=None, body="First body.")
    first = article.history.latest()
    article.editor = bob.person
    services.article_save(article, by=bob, reason="Editor assigned")

    with pytest.raises(ArticleActionError, match="Only an editor"):
        services.article_restore_version(article, first, by=alice, byline=True)
    services.article_restore_version(article, first, by=bob, byline=True)
    article.refresh_from_db()
    assert article.editor is None


def test_the_versions_page_restores_the_byline_only_when_asked(client, alice, bob):
    article = ArticleFactory(author=alice.person, editor=None, body="First body.")
    first = article.history.latest()
    article.editor, article.body = bob.person, "Second body."
    services.article_save(article, by=bob, reason="Editor assigned")
    client.force_login(bob)
    url = f"/admin/articles/article/{article.pk}/versions/{first.history_id}/restore/"

    client.post(url)
    article.refresh_from_db()
    assert (article.body, article.editor) == ("First body.", bob.person)
    client.post(url, {"byline": "on"})
    article.refresh_from_db()
    assert article.editor is None
