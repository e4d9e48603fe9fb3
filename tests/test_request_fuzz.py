"""No request from outside is answered with a 5xx, whatever it carries.

Thousands of generated requests go to every public route of the URL conf (each filled with a value the
database holds or a hostile one: a NUL, broken UTF-8, unicode, %-escapes, overlong and non-numeric ids)
and to the sign-in page, with every method, query strings, bodies in any charset and content type,
broken multipart, too many fields, too large bodies, odd headers and cookies (a 32-character CSRF token
among them, which makes the CSRF check read the body). Each must be answered with a status below 500:
the test client turns a failure into a 500 (raise_request_exception=False), and anything it raises
counts as a failure too.

The generator is random.Random with a fixed seed: the same requests every run. The upload limits are
lowered so that a few kilobytes cross them; the code that refuses them is Django's, at any size. A
Content-Type header Django cannot parse never reaches the test client's handler; it is refused before
Django's (editorial.errors.readable_content_type, tested in tests/editorial/project). The reader's
form itself is fuzzed field by field in tests/corrections/receiving/test_form_fuzz.py.
"""

from __future__ import annotations

import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.test.client import encode_multipart
from django.urls import get_resolver

from articles.models import Article, Entity, Topic
from corrections.models import CorrectionRequest
from editorial.models import Person, PolicyPage
from editorial.sitemaps import SITEMAPS
from tests.factories import TopicFactory
from tests.routes import walk

pytestmark = pytest.mark.postgres

SEED = 20_260_601
CSRF = "a" * 32  # a well-formed CSRF secret: with it in the cookie and the form, requests pass the check
BOUNDARY = "FuzzBoundary"
PARAM = re.compile(r"<(?:\w+:)?(\w+)>")
REGEX_GROUP = re.compile(r"\((?:\?P<\w+>)?[^)]*\)")

HOSTILE = [
    "%00", "a%00b", "%00%00", "abc", "0", "-1", "9" * 25, "a" * 2100, "caf%C3%A9", "café", "\U0001f600",
    "%FF%FE", "%C0%AF", "%E2%80%AE", "%", "%zz", "%25", "%2F", "%5C", "..", "%2E%2E", " ", "%20", "+",
    "%0D%0A", "<script>", "'", '"', "a;b", "\u202e", "ﷺ", "1.5", "1e9",
]  # fmt: skip
QUERIES = [
    "", "", "", "before=abc", "before=1.2", "before=-1.-1", "before=" + "9" * 400 + ".1",
    "before=1." + "9" * 30, "before=%00", "before=1e5.1", "before=.", "page=0", "page=-1", "page=abc",
    "page=" + "9" * 30, "p=2", "p=x", "p=" + "9" * 30, "p=%00", "quote=%00", "quote=" + "x" * 5000,
    "a=%FF%FE", "%00=%00", "utm_source=x&before=", "before=1.2&before=3.4", "&&&==", "a" * 3000,
    "q=%E2%80%AE", "format=json", "q=homes", "q=%00", "q=a%00b", "q=" + "x" * 5000, "q=%22%21%26%7C%3A*()",
    "q=-or", "q=homes&page=2", "q=homes&page=" + "9" * 30, "q=homes&page=-1", "q=%FF%FE", "q=&page=1",
]  # fmt: skip
METHODS = ["GET", "GET", "HEAD", "POST", "POST", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE",
           "PROPFIND", "FOO"]  # fmt: skip
FORM_TYPES = [
    "application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=utf-8",
    "application/x-www-form-urlencoded; charset=latin-1", "application/x-www-form-urlencoded; charset=utf-16",
    "application/x-www-form-urlencoded; charset=UTF8", "application/x-www-form-urlencoded; charset=bogus",
    'application/x-www-form-urlencoded; charset="iso-8859-1"', "APPLICATION/X-WWW-FORM-URLENCODED",
]  # fmt: skip
OTHER_TYPES = [
    "", "x", "*/*", "text/plain", "text/plain; charset=utf-16", "application/json", "application/xml",
    "multipart/form-data", "multipart/form-data; boundary=", 'multipart/form-data; boundary="a b"',
    f"multipart/form-data; boundary={BOUNDARY}; charset=utf-16", "multipart/mixed; boundary=x",
    "application/octet-stream", "text/html; charset=latin-1",
]  # fmt: skip
VALUES = [
    "", "x", "The council approved 12 new homes", "\x00", "a\x00b", "é" * 50, "\U0001f600", "\u202e",
    "x" * 6000, "<script>alert(1)</script>", "https://example.org/", "javascript:alert(1)", "sam@example.org",
    "1", "-1", "9" * 30, "abc", "\r\n", "%00", "{{ request }}",
]  # fmt: skip
FIELDS = ["quoted_text", "explanation", "evidence_url", "name", "email", "website", "started", "username",
          "password", "next", "otp_token", "article", "kind", "status", "id", "pk"]  # fmt: skip
