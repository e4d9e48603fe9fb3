"""Fill content_hash for existing articles and versions, approved_version for published ones."""

from django.db import migrations

from articles.models import content_hash


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
