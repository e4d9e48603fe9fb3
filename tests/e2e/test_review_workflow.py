"""An edit to a published article goes through review in the admin, author and editor each in their own
browser, while readers keep seeing the live version until the editor publishes the approved one."""

import os
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from articles.models import Article, ReviewNote, Transition
from editorial import demo_content as demo
from tests.e2e.conftest import log_in

ORIGINAL = "about 415 terawatt-hours of electricity"
FIRST_EDIT = "about 415 terawatt-hours (TWh) of electricity"
SECOND_EDIT = "about 415 terawatt-hours (terawatt-hours, TWh) of electricity"
LATER_ORIGINAL = "can draw more than 100 megawatts,"
LATER_EDIT = "can draw more than 100 megawatts (MW),"
NOTE = "Spell out the unit"


def _watch(page: Page, problems: list[str], who: str) -> Page:
    page.on("pageerror", lambda exc: problems.append(f"{who}: {exc}"))
    return page


def _edit_body(page: Page, change_url: str, old: str, new: str, note: str) -> None:
    page.goto(change_url)
    # Scoped to the article form, away from the workflow panel's own forms.
    body = page.locator("#article_form #id_body")
    text = body.input_value()
    assert old in text, f"{old!r} not in the body"
    body.fill(text.replace(old, new, 1))
    page.locator("#id_change_note").fill(note)
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
    expect(page.locator("#article_form #id_body")).to_have_value(re.compile(re.escape(new)))


def _act(page: Page, change_url: str, label: str, note: str | None = None) -> None:
    """From the change page, click a workflow action, optionally write the note, and confirm."""
    if not page.url.endswith(change_url):
        page.goto(change_url)
    page.locator(".workflow-panel .actions a.button", has_text=label).click()
    expect(page).to_have_url(re.compile(r"/workflow/\w+/$"))
    if note is not None:
        page.locator("textarea[name=note]").fill(note)
    page.locator("input[name=confirm]").click()
    expect(page).to_have_url(change_url)
    expect(page.locator(".messagelist .success")).to_contain_text(f"{label}: done.")


def _public_body(page: Page, public_url: str):
    page.goto(public_url)
    return page.locator(".story-body")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_edit_to_a_live_article_is_reviewed_before_readers_see_it(page: Page, live_server):
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    article = Article.objects.get(slug=demo.PUBLISHED_SLUG)
    seeded_transitions = set(Transition.objects.filter(article=article).values_list("pk", flat=True))
    base = live_server.url
    change_url = f"{base}/admin/articles/article/{article.pk}/change/"
    public_url = f"{base}/articles/{demo.PUBLISHED_SLUG}/"
    problems: list[str] = []

    browser = page.context.browser
    editor_context, reader_context = browser.new_context(), browser.new_context()
    try:
        author = _watch(page, problems, "author")
        editor = _watch(editor_context.new_page(), problems, "editor")
        reader = _watch(reader_context.new_page(), problems, "reader")
        expect(_public_body(reader, public_url)).to_contain_text(ORIGINAL)
        _author_edits_the_live_article_and_submits_it(author, base, change_url)
        _readers_still_see_the_live_version(reader, public_url)
        _editor_reviews_the_change_and_sends_it_back(editor, base, change_url, article)
        _author_reads_the_note_edits_again_and_resubmits(author, change_url)
        _editor_approves_and_publishes_the_new_change(editor, change_url)
        _readers_see_the_approved_text(reader, public_url)
        _a_later_edit_stays_in_the_working_copy(author, reader, change_url, public_url)
    finally:
        editor_context.close()
        reader_context.close()

    _the_article_and_its_moves_are_recorded(article, seeded_transitions)
    assert problems == []


def _author_edits_the_live_article_and_submits_it(author: Page, base: str, change_url: str) -> None:
    """1. The author edits the live article and submits the change for review."""
    log_in(author, base, "author")
    _edit_body(author, change_url, ORIGINAL, FIRST_EDIT, "Add the unit's abbreviation")
    expect(author.locator(".workflow-panel .state")).to_have_text("Published, with unpublished changes")
    _act(author, change_url, "Submit for review")
    expect(author.locator(".workflow-panel .state")).to_have_text("In review, with unpublished changes")


def _readers_still_see_the_live_version(reader: Page, public_url: str) -> None:
    """2. Readers still see the live version."""
    story = _public_body(reader, public_url)
    expect(story).to_contain_text(ORIGINAL)
    expect(story).not_to_contain_text("(TWh)")


