"""`manage.py bake_pages`, run on deploy: every page for this build, or the front pages only; and the
pages of earlier builds removed."""

from io import StringIO

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command

from articles import pages
from tests.factories import ArticleFactory
from tests.publishing import publish


def test_it_bakes_every_page_and_prunes_earlier_builds(published_article, page_store, alice, bob):
    storages["pages"].save("an-earlier-build/ab/abc.page", ContentFile(b"old"))
    older = publish(ArticleFactory(author=alice.person, editor=bob.person), author=alice, editor=bob)
    out = StringIO()
    call_command("bake_pages", "--prune", stdout=out)
    for path in (
        "/",
        "/feed/",
        "/sitemap.xml",
        published_article.get_absolute_url(),
        older.get_absolute_url(),
    ):
        assert pages.read(path) is not None, path
    assert "Removed 1 files of earlier builds." in out.getvalue()
    assert not storages["pages"].exists("an-earlier-build/ab/abc.page")


def test_it_bakes_the_most_recent_articles_only_when_asked(published_article, page_store, alice, bob):
    newest = publish(ArticleFactory(author=alice.person, editor=bob.person), author=alice, editor=bob)
    call_command("bake_pages", "--recent", "1", stdout=StringIO())
    assert pages.read(newest.get_absolute_url()) is not None
    assert pages.read(published_article.get_absolute_url()) is None
    assert pages.read("/policies/corrections-policy/") is not None
