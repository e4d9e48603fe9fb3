"""An article's topics and entities belong to its versions: saved with the text, compared, restored, and
shown to readers only as the version an editor published has them."""

import json

import pytest

from articles import services
from articles.diff import version_diff
from articles.models import Entity
from articles.services import ArticleActionError, EntityLine
from tests.factories import ArticleFactory, TopicFactory
from tests.publishing import publish

BODY = "The council approved 12 new homes in Leeds, the mayor said."


@pytest.fixture
def leeds(db):
    return Entity.objects.create(name="Leeds", slug="leeds", cluster="Places")


def names(version) -> tuple[list[str], list[tuple[str, str]]]:
    topics = sorted(topic.name for topic in version.listed_topics())
    rows = version.entities.select_related("entity")
    return topics, sorted((row.entity.name, row.description) for row in rows)


def json_ld(response) -> dict:
    return json.loads(
        response.content.decode().split('type="application/ld+json"')[1].split(">", 1)[1].split("<")[0]
    )


def test_each_version_keeps_the_topics_and_entities_it_was_saved_with(alice, bob, leeds):
    housing, transport = TopicFactory(name="Housing"), TopicFactory(name="Transport")
    article = ArticleFactory(author=alice.person, editor=bob.person, body=BODY)
    services.article_save(
        article, by=bob, reason="Filed", topics=[housing], entities=[EntityLine(leeds, "A city.")]
    )
    services.article_save(article, by=bob, reason="Refiled", topics=[transport], entities=[])
    v1, v2, v3 = article.history.order_by("number")
    assert names(v1) == ([], [])
    assert names(v2) == (["Housing"], [("Leeds", "A city.")])
    assert names(v3) == (["Transport"], [])
    assert article.history.count() == 3  # each save one version, its relations included


def test_saving_the_same_topics_and_entities_again_is_not_a_version(alice, bob, leeds):
    housing = TopicFactory(name="Housing")
    article = ArticleFactory(author=alice.person, editor=bob.person, body=BODY)
    services.article_save(
        article, by=bob, reason="Filed", topics=[housing], entities=[EntityLine(leeds, "A city.")]
    )
    versions = article.history.count()
    services.article_save(
        article, by=bob, reason="Again", topics=[housing], entities=[EntityLine(leeds, " A  city. ")]
    )
    assert article.history.count() == versions


def test_a_topic_on_a_live_articles_draft_is_an_unpublished_change_readers_do_not_see(
    client, published_article, alice
):
    housing = TopicFactory(name="Housing", slug="housing")
    services.article_save(published_article, by=alice, reason="Filed under housing", topics=[housing])
    published_article.refresh_from_db()
    assert published_article.has_unpublished_changes
    assert published_article.workflow_label == "Published, with unpublished changes"
    page = client.get(published_article.get_absolute_url())
    assert "Housing" not in page.content.decode()
    assert json_ld(page)["keywords"] == []
    assert client.get("/topics/housing/").status_code == 404


def test_an_entity_on_a_live_articles_draft_stays_off_the_page_and_its_hub(
    client, published_article, bob, leeds
):
    published_article.body += "\n\nIt is in Leeds."
    services.article_save(published_article, by=bob, reason="Leeds", entities=[EntityLine(leeds, "A city.")])
    assert "Leeds</a>" not in client.get(published_article.get_absolute_url()).content.decode()
    assert client.get("/entities/leeds/").status_code == 404


def test_restoring_a_version_brings_back_its_topics_and_entities(alice, bob, leeds):
    housing = TopicFactory(name="Housing")
    article = ArticleFactory(author=alice.person, editor=bob.person, body=BODY)
    services.article_save(
        article, by=bob, reason="Filed", topics=[housing], entities=[EntityLine(leeds, "A city.")]
    )
    filed = article.history.latest()
    services.article_save(article, by=bob, reason="Unfiled", topics=[], entities=[])
    services.article_restore_version(article, filed, by=alice)
    assert names(article.history.latest()) == (["Housing"], [("Leeds", "A city.")])
    assert [topic.name for topic in article.topics.all()] == ["Housing"]


def test_a_comparison_shows_what_changed_in_topics_and_entities(alice, bob, leeds):
    article = ArticleFactory(author=alice.person, editor=bob.person, body=BODY)
    before = article.history.latest()
    services.article_save(
        article,
        by=bob,
        reason="Filed",
        topics=[TopicFactory(name="Housing")],
        entities=[EntityLine(leeds, "")],
    )
    diffs = {diff.field: diff for diff in version_diff(before, article.history.latest())}
    assert diffs["topics"].changed and "<ins>Housing</ins>" in diffs["topics"].html
    assert diffs["entities"].changed and "Leeds" in diffs["entities"].html
    assert "not shown to readers" in diffs["entities"].html


def test_an_author_files_topics_but_entities_are_an_editors_call(alice, leeds):
    article = ArticleFactory(author=alice.person, body=BODY)
    services.article_save(article, by=alice, reason="Filed", topics=[TopicFactory(name="Housing")])
    versions = article.history.count()
    with pytest.raises(ArticleActionError, match="Only an editor can choose the entities"):
        services.article_save(article, by=alice, reason="Entities", entities=[EntityLine(leeds, "A city.")])
    assert article.history.count() == versions
    assert not article.article_entities.exists()


def test_publishing_puts_exactly_the_approved_topics_before_readers(client, published_article, alice, bob):
    housing = TopicFactory(name="Housing", slug="housing")
    publish(published_article, author=alice, editor=bob, topics=[housing])
    services.article_save(published_article, by=alice, reason="Unfiled", topics=[])
    page = client.get(published_article.get_absolute_url())
    assert json_ld(page)["keywords"] == ["Housing"]
    assert "Council approves homes" in client.get("/topics/housing/").content.decode()
