"""Readers see exactly the version an editor approved and published."""

from articles import services
from articles.models import Article
from articles.versions import save_version


def edit(article: Article, body: str, user) -> None:
    article.body = body
    save_version(article, by=user)


def test_it_keeps_edits_off_the_live_page_until_republished(client, published_article, alice, bob):
    edit(published_article, "The council approved 14 homes.", alice)
    assert "14 homes" not in client.get(published_article.get_absolute_url()).content.decode()
    assert published_article.workflow_label == "Published, with unpublished changes"

    services.article_submit(published_article, by=alice)
    services.article_approve(published_article, by=bob)
    assert "14 homes" not in client.get(published_article.get_absolute_url()).content.decode()

    services.article_publish(published_article, by=bob)
    assert "14 homes" in client.get(published_article.get_absolute_url()).content.decode()
    assert published_article.workflow_label == "Published"


def test_it_publishes_the_approved_version_not_later_edits(client, alice, bob):
    from tests.factories import ArticleFactory

    article = ArticleFactory(author=alice.person, editor=bob.person, body="Approved text.")
    services.article_submit(article, by=alice)
    services.article_approve(article, by=bob)
    edit(article, "Sneaked in after approval.", alice)

    services.article_publish(article, by=bob)

    html = client.get(article.get_absolute_url()).content.decode()
    assert "Approved text." in html
    assert "Sneaked in" not in html
    assert article.has_unpublished_changes


def test_it_keeps_the_article_live_while_its_changes_are_reviewed(client, published_article, alice, bob):
    edit(published_article, "Revised.", alice)
    services.article_submit(published_article, by=alice)
    services.article_request_changes(published_article, by=bob, note="Not yet.")
    response = client.get(published_article.get_absolute_url())
    assert response.status_code == 200
    assert "Revised." not in response.content.decode()


def test_it_takes_an_unpublished_article_off_the_site(client, published_article, bob):
    services.article_unpublish(published_article, by=bob, reason="Legal review")
    response = client.get(published_article.get_absolute_url())
    assert response.status_code == 410  # a notice stands at its address, not the article
    assert "Legal review" in response.content.decode()
    assert published_article.body not in response.content.decode()
    assert published_article.transitions.last().note == "Legal review"


def test_it_does_not_move_the_updated_date_on_a_plain_republication(published_article, alice, bob):
    edit(published_article, "Typo fixed.", alice)
    services.article_submit(published_article, by=alice)
    services.article_approve(published_article, by=bob)
    services.article_publish(published_article, by=bob)
    assert published_article.updated_at is None


def test_it_moves_the_updated_date_for_a_substantive_update(client, published_article, alice, bob):
    edit(published_article, "The council approved 40 homes after a second vote.", alice)
    services.article_submit(published_article, by=alice)
    services.article_approve(published_article, by=bob)
    services.article_publish(
        published_article, by=bob, update_note="A second vote raised the number of homes."
    )

    assert published_article.updated_at is not None
    html = client.get(published_article.get_absolute_url()).content.decode()
    assert 'class="updated"' in html
    changes = client.get(f"/articles/{published_article.slug}/changes/").content.decode()
    assert "A second vote raised the number of homes." in changes