def _editor_reviews_the_change_and_sends_it_back(editor: Page, base: str, change_url: str, article) -> None:
    """3. The editor reviews the change against the live version and sends it back."""
    log_in(editor, base, "editor")
    editor.goto(base + "/admin/articles/reviewqueue/")
    editor.get_by_role("link", name="Review", exact=True).click()
    expect(editor).to_have_url(re.compile(rf"/admin/articles/article/{article.pk}/compare/$"))
    body_diff = editor.locator(".diff-field[data-field=body] .text")
    expect(body_diff.locator("ins", has_text="TWh")).to_have_count(1)
    # No word removed. (The admin form strips the seeded body's trailing newline, which shows as a
    # whitespace-only <del>; so only deletions containing a word count here.)
    expect(body_diff.locator("del", has_text=re.compile(r"\w"))).to_have_count(0)
    expect(editor.locator(".diff-field[data-field=body] h3 .meta")).to_have_text("+1 / −0 words")
    _act(editor, change_url, "Request changes", note=NOTE)
    expect(editor.locator(".workflow-panel .state")).to_have_text(
        "Changes requested, with unpublished changes"
    )


def _author_reads_the_note_edits_again_and_resubmits(author: Page, change_url: str) -> None:
    """4. The author reads the note, edits again and resubmits."""
    author.goto(change_url)
    expect(author.locator(".workflow-panel")).to_contain_text(NOTE)
    _edit_body(author, change_url, FIRST_EDIT, SECOND_EDIT, "Spelled out the unit")
    _act(author, change_url, "Submit for review")


def _editor_approves_and_publishes_the_new_change(editor: Page, change_url: str) -> None:
    """5. The editor sees the new change against live, approves it and publishes it."""
    editor.goto(change_url)
    editor.locator(".workflow-panel .actions a.button", has_text="Approve").click()
    body_diff = editor.locator(".diff-field[data-field=body] .text")
    expect(body_diff.locator("ins", has_text="TWh")).to_have_count(1)
    editor.locator("input[name=confirm]").click()
    expect(editor.locator(".messagelist .success")).to_contain_text("Approve: done.")
    expect(editor.locator(".workflow-panel .gate.ok")).to_be_visible()
    _act(editor, change_url, "Publish now")
    expect(editor.locator(".workflow-panel .state")).to_have_text("Published")


def _readers_see_the_approved_text(reader: Page, public_url: str) -> None:
    """6. Readers now see the approved text."""
    story = _public_body(reader, public_url)
    expect(story).to_contain_text(SECOND_EDIT)
    expect(story).not_to_contain_text("(TWh)")


def _a_later_edit_stays_in_the_working_copy(
    author: Page, reader: Page, change_url: str, public_url: str
) -> None:
    """7. A later edit stays in the working copy: readers keep the published version."""
    _edit_body(author, change_url, LATER_ORIGINAL, LATER_EDIT, "Add the unit's abbreviation")
    expect(author.locator(".workflow-panel .state")).to_have_text("Published, with unpublished changes")
    story = _public_body(reader, public_url)
    expect(story).to_contain_text(SECOND_EDIT)
    expect(story).to_contain_text(LATER_ORIGINAL)
    expect(story).not_to_contain_text("(MW)")


def _the_article_and_its_moves_are_recorded(article: Article, seeded_transitions: set[int]) -> None:
    """The live and working versions as stored, and the five moves of the review with who made them."""
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert SECOND_EDIT in article.live_version.body
    assert LATER_EDIT not in article.live_version.body
    assert LATER_EDIT in article.body
    assert article.approved_version_id == article.live_version_id
    moves = Transition.objects.filter(article=article).exclude(pk__in=seeded_transitions).order_by("at", "pk")
    assert [(t.to_status, t.by.username) for t in moves] == [
        (Article.Status.IN_REVIEW, "author"),
        (Article.Status.CHANGES_REQUESTED, "editor"),
        (Article.Status.IN_REVIEW, "author"),
        (Article.Status.APPROVED, "editor"),
        (Article.Status.PUBLISHED, "editor"),
    ]
    assert moves[1].note == NOTE
    assert FIRST_EDIT in moves[1].version.body
    assert moves[4].version_id == article.live_version_id
    assert ReviewNote.objects.filter(
        article=article, kind=ReviewNote.Kind.CHANGES_REQUESTED, body=NOTE, by__username="editor"
    ).exists()
