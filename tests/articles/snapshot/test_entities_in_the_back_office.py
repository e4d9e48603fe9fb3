"""Editors add, describe and remove an article's entities on its change form, as part of the working
copy: one save, one version. Authors see them and cannot change them."""

import pytest

from articles import services
from articles.models import Entity
from tests.admin_forms import no_inline_changes
from tests.factories import ArticleFactory

BODY = "The council approved 12 new homes in Leeds, the mayor said."


@pytest.fixture
def article(alice, bob):
    return ArticleFactory(author=alice.person, editor=bob.person, title="Homes", slug="homes", body=BODY)


@pytest.fixture
def leeds(db):
    return Entity.objects.create(name="Leeds", slug="leeds", cluster="Places")


def change_url(article) -> str:
    return f"/admin/articles/article/{article.pk}/change/"


def form(article, **extra) -> dict:
    return {
        "title": article.title,
        "slug": article.slug,
        "dek": article.dek,
        "body": article.body,
        "seo_description": "",
        "author": article.author_id,
        "editor": article.editor_id,
        "change_note": "Entities",
        **extra,
    }


def rows(*lines, initial=0) -> dict:
    data = {
        "article_entities-TOTAL_FORMS": str(len(lines)),
        "article_entities-INITIAL_FORMS": str(initial),
        "article_entities-MIN_NUM_FORMS": "0",
        "article_entities-MAX_NUM_FORMS": "1000",
    }
    for i, line in enumerate(lines):
        data |= {f"article_entities-{i}-{key}": value for key, value in line.items()}
    return data


def test_an_editor_adds_an_entity_with_its_description_as_one_version(client, article, bob, leeds):
    client.force_login(bob)
    versions = article.history.count()
    response = client.post(
        change_url(article), form(article, **rows({"entity": leeds.pk, "description": "A city in England."}))
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert article.history.count() == versions + 1
    version = article.history.latest()
    assert [(row.entity_id, row.description) for row in version.entities.all()] == [
        (leeds.pk, "A city in England.")
    ]


def test_an_editor_rewrites_and_removes_entities(client, article, bob, leeds):
    services.article_save(article, by=bob, reason="Leeds", entities=[services.EntityLine(leeds, "A city.")])
    link = article.article_entities.get()
    client.force_login(bob)
    described = {
        "id": link.pk,
        "article": article.pk,
        "entity": leeds.pk,
        "description": "A city in Yorkshire.",
    }
    client.post(change_url(article), form(article, **rows(described, initial=1)))
    assert article.article_entities.get().description == "A city in Yorkshire."
    client.post(change_url(article), form(article, **rows({**described, "DELETE": "on"}, initial=1)))
    assert not article.article_entities.exists()
    assert [v.entities.count() for v in article.history.order_by("number")] == [0, 1, 1, 0]


def test_a_form_that_does_not_carry_the_entities_leaves_them_as_they_are(client, article, bob, leeds):
    services.article_save(article, by=bob, reason="Leeds", entities=[services.EntityLine(leeds, "A city.")])
    client.force_login(bob)
    client.post(change_url(article), form(article, body=BODY + " More.", **no_inline_changes()))
    assert [(row.entity_id, row.description) for row in article.history.latest().entities.all()] == [
        (leeds.pk, "A city.")
    ]


def test_an_author_sees_the_entities_and_cannot_change_them(client, article, alice, bob, leeds):
    services.article_save(article, by=bob, reason="Leeds", entities=[services.EntityLine(leeds, "A city.")])
    client.force_login(alice)
    html = client.get(change_url(article)).content.decode()
    assert "Leeds" in html and "A city." in html
    assert 'name="article_entities-0-description"' not in html  # read only
    client.post(change_url(article), form(article, **rows({"entity": leeds.pk, "description": "Hijacked."})))
    assert article.article_entities.get().description == "A city."
