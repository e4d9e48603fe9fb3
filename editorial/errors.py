"""What a request that goes wrong is answered with: the error pages, and a 400 for a body or a
Content-Type header that cannot be read.

Django's own error views are wrapped in requires_csrf_token, which reads the body again for the CSRF
token: when reading it was what failed (a form in another charset, too many fields), that second read
fails as well and the answer is a 500. These views never read the body, and never fail themselves: a page
that cannot be rendered is answered with a plain one.
"""

from __future__ import annotations

import codecs
import logging
from collections.abc import Callable, Iterable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils.csp import build_policy
from django.utils.http import parse_header_parameters

log = logging.getLogger(__name__)

FORM = "application/x-www-form-urlencoded"
OTHER_CHARSET = (
    "This form was sent in a character set this site cannot read ({charset}): forms are read as "
    "UTF-8. Nothing was saved. Go back, reload the page and send it again."
)
BAD_CONTENT_TYPE = "This request's Content-Type header cannot be read. Nothing was saved."
PLAIN = "<!doctype html><title>{title}</title><h1>{title}</h1><p>{text}</p>"


def _page(request: HttpRequest, template: str, status: int, context: dict, title: str) -> HttpResponse:
    try:
        return render(request, template, context, status=status)
    except Exception:
        log.exception("the %s page could not be rendered; a plain one is sent", status)
        return HttpResponse(PLAIN.format(title=title, text=""), status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None, message: str = "") -> HttpResponse:
    """handler400. The exception's text is not shown: Django's say more than readers need."""
    return _page(request, "400.html", 400, {"message": message}, "Your request could not be read")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler403: the reason the refusal gave (a workflow step's "only editors may…"), if any."""
    return _page(request, "403.html", 403, {"exception": str(exception or "")}, "You may not do that")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, "404.html", 404, {}, "Page not found")


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a template rendered without the request (no context processors, no database)."""
    try:
        body = loader.get_template("500.html").render({"publisher_name": settings.PUBLISHER_NAME})
    except Exception:
        log.exception("the 500 page could not be rendered; a plain one is sent")
        body = PLAIN.format(title="Something went wrong", text="Please try again in a moment.")
    return HttpResponse(body, status=500)


class UnreadableBodyMiddleware:
    """Early in the stack: a form posted in a charset other than UTF-8 is answered 400, saying why, before
    anything reads it (Django refuses to decode it, on the first read of request.POST wherever that is:
    the sign-in gate, the CSRF check, a view). UTF-8 under another name ("utf8") is read as UTF-8."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        charset = request.encoding
        if request.method == "POST" and request.content_type == FORM and charset:
            if codecs.lookup(charset).name == "utf-8":
                request.encoding = "utf-8"
            else:
                return self.refuse(request, OTHER_CHARSET.format(charset=charset))
        return self.get_response(request)

    def refuse(self, request: HttpRequest, message: str) -> HttpResponse:
        response = bad_request(request, message=message)
        # The headers the later middleware would add.
        response["X-Frame-Options"] = "DENY"
        policy: dict = settings.SECURE_CSP
        response["Content-Security-Policy"] = build_policy(policy)
        response["Cache-Control"] = "no-store"
        return response


def readable_content_type(application: Callable) -> Callable:
    """A WSGI application that answers 400 for a Content-Type header Django cannot parse (too long, a
    parameter in an unknown RFC 2231 charset). Django parses it while making the request, before any
    middleware or error view runs, so its BadRequest would reach the server as a 500."""

    def app(environ: dict, start_response: Callable) -> Iterable[bytes]:
        try:
            parse_header_parameters(environ.get("CONTENT_TYPE", ""))
        except ValueError:
            start_response("400 Bad Request", [("Content-Type", "text/plain; charset=utf-8")])
            return [BAD_CONTENT_TYPE.encode()]
        return application(environ, start_response)

    return app
