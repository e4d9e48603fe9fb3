"""The page store: each public page is rendered once, when something it shows changes, and served from
the top of the stack with no database, cache or session work.

- `baked(view)` marks a route whose pages are stored (each part's urls.py marks its own).
- `bake(paths)` renders each path through the whole middleware stack as an anonymous reader of SITE_URL
  gets it, and stores it with gzip and brotli variants, its ETag and Last-Modified when it is a 200 of a
  baked route; otherwise it removes what was stored. One path at a time, under a lock, reading only what
  is committed: a bake that waited renders what the one before it committed, so the last write wins with
  the newest state.
- `bake_on_commit(paths)` does that once the current transaction commits, before the action returns.
- `PageStoreMiddleware` answers GET and HEAD from the store; a miss on a baked route bakes it first.

Pages are stored under the build id (templates, static files, code, the settings pages show): a deployment
starts a new set, which `manage.py bake_pages` fills (or the first reader of each page).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import logging
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial, wraps
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import brotli
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, storages
from django.core.handlers.base import BaseHandler
from django.core.handlers.wsgi import WSGIRequest
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.urls import Resolver404, resolve, reverse
from django.utils.http import http_date, parse_etags

from articles import hooks

log = logging.getLogger(__name__)

BAKING = "newsroom.baking"  # set in the environ of the internal request that renders a page
VARIANTS = ("br", "gzip", "identity")
_SUFFIX = {"identity": "page", "gzip": "page.gz", "br": "page.br"}
_COMPRESSIBLE = ("text/", "application/xml", "application/rss+xml", "application/json", "application/ld+json")
# Headers of the rendered response that are not the page's: the store sets its own, or they belong to
# the one request that rendered it.
_NOT_STORED = {
    "set-cookie", "vary", "date", "content-length", "expires", "cache-control", "last-modified", "etag",
    "content-encoding",
}  # fmt: skip
# Query parameters that pick another page of a list: such a page is rendered per request, not stored
# (publishing an article shifts every later page). Any other parameter (utm_source…) changes nothing.
_PAGING = {"page", "p", "before"}


def baked[V: Callable[..., Any]](view: V) -> V:
    """Mark a route's view as one whose pages the store keeps."""

    @wraps(view)
    def page(*args, **kwargs):
        return view(*args, **kwargs)

    page.baked = True  # type: ignore[attr-defined]
    return page  # type: ignore[return-value]


class SurrogateKeys:
    """A view mixin: the response names what its page shows (Surrogate-Key: article-3 topic-2 person-5),
    which the purge hook hands to the CDN in front when the page is baked again."""

    def surrogate_keys(self, context: dict) -> list[str]:
        return []

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)  # type: ignore[misc]
        response["Surrogate-Key"] = " ".join(dict.fromkeys(self.surrogate_keys(context)))
        return response


def version_keys(article, version) -> list[str]:
    """The surrogate keys of what a version shows: the article, its people, topics and entities."""
    people = [f"person-{pk}" for pk in (version.author_id, version.editor_id) if pk]
    topics = [f"topic-{pk}" for pk in version.topics.values_list("topic_id", flat=True)]
    entities = [f"entity-{pk}" for pk in version.entities.values_list("entity_id", flat=True)]
    return [f"article-{article.pk}", *people, *topics, *entities]


def is_baked_route(path: str) -> bool:
    try:
        return bool(getattr(resolve(path).func, "baked", False))
    except Resolver404:
        return False


# The store


class AtomicFileSystemStorage(FileSystemStorage):
    """A folder the web processes share. A page is replaced in one rename, so a reader never gets half
    of one; the name stays the name (no "_a1b2c3" suffix for an existing file)."""

    def _save(self, name: str, content) -> str:
        target = Path(self.path(name))
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.{id(content)}.tmp")
        temporary.write_bytes(content.read())
        temporary.replace(target)
        return name

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        return name


def _store():
    return storages["pages"]


_build: str | None = None


def build_id() -> str:
    """What the stored pages were made with: BUILD_ID, else a digest of the templates, static files and
    code, and the settings pages show. Computed once per process."""
    global _build
    if settings.BUILD_ID:
        return settings.BUILD_ID
    if _build is None:
        digest = hashlib.sha256()
        root = Path(settings.BASE_DIR)
        for folder, pattern in [("templates", "*"), ("static", "*"), ("articles", "*.py"),
                                ("corrections", "*.py"), ("editorial", "*.py")]:  # fmt: skip
            for path in sorted((root / folder).rglob(pattern)):
                if path.is_file() and "migrations" not in path.parts:
                    digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
        digest.update(json.dumps([settings.SITE_URL, settings.PUBLISHER_NAME, settings.TIME_ZONE]).encode())
        _build = digest.hexdigest()[:16]
    return _build


