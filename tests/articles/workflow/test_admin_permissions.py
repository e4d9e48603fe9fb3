"""Who may reach an article through the admin: author A, author B, an editor, a checker, a reader."""

import pytest

from tests.admin_forms import no_inline_changes
from tests.factories import ArticleFactory

ALLOWED, DENIED, LOGIN = "allowed", "denied", "login"


@pytest.fixture
def article(alice):
    article = ArticleFactory(author=alice.person, title="Housing plan draft", body="First draft.")
    article.body = "Second draft."
    article.save()
    return article


def pages(article) -> dict[str, str]:
    version = article.history.earliest()
    base = f"/admin/articles/article/{article.pk}"
    return {
        "change": f"{base}/change/",
        "history": f"{base}/history/",
        "version": f"{base}/history/{version.history_id}/",
    }


def outcome(response) -> str:
    if response.status_code == 200:
        return ALLOWED
    if response.status_code == 302 and "/login/" in response.headers["Location"]:
        return LOGIN
    # 403, or the admin's redirect to its index for an object outside the user's queryset.
    assert response.status_code in (302, 403, 404), response.status_code
    return DENIED


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("alice", ALLOWED),  # the author
        ("dave", DENIED),  # another author
        ("bob", ALLOWED),  # an editor
        ("carol", ALLOWED),  # a fact-checker reads every article
        ("erin", ALLOWED),  # the corrections desk too
        (None, LOGIN),  # a reader
    ],
)
@pytest.mark.parametrize("page", ["change", "history", "version"])
def test_it_lets_only_the_right_people_reach_an_article(client, article, request, persona, expected, page):
    if persona:
        client.force_login(request.getfixturevalue(persona))
    assert outcome(client.get(pages(article)[page])) == expected


def test_it_lists_only_the_authors_own_articles(client, article, dave):
    own = ArticleFactory(author=dave.person, title="Transit budget story")
    client.force_login(dave)
    html = client.get("/admin/articles/article/").content.decode()
    assert own.title in html
    assert article.title not in html


def test_it_lists_every_article_for_an_editor(client, article, bob):
    client.force_login(bob)
    assert article.title in client.get("/admin/articles/article/").content.decode()


def test_it_refuses_changes_from_another_author(client, article, dave):
    client.force_login(dave)
    response = client.post(pages(article)["change"], {"title": "Hijacked", "slug": article.slug})
    assert outcome(response) == DENIED
    article.refresh_from_db()
    assert article.title != "Hijacked"


def test_it_shows_a_checker_the_article_read_only(client, article, carol):
    client.force_login(carol)
    response = client.post(pages(article)["change"], {"title": "Changed by a checker", "slug": article.slug})
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.title != "Changed by a checker"


def test_it_saves_an_authors_new_article_under_their_own_name(client, alice, dave):
    client.force_login(alice)
    response = client.post(
        "/admin/articles/article/add/",
        {
            "title": "New story",
            "slug": "new-story",
            "body": "Text.",
            "author": dave.person.pk,
            "change_note": "First draft",
            **no_inline_changes(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article = alice.person.articles.get(slug="new-story")
    version = article.history.get()
    assert (version.history_user, version.history_change_reason) == (alice, "First draft")
