"""The gate's "every listed entity is named in the text": as the text reads, not as it is typed."""

import pytest

from articles import gate, services
from articles.models import Entity
from tests.factories import ArticleFactory


@pytest.fixture
def article(alice, bob):
    return ArticleFactory(author=alice.person, editor=bob.person)


def named(article, bob, *, body: str, name: str, aliases=()) -> list[str]:
    article.body = body
    entity = Entity.objects.create(name=name, slug=name.lower().replace(" ", "-"), aliases=list(aliases))
    services.article_save(article, by=bob, reason="Entity", entities=[services.EntityLine(entity)])
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


def test_it_checks_the_entities_of_the_version_going_live_not_the_draft(alice, bob):
    article = ArticleFactory(author=alice.person, editor=bob.person, body="Homes in Leeds.")
    leeds = Entity.objects.create(name="Leeds", slug="leeds")
    york = Entity.objects.create(name="York", slug="york")
    services.article_save(article, by=bob, reason="Leeds", entities=[services.EntityLine(leeds, "A city.")])
    services.article_submit(article, by=alice)
    services.article_approve(article, by=bob)
    # An entity the approved text never names, on the draft only: not what publishing puts live.
    services.article_save(article, by=bob, reason="York", entities=[services.EntityLine(york, "A city.")])
    assert gate.problems(article) == []
    services.article_publish(article, by=bob)
    assert article.live_version.entities.get().entity == leeds
    # And the other way round: the approved version lists York; dropping it from the draft does not help.
    services.article_submit(article, by=alice)
    services.article_approve(article, by=bob)
    services.article_save(article, by=bob, reason="No York", entities=[])
    assert [p.message for p in gate.problems(article)] == [
        "“York” is listed among the entities but the text never mentions it: mention it, or remove it under "
        "“Entities in the article” and approve again."
    ]
