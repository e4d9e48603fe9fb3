"""A publication's update note and the reason for overriding the gate are columns of the transition,
and the migration moves them out of the notes they were written into before."""

import importlib

from django.apps import apps

from articles import services
from articles.models import Transition

migration = importlib.import_module("articles.migrations.0007_transition_update_note_override_reason")


def test_a_publication_records_its_update_note_apart_from_the_reviewers_note(published_article, alice, bob):
    published_article.body += "\n\nThe council approved 40 homes after a second vote."
    published_article.save()
    services.article_submit(published_article, by=alice, note="Second vote added.")
    services.article_approve(published_article, by=bob)
    services.article_publish(published_article, by=bob, update_note="  A second vote raised the number.  ")

    move = published_article.transitions.last()
    assert (move.note, move.update_note, move.override_reason) == ("", "A second vote raised the number.", "")


def _old_move(article, user, to_status: str, note: str) -> Transition:
    return Transition.objects.create(
        article=article, from_status="approved", to_status=to_status, by=user, note=note,
        version=article.live_version,
    )  # fmt: skip


def test_the_migration_takes_the_prefixed_lines_out_of_old_notes(published_article, bob):
    published = _old_move(
        published_article, bob, "published", "Gate overridden: Checked by phone.\nUpdate: Two more homes."
    )
    scheduled = _old_move(published_article, bob, "scheduled", "The desk confirmed the figures.")
    plain = _old_move(published_article, bob, "published", "A line that is neither.")

    migration.split_notes(apps, None)

    published.refresh_from_db(), scheduled.refresh_from_db(), plain.refresh_from_db()
    assert (published.note, published.override_reason, published.update_note) == (
        "", "Checked by phone.", "Two more homes.",
    )  # fmt: skip
    assert (scheduled.note, scheduled.override_reason) == ("", "The desk confirmed the figures.")
    assert (plain.note, plain.override_reason, plain.update_note) == ("A line that is neither.", "", "")

    migration.join_notes(apps, None)
    published.refresh_from_db(), scheduled.refresh_from_db()
    assert published.note == "Gate overridden: Checked by phone.\nUpdate: Two more homes."
    assert scheduled.note == "The desk confirmed the figures."
