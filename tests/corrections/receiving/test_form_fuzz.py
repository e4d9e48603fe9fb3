"""The reader's form under fire: hundreds of generated bodies, valid and hostile, and every one answered
clearly (never a 5xx), while whatever is stored is exactly what the reader sent, and clean.

Each example starts from a valid report and then either leaves it alone, breaks one field in a way the
form promises to refuse (past its limit, a NUL, a line break in the name or the e-mail, a link that is
not http(s), no explanation, a missing or bad `started` token, a body past the size limit), or replaces
every field with hostile values (arbitrary Unicode, script payloads, invalid UTF-8, repeated and missing
keys). Any body may carry extra keys (model fields a bot might try to set), be sent url-encoded or as
multipart, have the hidden field filled in (a bot's), or be sent too fast (a suspected bot's, or a quick
reader's).

The test does not predict Django's validators. It checks what a reader is promised:

- every answer is an acceptance, a quiet "thank you" for a filled hidden field, or the form again with a
  message;
- an acceptance stores exactly one request, equal to what was posted (stripped), held as suspected
  automated exactly when it was sent too fast, and acknowledges it once (a suspected one not yet);
- a refusal stores nothing and shows a message beside each field it refuses;
- a valid report is accepted, sent too fast or not (and quietly dropped when the hidden field is filled);
- a valid report broken in one field is refused, naming that field and no other;
- nothing stored breaks the documented limits, and no script payload comes back unescaped.

Constraint on the strategy: the test client's multipart encoder writes field names into the
Content-Disposition header unescaped (browsers percent-encode '"', CR and LF there), so in multipart
bodies the extra keys never contain those characters or a backslash; url-encoded bodies take any key.
"""

from __future__ import annotations

import html
import re
import time
from collections import Counter
from unittest import mock
from urllib.parse import urlencode, urlsplit

import pytest
from django.core import signing
from django.core.cache import cache
from hypothesis import HealthCheck, event, given, note
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from corrections.forms import form_token
from corrections.models import CorrectionRequest
from editorial.models import OutgoingEmail

# The limits the form documents, in characters after surrounding whitespace is stripped.
MAX = {"quoted_text": 2000, "explanation": 5000, "evidence_url": 500, "name": 100, "email": 254}
FIELDS = ["quoted_text", "explanation", "evidence_url", "name", "email", "website"]

XSS = [
    '<script>alert("fuzz")</script>',
    "<img src=x onerror=alert('fuzz')>",
    '"><svg onload=alert(1)>',
    "</textarea><script>alert(document.cookie)</script>",
    "<a href=\"javascript:alert('fuzz')\">click</a>",
    "{{ request.user }}{% debug %}",
]
ODD = [
    "\x00",
    "\u200f",  # right-to-left mark
    "\u202e",  # right-to-left override
    "\u2066\u2069",  # isolates
    "\ufeff",
    "\u0085",
    "\u2028",
    "\u00a0",
    "\x1b[31m",
    "\x07\x08\x7f",
    "\r\n",
    "\r",
    "\n",
    "\t",
    "e\u0301\u0301\u0301",
    "\U0001f600",
    "ﷺ",
    "\u05e9\u05dc\u05d5\u05dd",  # Hebrew
    "مرحبا",
    "%0d%0a",
    "&amp;&lt;",
]
HEADER_INJECTION = [
    "sam@example.org\r\nBcc: victim@example.org",
    "sam@example.org\nBcc: victim@example.org",
    "sam@example.org\rBcc: victim@example.org",
    "sam@example.org\r\n\r\nInjected body",
    "sam@example.org\x00",
]
# Links the form refuses: not http(s), or with no host.
BAD_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "ftp://example.org/file",
    "mailto:sam@example.org",
    "http://",
    "https://",
    "http://exa mple.org",
    "not a url at all",
    "http://example.org/\x00",
]
# Anything goes here; only the general promises apply to these.
ODD_URLS = [
    "http:///path",
    "http://[::1",
    "localhost:8000",
    "//evil.example/x",
    "http://example.org\r\n/x",
    "https://" + "a" * 600 + ".org",
    "h\u0074tp\u202e://example.org",
]
MASS_ASSIGNMENT = [
    "status",
    "reference",
    "status_token",
    "ip_hash",
    "quote_found",
    "article",
    "article_id",
    "assigned_to",
    "decided_by",
    "decided_at",
    "duplicate_of",
    "reply",
    "created_at",
    "id",
    "pk",
    "quote",
    "csrfmiddlewaretoken",
]
STARTED_INVALID = ["forged", "tampered", "wrong_salt", "expired", "missing", "empty"]
HONEYPOT = ["http://spam.example", "buy now", "x"]

