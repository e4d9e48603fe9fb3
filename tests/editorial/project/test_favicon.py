"""The newsroom's icon: linked from the public pages and the back office, and at /favicon.ico, where
browsers look for it unasked."""

from django.templatetags.static import static


def test_it_answers_favicon_ico(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    assert b"".join(response.streaming_content).startswith(b"\x00\x00\x01\x00")  # an ICO file


def test_the_public_pages_and_the_back_office_link_the_icon(client, db):
    link = f'<link rel="icon" href="{static("favicon.svg")}" type="image/svg+xml">'
    assert link in client.get("/").content.decode()
    assert link in client.get("/admin/login/").content.decode()
