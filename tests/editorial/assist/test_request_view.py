"""Asking for a job from the admin names an article by its id: anything else is refused, never a 500."""

import pytest
from django.test import Client

from editorial.models import AssistJob


@pytest.mark.parametrize("article", ["abc", "", "1.5", "\x00", "9" * 30, "١"])
def test_it_refuses_a_request_whose_article_is_not_an_article_id(bob, article):
    client = Client(raise_request_exception=False)
    client.force_login(bob)
    response = client.post("/admin/editorial/assistjob/request/", {"article": article, "kind": "metadata"})
    assert response.status_code in (400, 404)
    assert not AssistJob.objects.exists()
