"""A GIN index of the versions' weighted search vector, for readers' search over the live versions.

An expression index, not a stored vector: the live text is the version rows an article's live_version
points to, rows that are never edited, so an index of their own expression can never be stale, and it
needs no column, trigger or second copy kept in step with every move of the live pointer. Its expression
is articles.search.document() (title A, standfirst B, body C, in SEARCH_LANGUAGE as set when this runs),
which queries build word for word; the index is PostgreSQL's only (SQLite searches without one) and is
kept out of the migration state, as the model (simple-history's) cannot declare it.
"""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

LANGUAGE = settings.SEARCH_LANGUAGE

INDEX = GinIndex(
    SearchVector("title", weight="A", config=LANGUAGE)
    + SearchVector("dek", weight="B", config=LANGUAGE)
    + SearchVector("body", weight="C", config=LANGUAGE),
    name="version_search",
)


class AddIndexOnPostgres(migrations.AddIndex):
    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [("articles", "0011_listings")]

    operations = [AddIndexOnPostgres(model_name="historicalarticle", index=INDEX)]
