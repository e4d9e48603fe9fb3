"""The workflow pages of the admin: actions, versions, comparisons, restore, notes, the review queue."""

import pytest
from django.urls import reverse

from articles import services
from articles.models import Article, ReviewNote
from tests.factories import ArticleFactory


@pytest.fixture
def draft(alice, bob):
    article = ArticleFactory(author=alice.person, editor=bob.person, title="Bridge repairs", body="Old text.")
    article.body = "New text."
    article.save()
    return article


def url(name: str, article: Article, *args) -> str:
    return reverse(f"admin:articles_article_{name}", args=[article.pk, *args])


def test_it_submits_from_the_workflow_page(client, alice, draft):
    client.force_login(alice)
    page = client.get(url("workflow", draft, "submit"))
    assert page.status_code == 200
    assert "<del>Old</del><ins>New</ins> text." in page.content.decode()  # against the first draft

    response = client.post(url("workflow", draft, "submit"), {"note": "Ready when you are."})

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Article.Status.IN_REVIEW
    assert draft.transitions.get().note == "Ready when you are."


def test_it_requires_a_note_to_request_changes(client, alice, bob, draft):
    services.article_submit(draft, by=alice)
    client.force_login(bob)
    response = client.post(url("workflow", draft, "request_changes"), {"note": "  "})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert Article.objects.get(pk=draft.pk).status == Article.Status.IN_REVIEW


def test_it_shows_a_refusal_instead_of_acting(client, alice, draft):
    client.force_login(alice)
    response = client.post(url("workflow", draft, "approve"), {"note": ""})
    assert response.status_code == 403
    assert "Only an editor can approve articles." in response.content.decode()
    assert Article.objects.get(pk=draft.pk).status == Article.Status.DRAFT


def test_it_answers_404_for_an_unknown_action(client, bob, draft):
    client.force_login(bob)
    assert client.get(url("workflow", draft, "delete_everything")).status_code == 404


def test_it_shows_the_workflow_panel_with_the_allowed_buttons(client, alice, bob, draft):
    services.article_submit(draft, by=alice)
    services.article_request_changes(draft, by=bob, note="Add the council's budget figure.")
    client.force_login(alice)
    html = client.get(url("change", draft)).content.decode()
    assert "Changes requested" in html
    assert "Add the council&#x27;s budget figure." in html
    assert url("workflow", draft, "submit") in html
    assert url("workflow", draft, "approve") not in html


def test_it_lists_versions_with_pages(client, alice, draft, django_assert_max_num_queries):
    for i in range(60):
        draft.body = f"Revision {i}."
        draft.save()
    client.force_login(alice)
    with django_assert_max_num_queries(15):
        first = client.get(url("versions", draft))
    assert first.status_code == 200
    assert "Page 1 of 2 (62 versions)" in first.content.decode()
    assert "Page 2 of 2" in client.get(url("versions", draft) + "?page=2").content.decode()


def test_it_compares_any_two_versions(client, alice, draft):
    old, new = draft.history.order_by("history_date")
    client.force_login(alice)
    # Versions are named by their number within the article.
    assert (old.label, new.label) == ("v1", "v2")
    response = client.get(url("compare", draft) + "?from=1&to=v2")
    assert "<del>Old</del><ins>New</ins> text." in response.content.decode()
    assert client.get(url("compare", draft) + "?from=999999").status_code == 404
    assert client.get(url("compare", draft) + "?from=abc").status_code == 404


def test_it_restores_a_version_on_post_only(client, alice, draft):
    old = draft.history.earliest()
    client.force_login(alice)
    assert client.get(url("restore", draft, old.history_id)).status_code == 405
    response = client.post(url("restore", draft, old.history_id))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.body == "Old text."


def test_it_adds_review_notes(client, bob, draft):
    client.force_login(bob)
    client.post(url("note", draft), {"note-body": "Check the contractor's name."})
    note = ReviewNote.objects.get(article=draft)
    assert (note.by, note.version, note.kind) == (bob, draft.history.latest(), "comment")


@pytest.mark.parametrize(
    ("name", "args", "method"),
    [
        ("change", [], "get"),
        ("versions", [], "get"),
        ("compare", [], "get"),
        ("workflow", ["submit"], "get"),
        ("workflow", ["submit"], "post"),
        ("restore", ["first"], "post"),
        ("note", [], "post"),
        ("history", [], "get"),
    ],
)
def test_it_keeps_another_author_out_of_every_article_page(client, dave, draft, name, args, method):
    args = [draft.history.earliest().history_id if a == "first" else a for a in args]
    client.force_login(dave)
    response = getattr(client, method)(url(name, draft, *args), {"note-body": "x", "note": "x"})
    assert response.status_code in (302, 403, 404)
    assert "New text." not in response.content.decode()
    draft.refresh_from_db()
    assert (draft.status, draft.body, draft.review_notes.count()) == ("draft", "New text.", 0)


def test_it_lists_my_review_queue_oldest_first(client, alice, bob, dave):
    first = ArticleFactory(author=alice.person, editor=bob.person, title="Submitted first")
    second = ArticleFactory(author=dave.person, editor=bob.person, title="Submitted second")
    other = ArticleFactory(author=dave.person, editor=None, title="Nobody assigned")
    for article, author in [(first, alice), (second, dave), (other, dave)]:
        services.article_submit(article, by=author)

    client.force_login(bob)
    html = client.get("/admin/articles/reviewqueue/").content.decode()
    assert html.index("Submitted first") < html.index("Submitted second")
    assert "Nobody assigned" not in html
    assert "Nobody assigned" in client.get("/admin/articles/reviewqueue/?assigned=none").content.decode()


def test_it_keeps_the_review_queue_from_authors(client, alice):
    client.force_login(alice)
    assert client.get("/admin/articles/reviewqueue/").status_code == 403


def test_it_schedules_from_the_form(client, alice, bob, draft):
    services.article_submit(draft, by=alice)
    services.article_approve(draft, by=bob)
    client.force_login(bob)
    past = client.post(url("workflow", draft, "schedule"), {"when": "2001-01-01T09:00"})
    assert "Choose a time in the future" in past.content.decode()

    response = client.post(url("workflow", draft, "schedule"), {"when": "2099-05-04T09:30"})

    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.scheduled_for.isoformat()) == ("scheduled", "2099-05-04T09:30:00+00:00")
