"""Evidence link checks against a real HTTP server on 127.0.0.1 (pytest-httpserver)."""

import time

import pytest
from werkzeug import Response

from editorial import services, web_client
from editorial.models import Evidence

PAGE = """<html><head><title>Minutes</title><script>var x = "The council approved 99 homes";</script></head>
<body><h1>Council minutes</h1><p>Item 3: the budget was delayed.</p>
<p>Item 4: The council approved 12 new homes on the riverside site, the mayor said afterwards.</p>
</body></html>"""


@pytest.fixture
def allow_test_server(settings, httpserver):
    settings.FACTCHECK_ALLOWED_HOSTS = [httpserver.host]
    settings.FACTCHECK_FETCH_TIMEOUT = 1.5
    return httpserver


@pytest.fixture
def evidence(published_article, carol):
    claim = services.claim_add(published_article, by=carol, text="The council approved 12 new homes")
    return lambda url: services.evidence_add(claim, by=carol, url=url, title="Minutes")


def check(evidence) -> Evidence:
    return services.evidence_check_link(evidence.pk)


def test_it_marks_a_reachable_page_and_offers_the_matching_passage(allow_test_server, evidence):
    allow_test_server.expect_request("/minutes").respond_with_data(
        PAGE, content_type="text/html; charset=utf-8"
    )
    result = check(evidence(allow_test_server.url_for("/minutes")))
    assert (result.link_status, result.link_detail) == ("ok", "200 text/html")
    assert result.suggested_quote.startswith("Item 4: The council approved 12 new homes")
    assert result.match_score > 0.9
    assert result.checked_at is not None


def test_it_marks_a_404_as_broken(allow_test_server, evidence):
    allow_test_server.expect_request("/gone").respond_with_data("no", status=404)
    result = check(evidence(allow_test_server.url_for("/gone")))
    assert (result.link_status, result.link_detail) == ("broken", "The server answered 404.")


@pytest.mark.parametrize(
    "target",
    [
        "http://10.1.2.3/",
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.2:8080/",
        "http://[::1]/",
        "http://0.0.0.0/",
    ],
)
def test_it_refuses_a_redirect_to_a_private_address(allow_test_server, evidence, target):
    allow_test_server.expect_request("/jump").respond_with_response(
        Response(status=302, headers={"Location": target})
    )
    result = check(evidence(allow_test_server.url_for("/jump")))
    assert result.link_status == "refused"
    assert "private or local address" in result.link_detail


def test_it_refuses_a_private_address_without_contacting_it(evidence, settings):
    settings.FACTCHECK_ALLOWED_HOSTS = []
    result = check(evidence("http://127.0.0.1:9/"))
    assert result.link_status == "refused"


def test_it_refuses_other_schemes(evidence):
    assert check(evidence("ftp://example.org/file")).link_status == "refused"


def test_it_stops_reading_an_oversized_body(allow_test_server, evidence, settings):
    settings.FACTCHECK_MAX_BYTES = 64 * 1024

    def endless(request):
        def chunks():
            for _ in range(1000):
                yield b"<p>" + b"x" * 1024 + b"</p>"

        return Response(chunks(), content_type="text/html")  # no Content-Length: must be counted

    allow_test_server.expect_request("/huge").respond_with_handler(endless)
    result = check(evidence(allow_test_server.url_for("/huge")))
    assert (result.link_status, result.link_detail) == ("too_large", "Larger than 64 KiB.")


def test_it_trusts_a_declared_oversized_length(allow_test_server, evidence, settings):
    settings.FACTCHECK_MAX_BYTES = 1024
    allow_test_server.expect_request("/big").respond_with_data("x" * 5000, content_type="text/plain")
    assert check(evidence(allow_test_server.url_for("/big"))).link_status == "too_large"


def test_it_gives_up_on_a_slow_server(allow_test_server, evidence):
    def slow(request):
        time.sleep(3)
        return Response(PAGE, content_type="text/html")

    allow_test_server.expect_request("/slow").respond_with_handler(slow)
    started = time.monotonic()
    result = check(evidence(allow_test_server.url_for("/slow")))
    assert result.link_status == "timeout"
    assert time.monotonic() - started < 3


def test_it_refuses_what_is_not_a_web_page(allow_test_server, evidence):
    allow_test_server.expect_request("/img").respond_with_data(b"\x89PNG", content_type="image/png")
    result = check(evidence(allow_test_server.url_for("/img")))
    assert (result.link_status, result.link_detail) == ("unsupported", "Not a web page (image/png).")


def test_it_follows_a_redirect_within_public_or_allowed_hosts(allow_test_server, evidence):
    allow_test_server.expect_request("/old").respond_with_response(
        Response(status=301, headers={"Location": "/minutes"})
    )
    allow_test_server.expect_request("/minutes").respond_with_data(PAGE, content_type="text/html")
    assert check(evidence(allow_test_server.url_for("/old"))).link_status == "ok"


def test_it_reads_text_not_scripts():
    text = web_client.html_to_text(PAGE)
    assert "99 homes" not in text
    assert "Item 4: The council approved 12 new homes" in text


def test_it_queues_the_check_when_evidence_is_added(
    published_article, carol, django_capture_on_commit_callbacks
):
    claim = services.claim_add(published_article, by=carol, text="The council approved 12 new homes")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.evidence_add(claim, by=carol, url="https://example.org/", title="x")
    assert len(callbacks) == 1
