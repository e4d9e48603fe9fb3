from articles import services
from tests.admin_forms import no_inline_changes
from tests.factories import ArticleFactory


def test_it_records_a_version_for_every_save(alice):
    article = ArticleFactory(author=alice.person, body="One.")
    article.body = "Two."
    article.save()
    article.body = "Three."
    article.save()
    assert [v.body for v in article.history.order_by("history_date")] == ["One.", "Two.", "Three."]


def test_it_records_workflow_moves_as_transitions_not_versions(alice, bob):
    article = ArticleFactory(author=alice.person, editor=bob.person)
    created = article.history.get()
    services.article_submit(article, by=alice)
    services.article_approve(article, by=bob, note="Figures checked")
    services.article_publish(article, by=bob)
    moves = article.transitions.order_by("at", "pk")
    assert [(t.by, t.to_status, t.note, t.version) for t in moves] == [
        (alice, "in_review", "", created),
        (bob, "approved", "Figures checked", created),
        (bob, "published", "", created),
    ]
    assert list(article.history.all()) == [created]


def test_it_points_the_live_version_at_the_approved_snapshot(published_article):
    created = published_article.history.get()
    assert published_article.live_version == published_article.approved_version == created
    assert created.label == "v1"


def test_it_numbers_each_articles_versions_from_one(alice, dave):
    first, second = ArticleFactory(author=alice.person), ArticleFactory(author=dave.person)
    for body in ("Two.", "Three."):
        first.body = body
        services.article_save(first, by=alice, reason="Edited")
    second.body = "Two."
    services.article_save(second, by=dave, reason="Edited")
    assert [v.label for v in first.history.order_by("history_date", "history_id")] == ["v1", "v2", "v3"]
    assert [v.label for v in second.history.order_by("history_date", "history_id")] == ["v1", "v2"]


def test_it_keeps_versions_diffable(alice):
    article = ArticleFactory(author=alice.person, title="Old headline", body="Old body.")
    article.title = "New headline"
    article.save()
    new, old = article.history.order_by("-history_date")[:2]
    delta = new.diff_against(old, excluded_fields=["body_html"])
    assert [(c.field, c.old, c.new) for c in delta.changes] == [("title", "Old headline", "New headline")]


def test_it_records_the_admin_user_and_change_note(client, alice):
    article = ArticleFactory(author=alice.person, title="Draft", slug="draft", body="Old.")
    client.force_login(alice)
    response = client.post(
        f"/admin/articles/article/{article.pk}/change/",
        {
            "title": "Draft",
            "slug": "draft",
            "body": "New.",
            "dek": "",
            "seo_description": "",
            "change_note": "Tightened the lede",
            **no_inline_changes(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    version = article.history.latest()
    assert (version.body, version.history_user, version.history_change_reason) == (
        "New.",
        alice,
        "Tightened the lede",
    )


def test_it_names_an_admin_edit_without_a_note(client, alice):
    article = ArticleFactory(author=alice.person, title="Draft", slug="draft")
    client.force_login(alice)
    client.post(
        f"/admin/articles/article/{article.pk}/change/",
        {
            "title": "Draft 2",
            "slug": "draft",
            "body": "x",
            "dek": "",
            "seo_description": "",
            "change_note": "",
            **no_inline_changes(),
        },
    )
    assert article.history.latest().history_change_reason == "Edited"


def test_a_save_that_changes_nothing_is_not_a_version(alice):
    from tests.factories import ArticleFactory

    article = ArticleFactory(author=alice.person, body="The council met.")
    versions = article.history.count()
    article.body = "The council met.\r\n"  # the same text, as a browser sends it
    services.article_save(article, by=alice, reason="Saved again")
    assert article.history.count() == versions
    article.body = "The council met twice."
    services.article_save(article, by=alice, reason="Edited")
    assert article.history.count() == versions + 1