HEADERS = {
    "HTTP_ACCEPT_ENCODING": [
        "",
        "gzip",
        "br, gzip;q=0",
        "*;q=0",
        "identity;q=0",
        "gzip;q=abc",
        ",",
        "x" * 500,
    ],
    "HTTP_IF_NONE_MATCH": ["*", 'W/"x"', "garbage", "", '"' * 3],
    "HTTP_IF_MODIFIED_SINCE": ["garbage", "Thu, 01 Jan 1970 00:00:00 GMT", "Sun, 06 Nov 2994 08:49:37 GMT"],
    "HTTP_X_FORWARDED_FOR": ["1.2.3.4", "garbage", "::1, 300.1.1.1", "", "1.2.3.4, " * 50],
    "HTTP_X_FORWARDED_PROTO": ["https", "garbage"],
    "HTTP_REFERER": ["http://evil.example/", "%00", "http://testserver/", "caf\xe9"],
    "HTTP_ORIGIN": ["http://evil.example", "null", "http://testserver"],
    "HTTP_HOST": ["evil.example", "testserver:abc", "[::1", "testserver:99999", "a" * 300],
    "HTTP_ACCEPT": ["application/json", "*/*;q=abc", "text/html", ";;;"],
    "HTTP_ACCEPT_LANGUAGE": ["xx-YY;q=abc", "*", "de", "a" * 300],
    "HTTP_RANGE": ["bytes=0-1", "bytes=-", "garbage"],
    "HTTP_USER_AGENT": ["", "x" * 5000, "caf\xe9"],
    "HTTP_X_CSRFTOKEN": [CSRF, "short", "b" * 64],
    "HTTP_X_REQUESTED_WITH": ["XMLHttpRequest"],
}
COOKIES = [
    None, None, f"csrftoken={CSRF}", f"csrftoken={CSRF}; sessionid=garbage",
    f"csrftoken={CSRF}; sessionid=%00", "csrftoken=short", "csrftoken=" + "b" * 64,
    f"csrftoken={CSRF}; messages=garbage", "a=b=c;;; =;", "sessionid=" + "x" * 4000,
    f"csrftoken={CSRF}; csrftoken=other",
]  # fmt: skip


@dataclass
class Attempt:
    method: str
    path: str
    body: bytes = b""
    content_type: str = "application/octet-stream"
    extra: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        body = self.body[:60] + (b"..." if len(self.body) > 60 else b"")
        return f"{self.method} {self.path[:120]} [{self.content_type}] {body!r} {sorted(self.extra)}"


# Where requests go


def routes(*, admin: bool = False) -> list[str]:
    """The URL conf's routes: the public ones and the sign-in page, or the back office's."""
    found = [route for route in walk(get_resolver().url_patterns) if route.startswith("admin/") == admin]
    return found if admin else [*found, "admin/login/"]


def real_values() -> dict[tuple[str, str], list[str]]:
    """What the database holds for each public route's parameter. A route with a parameter no source
    fills fails the test: teach the fuzz to fill it."""
    return {
        ("articles/", "slug"): sorted(Article.objects.values_list("slug", flat=True)),
        ("topics/", "slug"): sorted(Topic.objects.values_list("slug", flat=True)),
        ("entities/", "slug"): sorted(Entity.objects.values_list("slug", flat=True)),
        ("authors/", "slug"): sorted(Person.objects.values_list("slug", flat=True)),
        ("policies/", "slug"): sorted(PolicyPage.objects.values_list("slug", flat=True)),
        ("sitemap-", "section"): sorted(SITEMAPS),
        ("corrections/status/", "token"): sorted(
            CorrectionRequest.objects.values_list("status_token", flat=True)
        ),
    }


