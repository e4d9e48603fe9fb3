"""Every kind of AI assistance is defined once (AssistJob.Kind); everything else follows that list."""

from django.template.loader import get_template

from articles import hooks
from editorial.ai import contract, openai_compat
from editorial.ai.local import _RULES
from editorial.models import AssistJob


def test_every_kind_has_a_schema_a_prompt_local_rules_and_an_output_page():
    kinds = set(AssistJob.Kind)
    assert set(contract.KINDS) == kinds
    assert set(contract.SCHEMAS) == kinds
    assert set(openai_compat.TASKS) == kinds
    assert set(_RULES) == kinds
    for kind in AssistJob.Kind:
        get_template(f"admin/editorial/assistjob/output/{kind}.html")
        assert kind.ask and kind.told_readers


def test_the_article_list_asks_for_every_kind_but_rewrites_in_bulk():
    names = {action.__name__ for action in hooks.get_hooks(hooks.ARTICLE_ACTIONS)}
    assert names == {f"ask_ai_{kind}" for kind in AssistJob.Kind if kind != AssistJob.Kind.SUGGEST}
