import pytest

from editorial.models import PolicyPage


@pytest.mark.parametrize("slug", ["corrections-policy", "ai-use-policy", "publishing-principles"])
def test_it_publishes_each_policy_at_a_stable_address(client, db, slug):
    response = client.get(f"/policies/{slug}/")
    assert response.status_code == 200
    assert PolicyPage.objects.get(slug=slug).title in response.content.decode()


def test_it_lets_an_editor_rewrite_a_policy(client, bob):
    page = PolicyPage.objects.get(slug="corrections-policy")
    client.force_login(bob)
    response = client.post(
        f"/admin/editorial/policypage/{page.pk}/change/",
        {"title": "Corrections", "body": "We fix **errors**."},
    )
    assert response.status_code == 302
    assert "We fix <strong>errors</strong>." in client.get("/policies/corrections-policy/").content.decode()
    assert page.history.latest().history_user == bob


def test_it_keeps_authors_from_rewriting_policies(client, alice):
    page = PolicyPage.objects.get(slug="corrections-policy")
    client.force_login(alice)
    response = client.post(f"/admin/editorial/policypage/{page.pk}/change/", {"title": "x", "body": "y"})
    assert response.status_code == 403
