"""Two people edit one article in two browsers: the second save shows both texts and loses neither."""

import os
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from articles.models import Article
from editorial import demo_content as demo
from tests.e2e.conftest import log_in

AUTHORS_WORDS = "A sentence the author added in her browser."
EDITORS_WORDS = "A sentence the editor added in his browser."


def _type_at_the_end(page: Page, words: str) -> None:
    body = page.locator("#article_form #id_body")
    body.fill(body.input_value() + "\n\n" + words)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_second_save_shows_the_conflict_and_keeps_both_texts(page: Page, live_server):
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    article = Article.objects.get(slug=demo.PUBLISHED_SLUG)
    base = live_server.url
    change_url = f"{base}/admin/articles/article/{article.pk}/change/"
    problems: list[str] = []
    editor_context = page.context.browser.new_context()
    try:
        author, editor = page, editor_context.new_page()
        for who, tab in (("author", author), ("editor", editor)):
            tab.on("pageerror", lambda exc, who=who: problems.append(f"{who}: {exc}"))
            log_in(tab, base, who)

        # Both open the form; the one who opens second is told who else is editing.
        author.goto(change_url)
        editor.goto(change_url)
        expect(editor.locator(".editing-notice")).to_contain_text("has been editing since")

        # The editor saves first.
        _type_at_the_end(editor, EDITORS_WORDS)
        editor.locator("input[name=_continue]").click()
        expect(editor.locator(".messagelist .success")).to_contain_text("was changed successfully")

        # The author saves over an older version: refused, both texts shown, hers still in the form.
        _type_at_the_end(author, AUTHORS_WORDS)
        author.locator("input[name=_continue]").click()
        conflict = author.locator(".edit-conflict")
        expect(conflict).to_contain_text("Someone saved a newer version while you were editing")
        expect(conflict.locator("ins", has_text="editor")).not_to_have_count(0)
        expect(author.locator("#article_form #id_body")).to_have_value(re.compile(re.escape(AUTHORS_WORDS)))
        article.refresh_from_db()
        assert EDITORS_WORDS in article.body and AUTHORS_WORDS not in article.body

        # She merges the editor's sentence into her text and saves: now both are in the article.
        body = author.locator("#article_form #id_body")
        body.fill(body.input_value() + "\n\n" + EDITORS_WORDS)
        author.locator("input[name=_continue]").click()
        expect(author.locator(".messagelist .success")).to_contain_text("was changed successfully")
        article.refresh_from_db()
        assert AUTHORS_WORDS in article.body and EDITORS_WORDS in article.body
        assert not problems, problems
    finally:
        editor_context.close()