def address(rng: random.Random, route: str, real: dict) -> str:
    found = PARAM.search(route)
    if found:
        assert not PARAM.search(route, found.end()), f"{route}: more than one parameter; teach the fuzz"
        source = real.get((route[: found.start()], found.group(1)))
        assert source, f"no values for <{found.group(1)}> in {route}"
        value = rng.choice(source) if rng.random() < 0.4 else rng.choice(HOSTILE)
        route = route[: found.start()] + value + route[found.end() :]
    mutation = rng.random()
    if mutation < 0.05:
        route = route.rstrip("/")
    elif mutation < 0.10:
        route += rng.choice(HOSTILE) + "/"
    elif mutation < 0.13:
        route = route.replace("/", "//", 1)
    elif mutation < 0.15:
        route = "%00/" + route
    return "/" + route


# What they carry


def _fields(rng: random.Random) -> list[tuple[str, str]]:
    pairs = [("csrfmiddlewaretoken", CSRF)] if rng.random() < 0.7 else []
    return pairs + [(rng.choice(FIELDS), rng.choice(VALUES)) for _ in range(rng.randint(0, 8))]


def form_body(rng: random.Random) -> tuple[bytes, str]:
    content_type = rng.choice(FORM_TYPES)
    text = urlencode(_fields(rng))
    charset = "utf-16" if "utf-16" in content_type else "latin-1" if "latin-1" in content_type else "utf-8"
    return text.encode(charset), content_type


def multipart_body(rng: random.Random) -> tuple[bytes, str]:
    body = encode_multipart(BOUNDARY, dict(_fields(rng)))
    shape = rng.random()
    if shape < 0.2:
        body = body[: rng.randint(0, len(body))]  # cut short
    elif shape < 0.3:
        body = body.replace(BOUNDARY.encode(), b"Other")
    boundary = BOUNDARY if rng.random() < 0.8 else rng.choice(["", "x" * 200, "Other"])
    return body, f"multipart/form-data; boundary={boundary}"


def odd_body(rng: random.Random) -> tuple[bytes, str]:
    body = rng.choice(
        [b"", rng.randbytes(rng.choice([1, 64, 4096])), b'{"a": [1, {"b": null}]}',
         b"\xff\xfe\x00a\x00=\x00b", b"a=%FF%FE&%00=%00&b", "=".join(["a"] * 300).encode(), b"&" * 500]
    )  # fmt: skip
    return body, rng.choice(OTHER_TYPES + FORM_TYPES)


def limit_body(rng: random.Random) -> tuple[bytes, str]:
    """Past the (lowered) limits: too many fields, or too many bytes."""
    if rng.random() < 0.5:
        body = "&".join(f"f{i}=x" for i in range(rng.choice([101, 1001])))
    else:
        body = "csrfmiddlewaretoken=" + CSRF + "&explanation=" + "x" * rng.choice([17_000, 70_000])
    return body.encode(), rng.choice(FORM_TYPES[:2] + ["multipart/form-data; boundary=x"])


BODIES = [form_body, form_body, form_body, multipart_body, odd_body, odd_body, limit_body]


def headers(rng: random.Random) -> dict[str, str]:
    chosen = {name: rng.choice(HEADERS[name]) for name in rng.sample(sorted(HEADERS), rng.randint(0, 4))}
    cookie = rng.choice(COOKIES)
    if cookie is not None:
        chosen["HTTP_COOKIE"] = cookie
    return chosen


def attempts(rng: random.Random, count: int, *, methods=METHODS) -> list[Attempt]:
    places, real = routes(), real_values()
    made = []
    for _ in range(count):
        path = address(rng, rng.choice(places), real)
        query = rng.choice(QUERIES)
        method = rng.choice(methods)
        attempt = Attempt(method, f"{path}?{query}" if query else path, extra=headers(rng))
        if method not in ("GET", "HEAD") or rng.random() < 0.1:
            attempt.body, attempt.content_type = rng.choice(BODIES)(rng)
        made.append(attempt)
    return made


def answer(client: Client, attempt: Attempt) -> int | str:
    """The status the attempt is answered with, or what the handler let escape."""
    try:
        response = client.generic(attempt.method, attempt.path, attempt.body, attempt.content_type,
                                  **attempt.extra)  # fmt: skip
    except Exception as exc:
        return f"raised {exc!r}"
    return response.status_code


def failures(client: Client, made: list[Attempt]) -> tuple[list[str], Counter]:
    """The attempts answered with a 5xx (or that raised), and how many got each answer."""
    answers = Counter()
    failed = []
    for attempt in made:
        status = answer(client, attempt)
        answers[status] += 1
        if not isinstance(status, int) or status >= 500:
            failed.append(f"{attempt} answered {status}")
    return failed, answers


# The tests


