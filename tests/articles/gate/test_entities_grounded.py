"""The gate's "every listed entity is named in the text": as the text reads, not as it is typed."""

import pytest

from articles import gate
from articles.models import ArticleEntity, Entity
from articles.versions import save_version
from tests.factories import ArticleFactory


@pytest.fixture
def article(alice, bob):
    return ArticleFactory(author=alice.person, editor=bob.person)


def named(article, bob, *, body: str, name: str, aliases=()) -> list[str]:
    article.body = body
    save_version(article, by=bob)
    entity = Entity.objects.create(name=name, slug=name.lower().replace(" ", "-"), aliases=list(aliases))
    ArticleEntity.objects.create(article=article, entity=entity, accepted_by=bob)
    article.approved_version = article.history.latest()
    return [problem.message for problem in gate.entities_grounded(article)]


@pytest.mark.parametrize(
    "body",
    [
        "A lecture on Ada Lovelace.",
        "A lecture on ada lovelace.",
        "A lecture on Ada\nLovelace, the mathematician.",
        "A lecture on *Ada* Lovelace.",
        "A lecture on [Ada Lovelace](https://example.org/ada).",
        "A lecture on Ada\u00a0Lovelace.",
    ],
)
def test_it_finds_a_name_however_the_text_sets_it(article, bob, body):
    assert named(article, bob, body=body, name="Ada Lovelace") == []


def test_it_finds_a_name_with_a_typographic_apostrophe(article, bob):
    assert named(article, bob, body="Mr O'Brien spoke.", name="Seán O’Brien", aliases=["O’Brien"]) == []


@pytest.mark.parametrize("body", ["Adam spoke first.", "The Adaptation prize.", "Lovelace_Ada"])
def test_it_wants_the_whole_word(article, bob, body):
    assert named(article, bob, body=body, name="Ada") != []
