from articles import services


def republish(article, body, alice, bob, **kwargs):
    article.body = body
    article.save()
    services.article_submit(article, by=alice)
    services.article_approve(article, by=bob)
    services.article_publish(article, by=bob, **kwargs)


def test_it_lists_each_live_version_with_its_diff(client, published_article, alice, bob):
    original = published_article.body
    republish(published_article, original.replace("12 new homes", "14 new homes"), alice, bob)

    response = client.get(f"/articles/{published_article.slug}/changes/")
    html = response.content.decode()

    assert response.status_code == 200
    assert html.count('<section class="change"') == 2
    assert "<del>12</del><ins>14</ins>" in html
    assert html.index("Updated") < html.index("First published")


def test_it_hides_changes_never_published(client, published_article):
    published_article.body = "A draft nobody approved."
    published_article.save()
    html = client.get(f"/articles/{published_article.slug}/changes/").content.decode()
    assert "A draft nobody approved." not in html


def test_it_answers_404_for_articles_not_live(client, alice):
    from tests.factories import ArticleFactory

    draft = ArticleFactory(author=alice.person)
    assert client.get(f"/articles/{draft.slug}/changes/").status_code == 404
