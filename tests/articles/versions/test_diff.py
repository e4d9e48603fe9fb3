from articles.diff import version_diff, word_diff
from tests.factories import ArticleFactory


def test_it_marks_removed_and_added_words():
    html, inserted, deleted = word_diff(
        "The council approved 12 homes.", "The council approved 21 new homes."
    )
    assert html == "The council approved <del>12</del><ins>21 new</ins> homes."
    assert (inserted, deleted) == (2, 1)


def test_it_escapes_both_texts():
    html, _, _ = word_diff("<b>old</b>", "<script>alert(1)</script>")
    assert html == (
        "&lt;<del>b</del><ins>script</ins>&gt;<del>old</del><ins>alert(1)</ins>&lt;/<del>b</del><ins>script</ins>&gt;"
    )


def test_it_reports_no_change_for_equal_texts():
    html, inserted, deleted = word_diff("Same words.", "Same words.")
    assert (str(html), inserted, deleted) == ("Same words.", 0, 0)


def test_it_compares_title_dek_body_and_people(alice, dave):
    article = ArticleFactory(author=alice.person, title="Old headline", dek="Old dek", body="Para one.")
    old = article.history.latest()
    article.title = "New headline"
    article.body = "Para one, revised."
    article.author = dave.person
    article.save()
    diffs = {d.field: d for d in version_diff(old, article.history.latest())}

    assert diffs["title"].changed and str(diffs["title"].html) == "<del>Old</del><ins>New</ins> headline"
    assert not diffs["dek"].changed
    assert str(diffs["body"].html) == "Para one<ins>, revised</ins>."
    assert str(diffs["author"].html) == "<del>Alice</del><ins>Dave</ins>"


def test_it_compares_against_nothing_for_a_first_version(alice):
    article = ArticleFactory(author=alice.person, title="Brand new")
    diffs = {d.field: d for d in version_diff(None, article.history.latest())}
    assert str(diffs["title"].html) == "<ins>Brand new</ins>"


def test_it_shows_readers_only_the_changed_paragraphs():
    from articles.diff import changed_paragraphs

    old = "First paragraph stays.\n\nThe vote was 6-3.\n\nLast paragraph stays."
    new = "First paragraph stays.\n\nThe vote was 7-2.\n\nLast paragraph stays.\n\nA new closing line."
    assert [str(h) for h in changed_paragraphs(old, new)] == [
        "The vote was <del>6</del><ins>7</ins>-<del>3</del><ins>2</ins>.",
        "<ins>A new closing line.</ins>",
    ]


def test_it_unwraps_prose_for_readers_but_keeps_tables():
    from articles.diff import changed_paragraphs

    old = "A wrapped\nsentence of 12.\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    new = "A wrapped\nsentence of 13.\n\n| a | b |\n|---|---|\n| 1 | 3 |"
    assert [str(h) for h in changed_paragraphs(old, new)] == [
        "A wrapped sentence of <del>12</del><ins>13</ins>.\n\n"
        "| a | b |\n|---|---|\n| 1 | <del>2</del><ins>3</ins> |"
    ]
