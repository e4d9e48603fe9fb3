from articles import services
from tests.factories import ArticleFactory


def test_it_records_a_version_for_every_save(alice):
    article = ArticleFactory(author=alice.person, body="One.")
    article.body = "Two."
    article.save()
    article.body = "Three."
    article.save()
    assert [v.body for v in article.history.order_by("history_date")] == ["One.", "Two.", "Three."]


def test_it_records_who_acted_and_why(alice, bob):
    article = ArticleFactory(author=alice.person, editor=bob.person)
    services.article_submit(article, by=alice)
    services.article_approve(article, by=bob, note="Figures checked")
    services.article_publish(article, by=bob)
    versions = article.history.order_by("history_date")[1:]
    assert [(v.history_user, v.history_change_reason, v.status) for v in versions] == [
        (alice, "Submitted for review", "in_review"),
        (bob, "Approved: Figures checked", "approved"),
        (bob, "Published", "published"),
    ]


def test_it_points_the_live_version_at_the_approved_snapshot(published_article):
    approved = published_article.history.get(history_change_reason="Approved")
    assert published_article.live_version == published_article.approved_version == approved
    assert published_article.history.count() == 4  # created, submitted, approved, published


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