def _name(path: str, variant: str) -> str:
    digest = hashlib.sha256(path.encode()).hexdigest()
    return f"{build_id()}/{digest[:2]}/{digest}.{_SUFFIX[variant]}"


def page_key(path: str, query_string: str) -> str | None:
    """The stored page a request for `path?query_string` is answered with; None for another page of a
    list (rendered per request)."""
    if query_string:
        for name, value in parse_qsl(query_string, keep_blank_values=True):
            if name in _PAGING and value not in ("", "1"):
                return None
    return path


@dataclass(frozen=True)
class StoredPage:
    status: int
    headers: list[tuple[str, str]]
    etag: str
    modified: str
    body: bytes
    encoding: str = "identity"

    def dump(self) -> bytes:
        head = {"status": self.status, "headers": self.headers, "etag": self.etag, "modified": self.modified}
        return json.dumps(head).encode() + b"\n" + self.body

    @classmethod
    def load(cls, data: bytes, encoding: str) -> StoredPage:
        head, _, body = data.partition(b"\n")
        meta = json.loads(head)
        return cls(meta["status"], [tuple(h) for h in meta["headers"]], meta["etag"], meta["modified"], body,
                   encoding)  # fmt: skip

    def response(self, request: HttpRequest, state: str) -> HttpResponse:
        if self.etag in parse_etags(request.META.get("HTTP_IF_NONE_MATCH", "")) or (
            "*" in request.META.get("HTTP_IF_NONE_MATCH", "")
        ):
            response: HttpResponse = HttpResponseNotModified()
        else:
            response = HttpResponse(b"" if request.method == "HEAD" else self.body, status=self.status)
            for name, value in self.headers:
                response[name] = value
            response["Content-Length"] = str(len(self.body))
            if self.encoding != "identity":
                response["Content-Encoding"] = self.encoding
        response["ETag"] = self.etag
        response["Last-Modified"] = self.modified
        response["Vary"] = "Accept-Encoding"
        response["Cache-Control"] = cache_control()
        response["X-Page-Store"] = state
        return response


def cache_control() -> str:
    """Short in browsers; longer in shared caches (a CDN), which the purge hook clears on every bake."""
    return (
        f"public, max-age={settings.PAGE_BROWSER_MAX_AGE}, s-maxage={settings.PAGE_SHARED_MAX_AGE}, "
        f"stale-while-revalidate={settings.PAGE_STALE_WHILE_REVALIDATE}"
    )


def accepted(header: str) -> list[str]:
    """The stored variants the Accept-Encoding header allows, best first."""
    allowed = {"identity"}
    for part in header.split(","):
        coding, _, params = part.strip().partition(";")
        quality = params.strip().removeprefix("q=")
        if coding.strip() and quality not in ("0", "0.0", "0.00", "0.000"):
            allowed.add(coding.strip().lower())
    return [variant for variant in VARIANTS if variant in allowed or "*" in allowed]


def read(path: str, encodings: Iterable[str] = ("identity",)) -> StoredPage | None:
    """The stored page for `path` in the first of `encodings` it is stored in; None if it is not."""
    store = _store()
    for encoding in encodings:
        try:
            with store.open(_name(path, encoding), "rb") as stored:
                return StoredPage.load(stored.read(), encoding)
        except (FileNotFoundError, OSError):
            continue
    return None


def _write(path: str, page: StoredPage) -> None:
    store = _store()
    variants = {"identity": page.body}
    content_type = dict((k.lower(), v) for k, v in page.headers).get("content-type", "")
    if content_type.startswith(_COMPRESSIBLE):
        variants["gzip"] = gzip.compress(page.body, compresslevel=9, mtime=0)
        variants["br"] = brotli.compress(page.body, quality=11)
    # The identity variant last: a reader who finds it finds the others of the same bake.
    for encoding in ("br", "gzip", "identity"):
        if encoding in variants:
            body = variants[encoding]
            stored = StoredPage(page.status, page.headers, page.etag, page.modified, body, encoding)
            _put(store, _name(path, encoding), stored.dump())
        else:
            store.delete(_name(path, encoding))


def _put(store, name: str, data: bytes) -> None:
    """Replace the file `name`. A storage that keeps an existing file and saves under another name
    (Django's default) has it removed first; one that renames anyway is a configuration error."""
    if not isinstance(store, AtomicFileSystemStorage):
        store.delete(name)
    saved = store.save(name, ContentFile(data))
    if saved != name:
        store.delete(saved)
        raise ImproperlyConfigured(
            f"The page storage saved {name} as {saved}: configure it to replace files "
            "(django-storages' S3Storage: file_overwrite=True, its default)."
        )


