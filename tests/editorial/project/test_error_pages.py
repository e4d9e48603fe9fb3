"""The error pages: the site's own 400, 403 and 404 pages, and a 500 page that needs neither the
database nor the request, so that it still shows when they are what failed."""

from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory

from editorial import errors


def test_it_answers_an_unknown_address_with_the_sites_404_page(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "Page not found" in text and 'class="site-header"' in text


def test_it_shows_the_reason_of_a_refusal_on_the_403_page(db):
    request = RequestFactory().get("/admin/")
    response = errors.permission_denied(request, PermissionDenied("Only an editor may publish."))
    assert response.status_code == 403
    assert "Only an editor may publish." in response.content.decode()


def test_it_renders_the_500_page_without_the_database():
    # No `db` fixture: a query here would fail the test.
    response = errors.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    text = response.content.decode()
    assert "Something went wrong" in text and "/static/css/site.css" in text


def test_it_answers_a_failing_view_with_the_500_page(db):
    client = Client(raise_request_exception=False)
    with mock.patch("editorial.views.reverse", side_effect=RuntimeError("broken")):
        response = client.get("/robots.txt")
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


@pytest.mark.parametrize("handler", [errors.bad_request, errors.page_not_found])
def test_it_sends_a_plain_page_when_the_sites_page_cannot_be_rendered(db, handler):
    with mock.patch("editorial.errors.render", side_effect=RuntimeError("template broken")):
        response = handler(RequestFactory().get("/"), Exception())
    assert response.status_code in (400, 404)
    assert response.content.startswith(b"<!doctype html>")


def test_it_sends_a_plain_500_page_when_its_template_cannot_be_rendered():
    with mock.patch("editorial.errors.loader.get_template", side_effect=RuntimeError("broken")):
        response = errors.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert b"Something went wrong" in response.content
