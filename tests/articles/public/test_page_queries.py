"""The article page asks the database a fixed number of questions, however much the article carries."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import services
from articles.models import ArticleEntity, Entity
from editorial.models import Claim, Evidence
from tests.factories import ArticleFactory, CorrectionFactory, TopicFactory


def load(published_article, bob, n: int) -> None:
    """Give the live article n topics, entities, corrections and verified claims with a public source."""
    article, live = published_article, published_article.live_version
    article.topics.add(*[TopicFactory() for _ in range(n)])
    for i in range(n):
        entity = Entity.objects.create(name=f"Entity {n}-{i}", slug=f"entity-{n}-{i}", cluster=f"c{i % 3}")
        ArticleEntity.objects.create(article=article, entity=entity, accepted_by=bob)
        CorrectionFactory(article=article, note=f"Correction {i}.", from_version=live, to_version=live)
        claim = Claim.objects.create(
            article=article, version=live, text="The council", anchor_start=0, anchor_end=11,
            checkworthiness=0.9, status=Claim.Status.VERIFIED, created_by=bob,
        )  # fmt: skip
        Evidence.objects.create(
            claim=claim, url=f"https://example.org/{i}", title=f"Source {i}", public=True, added_by=bob
        )


def page_queries(client, article) -> int:
    client.get(article.get_absolute_url())  # warm what is cached per process
    with CaptureQueriesContext(connection) as queries:
        response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return len(queries)


def test_the_query_count_does_not_grow_with_what_the_article_carries(client, alice, bob):
    counts = {}
    for n in (0, 5, 50):
        article = ArticleFactory(author=alice.person, editor=bob.person, body="The council met.")
        services.article_submit(article, by=alice)
        services.article_approve(article, by=bob)
        services.article_publish(article, by=bob)
        load(article, bob, n)
        counts[n] = page_queries(client, article)
    assert counts[0] == counts[5] == counts[50], counts
