"""Other parts plug into articles through its hooks."""

import pytest

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
