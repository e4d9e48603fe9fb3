"""The article page asks the database a fixed number of questions, however much the article carries."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import services
from articles.models import Entity
from articles.versions import save_version
from editorial.models import Claim, Evidence
from tests.factories import ArticleFactory, CorrectionFactory, TopicFactory
from tests.publishing import publish


def article_carrying(alice, bob, n: int):
    """A live article with n versions, topics, entities (named in its text, described), verified claims
    with a public source each, and corrections."""
    names = [f"Entity{n}x{i}" for i in range(n)]
    article = ArticleFactory(
        author=alice.person, editor=bob.person, body="The council met. " + " ".join(names)
    )
    for i in range(n):
        article.dek = f"Standfirst {i}"
        services.article_save(article, by=alice, reason=f"Edit {i}")
    entities = [
        Entity.objects.create(name=name, slug=name.lower(), cluster=f"c{i % 3}")
        for i, name in enumerate(names)
    ]
    lines = [services.EntityLine(entity, f"Description {entity.name}.") for entity in entities]
    services.article_save(
        article, by=bob, reason="Filed", topics=[TopicFactory() for _ in range(n)], entities=lines
    )
    for i in range(n):
        claim = save_version(
            Claim(
                article=article, version=article.history.latest(), text="The council", anchor_start=0,
                anchor_end=11, checkworthiness=0.9, status=Claim.Status.VERIFIED, created_by=bob,
            ),
            by=bob,
        )  # fmt: skip
        evidence = Evidence(claim=claim, url=f"https://example.org/{i}", title=f"Source {i}", public=True)
        evidence.added_by, evidence.link_status = bob, Evidence.LinkStatus.OK
        save_version(evidence, by=bob)
    publish(article, author=alice, editor=bob)
    live = article.live_version
    for i in range(n):
        CorrectionFactory(article=article, note=f"Correction {i}.", from_version=live, to_version=live)
    return article


def page_queries(client, article, n: int) -> int:
    client.get(article.get_absolute_url())  # warm what is cached per process
    with CaptureQueriesContext(connection) as queries:
        response = client.get(article.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    # The page really shows what the article carries.
    assert html.count("Description Entity") == n
    assert html.count('href="/topics/') == n
    assert html.count("https://example.org/") == n
    assert html.count("Correction ") >= n
    return len(queries)


def test_the_query_count_does_not_grow_with_what_the_article_carries(client, alice, bob):
    counts = {n: page_queries(client, article_carrying(alice, bob, n), n) for n in (0, 5, 50)}
    assert counts[0] == counts[5] == counts[50], counts
