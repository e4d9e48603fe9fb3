"""The page store works on any Django storage (django-storages' S3Storage in production behind a CDN):
here Django's in-memory one, which keeps an existing file rather than replace it unless told."""

import pytest

from articles import pages
from corrections import services as desk
from tests.factories import ArticleFactory
from tests.publishing import publish

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def memory_store(settings, page_store):
    settings.STORAGES = {
        **settings.STORAGES,
        "pages": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


def test_pages_are_stored_served_and_replaced_on_another_storage(client, memory_store, alice, bob, erin):
    article = publish(ArticleFactory(author=alice.person, editor=bob.person), author=alice, editor=bob)
    url = article.get_absolute_url()
    first = client.get(url)
    assert first["X-Page-Store"] == "hit"  # baked when it was published
    assert client.get(url, headers={"if-none-match": first["ETag"]}).status_code == 304
    body = article.live_version.body.replace("12 new homes", "14 new homes")
    desk.correction_publish(article, by=erin, body=body, kind="correction", note="It was 14.")
    after = client.get(url)
    assert (after["X-Page-Store"], after["ETag"] != first["ETag"]) == ("hit", True)
    assert "14 new homes" in after.content.decode()
    assert pages.read(url).etag == after["ETag"]