def remove(path: str) -> None:
    store = _store()
    for encoding in VARIANTS:
        store.delete(_name(path, encoding))


# Rendering


def _environ(path: str) -> dict[str, Any]:
    site = urlsplit(settings.SITE_URL)
    secure = site.scheme == "https"
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": site.hostname or "localhost",
        "SERVER_PORT": str(site.port or (443 if secure else 80)),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": site.netloc,
        "HTTP_ACCEPT": "text/html",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": site.scheme,
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        BAKING: "1",
    }
    if secure and settings.SECURE_PROXY_SSL_HEADER:
        header, value = settings.SECURE_PROXY_SSL_HEADER
        environ[header] = value
    return environ


_handler: tuple[tuple[str, ...], BaseHandler] | None = None


def _get_handler() -> BaseHandler:
    global _handler
    stack = tuple(settings.MIDDLEWARE)
    if _handler is None or _handler[0] != stack:
        handler = BaseHandler()
        handler.load_middleware()
        _handler = (stack, handler)
    return _handler[1]


def render(path: str) -> Any:
    """The page at `path` as an anonymous reader of SITE_URL gets it, through the whole stack (an
    HttpResponse; a streaming one is never stored)."""
    from simple_history.models import HistoricalRecords

    outer = getattr(HistoricalRecords.context, "request", None)  # an action's request, if any: kept
    response: Any = _get_handler().get_response(WSGIRequest(_environ(path)))
    # What response.close() does, but for the request_finished signal: that would close the database
    # connection this bake holds its lock (and the action its transaction) on.
    for closer in response._resource_closers:
        closer()
    if outer is not None:
        HistoricalRecords.context.request = outer
    return response


def _page_of(response: HttpResponse, previous: StoredPage | None) -> StoredPage:
    body = response.content
    etag = f'W/"{hashlib.sha256(body).hexdigest()[:32]}"'
    # The same bytes keep their date: Last-Modified moves only when the page does.
    modified = previous.modified if previous is not None and previous.etag == etag else http_date()
    headers = [(name, value) for name, value in response.items() if name.lower() not in _NOT_STORED]
    return StoredPage(response.status_code, headers, etag, modified, body)


