"""Readers see an entity with the description an editor published with the article; one without a
description is not shown, and an entity no live version shows has no public page."""

import pytest

from articles import services
from articles.models import Entity
from articles.services import EntityLine
from tests.factories import ArticleFactory
from tests.publishing import publish

BODY = "The council approved 12 new homes in Leeds, the mayor said."


@pytest.fixture
def leeds(db):
    return Entity.objects.create(name="Leeds", slug="leeds", cluster="Places")


@pytest.fixture
def article(alice, bob):
    return ArticleFactory(author=alice.person, editor=bob.person, title="New homes approved", body=BODY)


def entities_box(client, article) -> str:
    html = client.get(article.get_absolute_url()).content.decode()
    return (
        html.split('class="box entities"')[1].split("</section>")[0] if 'class="box entities"' in html else ""
    )


def test_an_entity_without_a_description_is_not_shown_until_an_editor_writes_one(
    client, article, alice, bob, leeds
):
    publish(article, author=alice, editor=bob, entities=[EntityLine(leeds, "")])
    assert entities_box(client, article) == ""
    assert client.get("/entities/leeds/").status_code == 404

    publish(article, author=alice, editor=bob, entities=[EntityLine(leeds, "A city in West Yorkshire.")])
    box = entities_box(client, article)
    assert "The article connects 1 named entity across 1 semantic cluster." in box
    assert '<a href="/entities/leeds/">Leeds</a>: A city in West Yorkshire.' in box
    hub = client.get("/entities/leeds/").content.decode()
    assert "A city in West Yorkshire." in hub and "New homes approved" in hub


def test_the_hub_says_what_the_newest_live_version_says(client, article, alice, bob, leeds):
    publish(article, author=alice, editor=bob, entities=[EntityLine(leeds, "A city.")])
    other = ArticleFactory(
        author=alice.person, editor=bob.person, title="Leeds trams", body="Trams in Leeds."
    )
    publish(other, author=alice, editor=bob, entities=[EntityLine(leeds, "A city in West Yorkshire.")])
    hub = client.get("/entities/leeds/").content.decode()
    assert "A city in West Yorkshire." in hub
    assert "New homes approved" in hub and "Leeds trams" in hub
    # A description edited in a draft is not public until published.
    services.article_save(other, by=bob, reason="Draft", entities=[EntityLine(leeds, "Draft description.")])
    assert "Draft description." not in client.get("/entities/leeds/").content.decode()


def test_a_correction_cannot_leave_an_entity_unmentioned_without_the_desk_agreeing(
    article, alice, bob, erin, leeds
):
    from corrections import services as desk

    publish(article, author=alice, editor=bob, entities=[EntityLine(leeds, "A city.")])
    cut = article.live_version.body.replace(" in Leeds", "")
    with pytest.raises(desk.CorrectionError, match="no longer mentions “Leeds”"):
        desk.correction_publish(
            article, by=erin, body=cut, kind="correction", note="The homes are in Bradford."
        )
    article.refresh_from_db()
    assert "in Leeds" in article.live_version.body

    desk.correction_publish(
        article,
        by=erin,
        body=cut,
        kind="correction",
        note="The homes are in Bradford.",
        drop_unmentioned=True,
    )
    article.refresh_from_db()
    assert "in Leeds" not in article.live_version.body
    assert article.live_version.entities.count() == 0
