import pytest

from articles import services
from articles.models import Article
from articles.services import ArticleActionError
from tests.factories import ArticleFactory


def test_it_refuses_to_publish_without_a_responsible_editor(alice, bob):
    article = ArticleFactory(author=alice.person, editor=None)
    services.article_submit(article, by=alice)
    services.article_approve(article, by=bob)
    with pytest.raises(ArticleActionError, match="names no responsible editor"):
        services.article_publish(article, by=bob)
    article.refresh_from_db()
    assert (article.status, article.live_version) == (Article.Status.APPROVED, None)


def test_it_refuses_to_publish_an_unapproved_draft(alice, bob):
    article = ArticleFactory(author=alice.person, editor=bob.person)
    with pytest.raises(ArticleActionError, match="is draft: you cannot publish now it now"):
        services.article_publish(article, by=bob)


def test_it_refuses_authors_the_editors_actions(alice, bob):
    article = ArticleFactory(author=alice.person, editor=bob.person)
    services.article_submit(article, by=alice)
    with pytest.raises(ArticleActionError, match="Only an editor can approve articles"):
        services.article_approve(article, by=alice)


def test_it_lets_only_the_author_or_an_editor_submit(alice, dave):
    article = ArticleFactory(author=alice.person)
    with pytest.raises(ArticleActionError, match="Only the article's author or an editor"):
        services.article_submit(article, by=dave)
    assert Article.objects.get(pk=article.pk).status == Article.Status.DRAFT