# Any character but surrogates (which cannot be encoded), including controls and NUL.
ANY = st.characters(exclude_categories=["Cs"])
NO_NUL = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")
ONE_LINE = st.characters(exclude_categories=["Cs"], exclude_characters="\x00\r\n")
WHITESPACE = st.text(st.sampled_from(" \t\r\n\x0b\x0c\u00a0\u2028\u3000\x85"), min_size=1, max_size=5)
RUN: dict = {"statuses": Counter(), "failed": False}  # what this test's run has seen so far
REFERENCE = re.compile(r"^CR-[0-9A-HJKMNP-TV-Z]{8}$")
FIELD_ERROR = re.compile(r'<div class="field has-error">\s*<label for="id_(\w+)"')
FIELD_ERRORS = re.compile(r'<div class="error" id="id_\w+_error" role="alert">(.*?)</div>', re.DOTALL)
FORM_ERRORS = re.compile(r'<div class="form-errors" role="alert">(.*?)</div>', re.DOTALL)


PIECES = st.sampled_from(["x", "é", "€", "\U0001f600", "ab "])
SOLID = st.sampled_from(["x", "é", "€", "\U0001f600", "ab"])  # no whitespace: stripping keeps the length


def repeated(min_n: int, max_n: int, alphabet=PIECES):
    """A long string cheaply: one short piece repeated, with lengths around the limits."""
    return st.builds(lambda piece, n: (piece * n)[:n], alphabet, st.integers(min_n, max_n))


def mixed(alphabet=ANY):
    """Short text woven from arbitrary characters, odd Unicode and script payloads."""
    return st.lists(
        st.one_of(st.text(alphabet, max_size=12), st.sampled_from(ODD), st.sampled_from(XSS)), max_size=6
    ).map("".join)


def padded(text):
    """What a textarea sends: often with whitespace around it, which the form strips."""
    return st.one_of(text, st.builds(lambda pad, t, end: pad + t + end, WHITESPACE, text, WHITESPACE))


# Valid values: each one a reader could send and the form must take.
LOCAL = st.from_regex(r"[a-z0-9]{1,12}([._+-][a-z0-9]{1,8})?", fullmatch=True)
DOMAIN = st.sampled_from(
    ["example.org", "mail.example.co.uk", "news-room.example.com", "xn--bcher-kva.example"]
)
GOOD_EMAIL = st.builds(lambda local, domain: f"{local}@{domain}", LOCAL, DOMAIN)
PATH = st.from_regex(r"(/[A-Za-z0-9._~-]{1,12}){0,3}", fullmatch=True)
GOOD_URL = st.builds(
    lambda scheme, domain, path: f"{scheme}{domain}{path}",
    st.sampled_from(["https://", "http://", "HTTPS://", ""]),
    DOMAIN,
    PATH,
)


