"""Fill content_hash for existing articles and versions, approved_version for published ones."""

import hashlib
import json

from django.db import migrations

# The fingerprint as it was defined when this migration was written (later ones redefine it).
CONTENT_FIELDS = ("title", "dek", "body", "seo_description", "author_id", "editor_id")


def content_hash(obj) -> str:
    values = [getattr(obj, field) for field in CONTENT_FIELDS]
    return hashlib.sha256(json.dumps(values, default=str).encode()).hexdigest()


def backfill(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    HistoricalArticle = apps.get_model("articles", "HistoricalArticle")
    for version in HistoricalArticle.objects.filter(content_hash="").iterator():
        HistoricalArticle.objects.filter(pk=version.pk).update(content_hash=content_hash(version))
    for article in Article.objects.filter(content_hash="").iterator():
        updates = {"content_hash": content_hash(article)}
        if article.live_version_id and not article.approved_version_id:
            updates["approved_version_id"] = article.live_version_id
        # Migration models have no history manager: this update writes no version, as intended.
        Article.objects.filter(pk=article.pk).update(**updates)


class Migration(migrations.Migration):
    dependencies = [("articles", "0002_review_workflow")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
