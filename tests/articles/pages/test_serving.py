"""Published pages are answered from the page store: no database work per request, 304 for a current
ETag, the precompressed variant the reader accepts, the headers a CDN needs."""

import gzip
import json

import brotli
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import pages


@pytest.fixture
def url(published_article, page_store):
    return published_article.get_absolute_url()


def test_a_published_page_is_answered_from_the_store_without_the_database(client, url):
    first = client.get(url)
    assert (first.status_code, first["X-Page-Store"]) == (200, "miss")
    with CaptureQueriesContext(connection) as queries:
        second = client.get(url)
    assert (second.status_code, second["X-Page-Store"]) == (200, "hit")
    assert len(queries) == 0
    assert second.content == first.content
    assert "Council approves homes" in second.content.decode()


def test_a_logged_in_editor_gets_the_same_public_page(client, url, bob):
    public = client.get(url)
    client.force_login(bob)
    assert client.get(url).content == public.content


def test_a_current_etag_gets_304(client, url):
    etag = client.get(url)["ETag"]
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304
    assert client.get(url, headers={"if-none-match": 'W/"something-else"'}).status_code == 200


VARIANTS = [
    ("gzip", "gzip", gzip.decompress),
    ("gzip, deflate, br", "br", brotli.decompress),
    ("br;q=0, gzip", "gzip", gzip.decompress),
]


@pytest.mark.parametrize(("accept", "encoding", "decode"), VARIANTS)
def test_a_reader_gets_the_precompressed_variant_they_accept(client, url, accept, encoding, decode):
    plain = client.get(url).content
    response = client.get(url, headers={"accept-encoding": accept})
    assert response["Content-Encoding"] == encoding
    assert decode(response.content) == plain
    assert int(response["Content-Length"]) == len(response.content) < len(plain)
    assert response["Vary"] == "Accept-Encoding"


def test_head_answers_the_headers_without_the_body(client, url):
    get = client.get(url)
    head = client.head(url)
    assert (head.status_code, head.content, head["ETag"]) == (200, b"", get["ETag"])


def test_the_stored_page_carries_the_security_and_cache_headers(client, url, published_article):
    response = client.get(url)
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "nonce" not in csp and "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY" and response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "public, max-age=60, s-maxage=600, stale-while-revalidate=86400"
    assert "Set-Cookie" not in response and response.cookies == {}
    keys = response["Surrogate-Key"].split()
    assert f"article-{published_article.pk}" in keys
    assert {f"person-{published_article.author_id}", f"person-{published_article.editor_id}"} <= set(keys)
    assert response["Last-Modified"]


def test_tracking_parameters_get_the_same_page_and_later_pages_of_a_list_are_not_stored(client, url):
    client.get(url)
    assert client.get(url + "?utm_source=newsletter")["X-Page-Store"] == "hit"
    assert client.get("/?page=1")["X-Page-Store"] in ("hit", "miss")
    assert "X-Page-Store" not in client.get("/?page=2")


def test_only_pages_of_baked_routes_are_stored(client, url, published_article):
    form = client.get(f"{url}corrections/new/")
    assert form.status_code == 200 and "X-Page-Store" not in form
    assert "X-Page-Store" not in client.get("/articles/no-such-article/")
    assert pages.read("/articles/no-such-article/") is None
    assert "X-Page-Store" not in client.get("/healthz")


def test_the_same_snapshot_bakes_the_same_bytes_and_etag(client, url):
    first = client.get(url)
    assert pages.bake([url]) == []  # nothing changed: nothing rewritten, nothing purged
    again = client.get(url)
    assert (again.content, again["ETag"], again["Last-Modified"]) == (
        first.content,
        first["ETag"],
        first["Last-Modified"],
    )


def test_the_json_ld_of_the_stored_page_names_the_site_url(client, url, settings):
    data = client.get(url).content.decode().split('type="application/ld+json">')[1].split("</script>")[0]
    assert json.loads(data)["url"] == f"{settings.SITE_URL}{url}"
