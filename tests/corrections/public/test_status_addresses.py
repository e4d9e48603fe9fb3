"""A reader's status page is found by its token; an address that cannot be a token (a NUL, which
PostgreSQL refuses in a text query, other characters, an overlong one) is a 404, never a 500."""

import pytest
from django.test import Client


@pytest.mark.postgres
@pytest.mark.parametrize("token", ["%00", "a%00b", "caf%C3%A9", "%FF%FE", "a" * 300, "..%2F", "%20"])
def test_it_answers_404_for_an_address_that_cannot_be_a_token(db, token):
    client = Client(raise_request_exception=False)
    assert client.get(f"/corrections/status/{token}/").status_code == 404