def _lock(path: str) -> None:
    """Hold the path's lock until the current transaction ends (on SQLite the write lock does it)."""
    if connection.vendor == "postgresql":
        key = int.from_bytes(hashlib.sha256(path.encode()).digest()[:8], "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def bake_one(path: str, *, if_missing: bool = False) -> StoredPage | None:
    """Render `path` and store it if it is a page readers get (a 200 of a baked route); otherwise remove
    what was stored. Returns the stored page if it changed, else None. With `if_missing` (readers who
    missed it), a page another process stored while this one waited for the lock is left as it is."""
    with transaction.atomic():
        _lock(path)
        previous = read(path)
        if if_missing and previous is not None:
            return None
        response = render(path) if is_baked_route(path) else None
        if response is None or response.status_code != 200 or response.streaming:
            if previous is not None:
                remove(path)
            return None
        page = _page_of(response, previous)
        if previous is not None and previous.etag == page.etag:
            return None
        _write(path, page)
        return page


def bake(paths: Iterable[str]) -> list[str]:
    """Bake each path (see bake_one); a path that fails is removed, so readers get it rendered per
    request rather than stale. Returns the paths whose page changed. Calls the purge hook for them."""
    changed, keys = [], set()
    for path in dict.fromkeys(paths):
        try:
            page = bake_one(path)
        except Exception:
            log.exception("baking %s failed: the stored page is removed", path)
            _try(partial(remove, path))
            continue
        if page is not None:
            changed.append(path)
            keys.update(dict(page.headers).get("Surrogate-Key", "").split())
    if changed and settings.PAGE_PURGE_URL:
        purge(changed, sorted(keys))
    return changed


def _try(action: Callable[[], Any]) -> None:
    try:
        action()
    except Exception:
        log.exception("page store: %s failed", action)


def bake_on_commit(paths: Iterable[str]) -> None:
    """Bake these pages once the current transaction commits, before the action returns. A large set
    (a person named on a thousand articles) has its first PAGE_BAKE_NOW pages baked now and the rest
    removed now (readers get them rendered per request) and baked in the background."""
    paths = list(dict.fromkeys(paths))
    if not settings.PAGES_ENABLED or not paths:
        return
    transaction.on_commit(partial(_bake_now_and_later, paths))


def _bake_now_and_later(paths: list[str]) -> None:
    now, later = paths[: settings.PAGE_BAKE_NOW], paths[settings.PAGE_BAKE_NOW :]
    bake(now)
    if not later:
        return
    for path in later:
        _try(partial(remove, path))
    if settings.CELERY_TASK_ALWAYS_EAGER:
        bake(later)
        return
    from celery import current_app

    _try(partial(current_app.send_task, "articles.tasks.bake_pages", args=[later]))


def purge(paths: list[str], keys: list[str]) -> None:
    """Tell the CDN in front (PAGE_PURGE_URL) which pages changed: a POST with their Surrogate-Key
    values in that header and the absolute URLs in the body. A failure is logged; the CDN's copies then
    expire with s-maxage."""
    import httpx

    urls = [settings.SITE_URL + path for path in paths]
    headers = {"Surrogate-Key": " ".join(keys)}
    if settings.PAGE_PURGE_TOKEN:
        headers["Authorization"] = f"Bearer {settings.PAGE_PURGE_TOKEN}"
    try:
        httpx.post(settings.PAGE_PURGE_URL, json={"urls": urls, "keys": keys}, headers=headers, timeout=5)
    except httpx.HTTPError as exc:
        log.warning("page store: the purge hook failed (%s); CDN copies expire with s-maxage", exc)


# What a change shows on


def article_pages(article, *versions) -> list[str]:
    """Every public page showing something of these versions of the article (the one live before a
    change and the one live after): its own pages at each address, the lists it is in, the hubs of its
    topics and entities, and the other parts' pages (hooks.ARTICLE_PAGES: bylines, the corrections log)."""
    shown = [version for version in versions if version is not None]
    paths = [reverse("articles:home"), reverse("articles:feed")]
    for version in shown:
        paths += [
            reverse("articles:detail", args=[version.slug]),
            reverse("articles:changes", args=[version.slug]),
        ]
        paths += [topic.get_absolute_url() for topic in version.listed_topics()]
        paths += [row.entity.get_absolute_url() for row in version.shown_entities()]
    for pages_of in hooks.get_hooks(hooks.ARTICLE_PAGES):
        paths += list(pages_of(article, shown))
    return list(dict.fromkeys(paths))


def live_article_pages(articles) -> list[str]:
    """The pages of these articles' live versions (a topic renamed, a person's name changed)."""
    paths: list[str] = []
    for article in articles.live().select_related("live_version"):
        paths += article_pages(article, article.live_version)
    return list(dict.fromkeys(paths))


def all_pages(recent: int | None = None) -> list[str]:
    """The pages the store keeps: the other parts' own (hooks.SITE_PAGES) and the pages of the `recent`
    most recently published live articles (every one's with None). Pages not baked here are baked by
    their first reader."""
    from articles.models import Article

    paths = [reverse("articles:home"), reverse("articles:feed")]
    for site_pages in hooks.get_hooks(hooks.SITE_PAGES):
        paths += list(site_pages())
    live = Article.objects.order_by("-published_at", "-pk")
    if recent is not None:
        live = live.filter(pk__in=live.live().values("pk")[:recent])
    paths += live_article_pages(live)
    return list(dict.fromkeys(paths))


def prune() -> int:
    """Remove the pages stored by other builds; returns how many files went."""
    store, current, removed = _store(), build_id(), 0
    folders, _ = store.listdir("")
    for folder in folders:
        if folder == current:
            continue
        for shard in store.listdir(folder)[0]:
            for name in store.listdir(f"{folder}/{shard}")[1]:
                store.delete(f"{folder}/{shard}/{name}")
                removed += 1
    return removed


# Serving


class PageStoreMiddleware:
    """Answers GET and HEAD for stored pages before anything else runs: no session, no database. A miss
    on a baked route is baked, then answered from the store like a hit."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.skip = tuple(p for p in (settings.STATIC_URL, settings.MEDIA_URL, "/admin/") if p and p != "/")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method not in ("GET", "HEAD")
            or not settings.PAGES_ENABLED
            or BAKING in request.META
            or request.path_info.startswith(self.skip)
        ):
            return self.get_response(request)
        key = page_key(request.path_info, request.META.get("QUERY_STRING", ""))
        if key is None:
            return self.get_response(request)
        encodings = accepted(request.META.get("HTTP_ACCEPT_ENCODING", ""))
        page, state = read(key, encodings), "hit"
        if page is None and is_baked_route(key):
            _try(partial(bake_one, key, if_missing=True))  # readers who missed it at once render it once
            page, state = read(key, encodings), "miss"
        if page is None:
            return self.get_response(request)
        return page.response(request, state)