@pytest.fixture
def site(published_article, settings):
    """A published article, a topic and an entity, a reader's report; upload limits a fuzz can cross."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 16_384
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 100
    TopicFactory(slug="housing")
    Entity.objects.create(name="City council", slug="city-council")
    CorrectionRequest.objects.create(article=published_article, explanation="It was 14 homes.")
    return published_article


def stranger() -> Client:
    return Client(enforce_csrf_checks=True, raise_request_exception=False)


def test_it_never_answers_a_stranger_with_a_5xx(site):
    made = attempts(random.Random(SEED), 1200)
    started = time.monotonic()
    failed, statuses = failures(stranger(), made)
    elapsed = time.monotonic() - started
    assert failed == [], f"{len(failed)} of {len(made)} failed; the first ones:\n" + "\n".join(failed[:20])
    assert len(made) >= 1000 and len(statuses) > 5, statuses  # a spread of answers, not one refusal
    print(f"\n{len(made)} requests in {elapsed:.1f}s: {dict(sorted(statuses.items()))}")


def repros(article) -> list[Attempt]:
    """The requests once answered with a 500: a NUL in a status address (PostgreSQL refuses it in a
    query), and a form in another charset with a CSRF cookie, on any address."""
    form = f"csrfmiddlewaretoken={CSRF}&explanation=x".encode()
    cookie = {"HTTP_COOKIE": f"csrftoken={CSRF}"}
    made = [Attempt("GET", "/corrections/status/%00/")]
    for path in (f"/articles/{article.slug}/corrections/new/", "/admin/login/", "/corrections/", "/nope/"):
        for charset in ("latin-1", "utf-16"):
            content_type = f"application/x-www-form-urlencoded; charset={charset}"
            made.append(Attempt("POST", path, form, content_type, dict(cookie)))
    return made


def test_it_never_answers_a_stranger_with_a_5xx_from_the_page_store(site, page_store):
    made = repros(site) + attempts(random.Random(SEED + 1), 300, methods=["GET", "GET", "HEAD"])
    failed, statuses = failures(stranger(), made)
    assert failed == [], "\n".join(failed[:20])
    assert statuses[200] and statuses[404], statuses


def test_it_answers_the_former_500s_with_400_and_404(site):
    client = stranger()
    assert [answer(client, attempt) for attempt in repros(site)] == [404] + [400] * 8


ODD_IDS = ["abc", "%00", "9" * 25]
STAFF_REPROS = [
    "/admin/articles/article/{pk}/history/abc/",
    "/admin/articles/article/abc/history/{pk}/",
    "/admin/articles/article/{pk}/history/%00/",
    "/admin/articles/article/%00/history/{pk}/",
]


def admin_addresses(article) -> list[str]:
    """Every back-office route with each odd id in its parameters (an int one gets the article's id);
    simple-history's and the admin's regular-expression routes too."""
    addresses = []
    for route in routes(admin=True):
        route = re.sub(r"<int:\w+>", str(article.pk), route).replace("^", "").replace("$", "")
        route = PARAM.sub("{}", REGEX_GROUP.sub("{}", route))
        for odd in ODD_IDS if "{}" in route else [""]:
            addresses.append("/" + route.format(*[odd] * route.count("{}")))
            if route.count("{}") == 2:  # a real object with an odd version, and the other way round
                addresses += ["/" + route.format(article.pk, odd), "/" + route.format(odd, article.pk)]
    return list(dict.fromkeys(addresses))


def test_it_never_answers_staff_with_a_5xx_for_an_odd_id(site, bob):
    client = Client(raise_request_exception=False)
    client.force_login(bob)
    made = [Attempt("GET", path.format(pk=site.pk)) for path in STAFF_REPROS]
    made += [Attempt("POST", "/admin/editorial/assistjob/request/", b"article=abc&kind=metadata",
                     "application/x-www-form-urlencoded")]  # fmt: skip
    addresses = admin_addresses(site)
    made += [Attempt("GET", path) for path in addresses]
    # Signing out would end the test's session: the sign-out page is asked for with GET only.
    made += [Attempt("POST", path) for path in addresses if "/abc" in path and "logout" not in path]
    failed, statuses = failures(client, made)
    assert failed == [], f"{len(failed)} of {len(made)} failed:\n" + "\n".join(failed[:20])
    assert [answer(client, attempt) for attempt in made[:5]] == [404] * 5
    assert statuses[200] and statuses[404], statuses  # still signed in: pages as well as refusals