def valid_text(max_len: int, *, required: bool, one_line: bool = False):
    alphabet = ONE_LINE if one_line else NO_NUL
    text = st.one_of(
        st.sampled_from(["It was 14 homes, not 12.", "Le nombre est faux.", "\u05de\u05e1\u05e4\u05e8"]),
        st.text(alphabet, min_size=1, max_size=80).filter(str.strip),
        st.sampled_from(XSS),
        st.sampled_from([o for o in ODD if o != "\x00" and not (one_line and ("\r" in o or "\n" in o))]).map(
            lambda odd: f"Sam{odd}Reader"
        ),
        repeated(max_len - 1, max_len, SOLID),
    )
    text = padded(text)
    return text if required else st.one_of(st.just(""), text)


VALID = {
    "quoted_text": valid_text(MAX["quoted_text"], required=False),
    "explanation": valid_text(MAX["explanation"], required=True),
    "evidence_url": st.one_of(st.just(""), GOOD_URL),
    "name": valid_text(MAX["name"], required=False, one_line=True),
    "email": st.one_of(st.just(""), padded(GOOD_EMAIL)),
    "website": st.one_of(st.just(""), WHITESPACE),
}


def with_nul(text):
    return st.builds(lambda s, i: s[:i] + "\x00" + s[i:] + "x", text, st.integers(0, 20))


def too_long(limit: int):
    return padded(repeated(limit + 1, limit * 3, SOLID))


def line_broken(start):
    """A value with a line break inside it (a header-injection attempt when it is an address)."""
    return st.builds(
        lambda a, brk, b: a + brk + b,
        start,
        st.sampled_from(["\r\n", "\n", "\r", "\r\n\r\n", "\n\t"]),
        st.sampled_from(["Bcc: victim@example.org", "Subject: hi", "To: x@example.org", "Reader"]),
    )


# One way to break each field that the form promises to refuse.
BROKEN = {
    "quoted_text": st.one_of(too_long(MAX["quoted_text"]), with_nul(st.text(NO_NUL, max_size=20))),
    "explanation": st.one_of(
        st.just(""), WHITESPACE, too_long(MAX["explanation"]), with_nul(st.text(NO_NUL, max_size=20))
    ),
    "evidence_url": st.one_of(
        st.sampled_from(BAD_URLS),
        st.builds(lambda d, n: f"https://{d}/" + "a" * n, DOMAIN, st.integers(MAX["evidence_url"], 700)),
    ),
    "name": st.one_of(
        too_long(MAX["name"]), line_broken(st.sampled_from(["Sam", "Sam Reader"])), with_nul(st.just("Sam"))
    ),
    "email": st.one_of(
        st.sampled_from(HEADER_INJECTION),
        line_broken(GOOD_EMAIL),
        LOCAL,  # no @
        st.builds(lambda n, d: "r" * n + "@" + d, st.integers(MAX["email"], 300), DOMAIN),
    ),
}


def hostile_text(max_len: int):
    return st.one_of(
        st.just(""),
        WHITESPACE,
        st.text(ANY, max_size=40),
        mixed(),
        repeated(max_len - 1, max_len + 1),
        repeated(max_len + 1, max_len * 3),
        with_nul(st.text(NO_NUL, max_size=20)),
        st.binary(max_size=20),  # invalid UTF-8, url-encoded bodies only
    )


HOSTILE = {
    "quoted_text": hostile_text(MAX["quoted_text"]),
    "explanation": hostile_text(MAX["explanation"]),
    "evidence_url": st.one_of(
        st.sampled_from(BAD_URLS + ODD_URLS), st.text(ANY, max_size=30), GOOD_URL, mixed()
    ),
    "name": st.one_of(hostile_text(MAX["name"]), line_broken(st.text(ONE_LINE, max_size=20))),
    "email": st.one_of(
        st.sampled_from(HEADER_INJECTION), st.emails(), st.text(ANY, max_size=30), repeated(250, 300)
    ),
    # The hidden field's errors are never shown (people do not see it), so it gets no NUL here.
    "website": st.one_of(st.sampled_from(["", *HONEYPOT]), st.text(NO_NUL, max_size=10)),
}


def one_in(n: int):
    """True once in n draws (integers() would favour 0 and make it far more often)."""
    return st.sampled_from([True] + [False] * (n - 1))


