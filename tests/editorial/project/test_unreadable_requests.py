"""A request whose body or Content-Type header cannot be read is answered 400 with a clear message, on
every address that takes a form, even with a CSRF cookie (whose check reads the form): never a 500."""

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.test import Client, RequestFactory
from django.test.client import FakePayload

from editorial.errors import readable_content_type

CSRF_COOKIE = "a" * 32  # any 32 letters are a well-formed CSRF secret: the check goes on to read the form


def stranger() -> Client:
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.cookies["csrftoken"] = CSRF_COOKIE
    return client


def post(client: Client, path: str, charset: str):
    body = f"csrfmiddlewaretoken={CSRF_COOKIE}&username=sam&password=caf%E9".encode()
    content_type = f"application/x-www-form-urlencoded; charset={charset}"
    return client.post(path, body, content_type=content_type)


@pytest.mark.parametrize("charset", ["latin-1", "utf-16"])
def test_it_refuses_a_report_in_another_charset_with_a_message(published_article, charset):
    response = post(stranger(), f"/articles/{published_article.slug}/corrections/new/", charset)
    assert response.status_code == 400
    text = response.content.decode()
    assert f"This form was sent in a character set this site cannot read ({charset})" in text
    assert 'class="site-header"' in text  # the site's own page
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("charset", ["latin-1", "utf-16"])
def test_it_refuses_a_sign_in_in_another_charset_with_a_message(db, charset):
    response = post(stranger(), "/admin/login/", charset)
    assert response.status_code == 400
    assert "forms are read as UTF-8" in response.content.decode()


def test_it_refuses_a_form_in_another_charset_at_an_address_that_does_not_exist(db):
    assert post(stranger(), "/no-such-page/", "latin-1").status_code == 400


def test_it_reads_utf8_under_another_name(db):
    client = Client(raise_request_exception=False)
    body = b"username=sam&password=wrong"
    response = client.post(
        "/admin/login/", body, content_type="application/x-www-form-urlencoded; charset=UTF8"
    )
    assert response.status_code == 200
    assert "Please enter the correct username and password" in response.content.decode()


@pytest.mark.parametrize("fields", [1001, 5000])
def test_it_answers_too_many_fields_with_the_sites_400_page(published_article, fields):
    body = "&".join(f"f{i}=x" for i in range(fields))
    response = stranger().post(
        f"/articles/{published_article.slug}/corrections/new/",
        body,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert "Your request could not be read" in response.content.decode()


@pytest.mark.parametrize(
    "content_type",
    [
        "application/x-www-form-urlencoded; charset*=bogus''utf-8",
        "multipart/form-data; boundary=" + "x" * 10_000,
    ],
)
def test_it_answers_400_for_a_content_type_header_it_cannot_parse(db, content_type):
    body = b"a=b"
    environ = RequestFactory()._base_environ(
        PATH_INFO="/admin/login/",
        REQUEST_METHOD="POST",
        CONTENT_TYPE=content_type,
        CONTENT_LENGTH=str(len(body)),
        HTTP_COOKIE=f"csrftoken={CSRF_COOKIE}",
        **{"wsgi.input": FakePayload(body)},
    )
    started = []
    answer = readable_content_type(WSGIHandler())(environ, lambda status, headers: started.append(status))
    assert started == ["400 Bad Request"]
    assert b"Content-Type header cannot be read" in b"".join(answer)
