"""Other parts plug into articles through its hooks: panels on the change form, bulk actions on the
list, publish-gate checks."""

import pytest
from django.contrib import admin

from articles import gate, hooks
from articles.gate import Problem
from tests.factories import ArticleFactory


def test_it_refuses_a_hook_that_does_not_exist():
    with pytest.raises(ValueError, match="No hook named"):
        hooks.register("article_panel", lambda request, article: None)


def test_it_registers_a_function_once_and_removes_a_temporary_one():
    def check(article):
        return []

    before = hooks.get_hooks(hooks.PUBLISH_CHECKS)
    with hooks.register_temporarily(hooks.PUBLISH_CHECKS, check):
        hooks.register(hooks.PUBLISH_CHECKS, check)
        assert hooks.get_hooks(hooks.PUBLISH_CHECKS) == [*before, check]
    assert hooks.get_hooks(hooks.PUBLISH_CHECKS) == before


def test_the_gate_asks_every_registered_check(alice):
    def held(article):
        yield Problem("Held by the legal desk.")

    article = ArticleFactory(author=alice.person)
    with hooks.register_temporarily(hooks.PUBLISH_CHECKS, held):
        assert Problem("Held by the legal desk.") in gate.problems(article)
    assert Problem("Held by the legal desk.") not in gate.problems(article)


def test_the_change_form_shows_the_registered_panels(client, bob):
    def panel(request, article):
        return hooks.Panel("admin/editorial/claim/_article_panel.html", {"claim_counts": {}}, place="tools")

    article = ArticleFactory(author=bob.person)
    client.force_login(bob)
    url = f"/admin/articles/article/{article.pk}/change/"
    assert client.get(url).content.decode().count("no claims in the queue") == 1
    with hooks.register_temporarily(hooks.ARTICLE_PANELS, panel):
        assert client.get(url).content.decode().count("no claims in the queue") == 2


def test_the_article_list_offers_the_registered_bulk_actions(client, bob):
    @admin.action(description="Send to the legal desk")
    def send_to_legal(modeladmin, request, queryset):
        pass

    ArticleFactory(author=bob.person)
    client.force_login(bob)
    with hooks.register_temporarily(hooks.ARTICLE_ACTIONS, send_to_legal):
        html = client.get("/admin/articles/article/").content.decode()
    assert 'value="send_to_legal"' in html and "Send to the legal desk" in html
    assert 'value="ask_ai_claims"' in html