@st.composite
def bodies(draw):
    """A generated body: a valid report, one field broken, or every field hostile; see the docstring."""
    mode = draw(st.sampled_from(["valid", "valid", "one_bad", "one_bad", "one_bad", "chaos"]))
    bad = draw(st.sampled_from([*BROKEN, "started", "size"])) if mode == "one_bad" else None
    fields = {}
    for field in FIELDS:
        if mode == "chaos":
            value = draw(HOSTILE[field])
        else:
            value = draw(BROKEN[field] if field == bad else VALID[field])
        may_be_missing = mode == "chaos" or (field == bad == "explanation" and not value)
        if may_be_missing and draw(one_in(8)):
            fields[field] = None  # missing key
        elif draw(one_in(10)):
            fields[field] = [draw(st.text(ANY, max_size=8)), value]  # repeated key: the last one counts
        else:
            fields[field] = value
    if bad == "size":
        fields["explanation"] = draw(repeated(70_000, 80_000, SOLID))
    if mode == "chaos":
        started = draw(st.sampled_from(["valid", "too_fast", *STARTED_INVALID]))
    else:
        started = draw(st.sampled_from(STARTED_INVALID if bad == "started" else ["valid"] * 4 + ["too_fast"]))
    if mode != "chaos" and draw(one_in(6)):
        fields["website"] = draw(st.sampled_from(HONEYPOT))
    encoding = draw(st.sampled_from(["urlencoded", "multipart"]))
    return {
        "mode": mode,
        "bad": bad,
        "fields": fields,
        "started": started,
        "forged": draw(st.text(ANY, max_size=60)),
        "encoding": encoding,
        "extras": draw(extra_keys(encoding)),
    }


def extra_keys(encoding: str):
    key = st.one_of(st.sampled_from(MASS_ASSIGNMENT), st.text(ANY, max_size=15))
    if encoding == "multipart":  # see the module docstring
        key = key.filter(lambda k: not set(k) & set('"\\\r\n'))
    value = st.one_of(st.text(ANY, max_size=20), st.sampled_from(["accepted", "1", "true", "spam"]))
    return st.lists(st.tuples(key.filter(lambda k: k not in FIELDS and k != "started"), value), max_size=4)


def started_token(kind: str, forged: str) -> str | None:
    sixty_seconds_ago = time.time() - 60
    if kind == "valid":
        return form_token(sixty_seconds_ago)
    if kind == "too_fast":
        return form_token(time.time())
    if kind == "tampered":
        token = form_token(sixty_seconds_ago)
        return token[:-1] + ("A" if token[-1] != "A" else "B")
    if kind == "wrong_salt":
        return signing.dumps([sixty_seconds_ago, "nonce"])
    if kind == "expired":
        two_days_ago = time.time() - 2 * 86400
        with mock.patch("django.core.signing.time.time", return_value=two_days_ago):
            return form_token(two_days_ago)
    if kind == "forged":
        return forged or "forged"
    if kind == "empty":
        return ""
    return None  # missing


def decoded(value) -> str:
    """What the server sees for a value: raw bytes are decoded as UTF-8 with replacement."""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def posted(fields: dict) -> dict[str, str]:
    """Each field's value as posted: missing is empty, a repeated key gives its last value."""
    out = {}
    for field, value in fields.items():
        last = value[-1] if isinstance(value, list) else value
        out[field] = "" if last is None else decoded(last)
    return out


def encode(body: dict) -> tuple[object, str | None]:
    pairs = []
    for field, value in body["fields"].items():
        if value is None:
            continue
        pairs.extend((field, v) for v in (value if isinstance(value, list) else [value]))
    token = started_token(body["started"], body["forged"])
    if token is not None:
        pairs.append(("started", token))
    pairs.extend(body["extras"])
    if body["encoding"] == "urlencoded":
        return urlencode(pairs), "application/x-www-form-urlencoded"
    # The test client's multipart encoder iterates over bytes: send what the server would decode.
    data: dict[str, list[str]] = {}
    for key, value in pairs:
        data.setdefault(key, []).append(decoded(value))
    return data, None


def refused_fields(page: str) -> set[str]:
    """The fields the re-rendered form marks as refused; `started` stands for the form-level box."""
    fields = set(FIELD_ERROR.findall(page))
    return fields | {"started"} if FORM_ERRORS.search(page) else fields


def messages(page: str) -> list[str]:
    boxes = FIELD_ERRORS.findall(page) + FORM_ERRORS.findall(page)
    texts = [text for box in boxes for text in re.findall(r"<p>(.*?)</p>", box, re.DOTALL)]
    return [html.unescape(text).strip() for text in texts]


def assert_clean(request: CorrectionRequest) -> None:
    """What is stored keeps the documented limits, and keys a bot added never reach the model."""
    request.full_clean()
    for field in ("quoted_text", "explanation", "evidence_url", "name", "email", "reply"):
        assert "\x00" not in getattr(request, field), field
    assert "\r" not in request.email and "\n" not in request.email
    assert "\r" not in request.name and "\n" not in request.name
    for field, limit in MAX.items():
        assert len(getattr(request, field)) <= limit, field
    assert request.explanation.strip()
    assert REFERENCE.match(request.reference)
    assert re.fullmatch(r"[0-9a-f]{64}", request.ip_hash)
    assert request.evidence_url == "" or request.evidence_url.lower().startswith(("http://", "https://"))
    assert request.status == CorrectionRequest.Status.RECEIVED
    assert request.assigned_to_id is None and request.decided_by_id is None and request.decided_at is None
    assert request.reply == "" and request.duplicate_of_id is None


def assert_link_kept(sent: str, stored: str, *, exactly: bool) -> None:
    """The stored link is the one sent: same host, an http(s) scheme (https when none was given); for a
    plain link, everything after the scheme is kept as sent, the host in lower case and an empty path
    written "/"."""
    sent = sent.strip()
    if not sent:
        assert stored == ""
        return
    assert stored.lower().startswith(("http://", "https://"))
    assert urlsplit(stored).hostname and urlsplit(stored).hostname in sent.lower()
    if exactly:
        host, slash, path = sent.split("://", 1)[-1].partition("/")
        assert stored.split("://", 1)[1] == host.lower() + "/" + path


@pytest.fixture
def open_limits(settings):
    settings.CORRECTIONS_RATE_LIMIT = (10**6, 600)
    settings.CORRECTIONS_ARTICLE_CAP = (10**6, 3600)
    cache.clear()
    yield settings
    cache.clear()


@hypothesis_settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=bodies())
def test_every_generated_body_gets_a_clear_answer_and_only_what_was_sent_is_stored(
    client, published_article, open_limits, body
):
    try:
        post_and_check(client, published_article, open_limits, body)
    except BaseException:
        RUN["failed"] = True  # reported by Hypothesis; the after-run checks would only add noise
        raise


def post_and_check(client, published_article, open_limits, body) -> None:
    values = posted(body["fields"])
    note(f"mode: {body['mode']}, broken: {body['bad']}, started: {body['started']}")
    note(f"values as posted: { ({k: v[:200] for k, v in values.items()})!r}")
    before = set(CorrectionRequest.objects.values_list("pk", flat=True))
    sent_before = set(OutgoingEmail.objects.values_list("pk", flat=True))
    data, content_type = encode(body)
    url = f"/articles/{published_article.slug}/corrections/new/"
    response = client.post(url, data, **({"content_type": content_type} if content_type else {}))
    status = response.status_code
    RUN["statuses"][status] += 1
    event(f"{body['mode']} {body['bad'] or ''}: {status}")
    note(f"status: {status}")
    new = list(CorrectionRequest.objects.exclude(pk__in=before))
    page = response.content.decode()

    assert status in {200, 302, 400, 413}, f"unexpected status {status}"
    for payload in XSS:
        if "<" in payload:
            assert payload not in page, "a script payload came back unescaped"
    if status != 302:
        assert new == [], "a refused or dropped body was stored"
        assert not OutgoingEmail.objects.exclude(pk__in=sent_before).exists(), "an e-mail went out"
    over_size = int(response.request["CONTENT_LENGTH"]) > open_limits.CORRECTIONS_MAX_BODY_BYTES
    assert (status == 413) == over_size
    bot = bool(values["website"].strip())  # only the hidden field filled in is dropped
    too_fast = body["started"] == "too_fast"  # kept, held for the desk

    if status == 302:
        sent = OutgoingEmail.objects.exclude(pk__in=sent_before)
        check_accepted(client, response, new, sent, values, exact_link=body["mode"] != "chaos")
        assert not bot, "a body with the hidden field filled in was stored"
        assert new[0].suspected_automated == too_fast, "sent too fast, and only then, is suspected"
    elif status == 200:
        assert bot, "a person's report was dropped"
        assert "Your report has been received." in page
    elif status == 400:
        check_refused(page)
    else:
        assert "Your report is too long to send." in page

    # The size limit is checked first: a report within every field's limit can still be too big to send
    # (5,000 emoji are 60 kB url-encoded).
    if over_size or body["mode"] == "chaos":
        return
    if body["mode"] == "valid":
        assert status == (200 if bot else 302), "a valid report was not accepted"
    elif body["bad"] == "size":
        raise AssertionError("the oversized body was not over the size limit")
    else:
        assert status == 400, f"a report with a broken {body['bad']} was not refused"
        assert refused_fields(page) == {body["bad"]}, "the message must name the broken field, and only it"


def check_accepted(client, response, new: list, sent, values: dict[str, str], *, exact_link: bool) -> None:
    """One request stored, equal to what was posted (stripped), acknowledged once, shown to its reader."""
    assert len(new) == 1, f"{len(new)} requests stored for one report"
    (stored,) = new
    assert response.headers["Location"] == stored.get_status_url()
    assert_clean(stored)
    for field in ("quoted_text", "explanation", "name", "email"):
        assert getattr(stored, field) == values[field].strip(), field
    assert_link_kept(values["evidence_url"], stored.evidence_url, exactly=exact_link)
    acknowledged = [(email.template, email.to) for email in sent]
    told = stored.email and not stored.suspected_automated  # a suspected one is told once released
    assert acknowledged == ([("correction-received", stored.email)] if told else [])
    status_page = client.get(response.headers["Location"]).content.decode()
    assert stored.reference in status_page
    for payload in XSS:
        if "<" in payload:
            assert payload not in status_page


def check_refused(page: str) -> None:
    """The form again, with a message beside each refused field (or above the form for the token)."""
    assert '<form method="post" class="report-form"' in page
    assert refused_fields(page), "the form came back without saying what is wrong"
    shown = messages(page)
    assert shown and all(len(text) > 5 and text.endswith(".") for text in shown), shown


@pytest.fixture(autouse=True)
def after_the_run(db):
    """Once the examples are done: every stored request is clean, every e-mail went to a one-line
    address, and the run both accepted and refused reports."""
    RUN["statuses"].clear()
    RUN["failed"] = False
    yield
    statuses = RUN["statuses"]
    if RUN["failed"] or not statuses:
        return
    stored = list(CorrectionRequest.objects.all())
    assert stored, statuses
    for request in stored:
        assert_clean(request)
    for email in OutgoingEmail.objects.all():
        assert not set(email.to) & set("\r\n\x00") and not set(email.subject) & set("\r\n")
    acknowledged = OutgoingEmail.objects.filter(template="correction-received").count()
    assert acknowledged == sum(1 for request in stored if request.email and not request.suspected_automated)
    # Stored and refused answers appear in every run by construction of the strategy.
    assert {302, 400} <= set(statuses), statuses
