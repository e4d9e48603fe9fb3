"""An article's topics and entities become part of its versions, entities' descriptions move onto the
article (what readers are told about an entity belongs to the version they read), and versions are
numbered within their article.

Existing versions get the topics and entities their article has now (the only record there is: until now
the page showed the working copy's), and every fingerprint is recomputed with them."""

import hashlib
import json
import re

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

SNAPSHOT_FIELDS = ("title", "dek", "body", "seo_description", "author_id", "editor_id", "slug")

# What the offline provider wrote when it knew nothing of a name: not a description readers should see.
BOILERPLATE = re.compile(
    r"^(Name mentioned|Organisation named|Place named|Person (quoted|named)) in the article\b"
)


def content_hash(obj, related) -> str:
    values = [getattr(obj, field) for field in SNAPSHOT_FIELDS]
    return hashlib.sha256(json.dumps([values, related], default=str).encode()).hexdigest()


def move_descriptions(apps, schema_editor):
    ArticleEntity = apps.get_model("articles", "ArticleEntity")
    for link in ArticleEntity.objects.select_related("entity").iterator():
        description = link.entity.description
        if description and not BOILERPLATE.match(description):
            ArticleEntity.objects.filter(pk=link.pk).update(description=description)


def restore_descriptions(apps, schema_editor):
    ArticleEntity = apps.get_model("articles", "ArticleEntity")
    Entity = apps.get_model("articles", "Entity")
    for link in ArticleEntity.objects.exclude(description="").iterator():
        Entity.objects.filter(pk=link.entity_id, description="").update(description=link.description)


def backfill_versions(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    HistoricalArticle = apps.get_model("articles", "HistoricalArticle")
    Topics = apps.get_model("articles", "HistoricalArticle_topics")
    Entities = apps.get_model("articles", "HistoricalArticleEntity")
    ArticleEntity = apps.get_model("articles", "ArticleEntity")
    Through = Article.topics.through
    for article in Article.objects.iterator():
        topics = list(Through.objects.filter(article_id=article.pk).values("id", "topic_id"))
        links = list(ArticleEntity.objects.filter(article_id=article.pk).values())
        related = {
            "topics": sorted(t["topic_id"] for t in topics),
            "entities": sorted([link["entity_id"], link["description"]] for link in links),
        }
        versions = HistoricalArticle.objects.filter(id=article.pk).order_by("history_date", "history_id")
        for number, version in enumerate(versions.iterator(), start=1):
            Topics.objects.bulk_create(
                Topics(history_id=version.history_id, article_id=article.pk, **topic) for topic in topics
            )
            Entities.objects.bulk_create(
                Entities(history_id=version.history_id, **link) for link in links
            )
            HistoricalArticle.objects.filter(pk=version.pk).update(
                number=number, content_hash=content_hash(version, related)
            )
        Article.objects.filter(pk=article.pk).update(content_hash=content_hash(article, related))


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0009_article_overdue'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='articleentity',
            options={'ordering': ['entity__cluster', 'entity__name'], 'verbose_name': 'entity in the article', 'verbose_name_plural': 'entities in the article'},
        ),
        migrations.AddField(
            model_name='articleentity',
            name='description',
            field=models.CharField(blank=True, help_text='One line for readers: who or what it is. Readers see the entity only once it has one.', max_length=300),
        ),
        migrations.RunPython(move_descriptions, restore_descriptions),
        migrations.RemoveField(
            model_name='entity',
            name='description',
        ),
        migrations.AddField(
            model_name='article',
            name='entities',
            field=models.ManyToManyField(blank=True, related_name='articles', through='articles.ArticleEntity', to='articles.entity'),
        ),
        migrations.AddField(
            model_name='historicalarticle',
            name='number',
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AlterField(
            model_name='entity',
            name='aliases',
            field=models.JSONField(blank=True, default=list, help_text='Other names it goes by in the text, as a list: ["IEA"]. The publish gate accepts any.'),
        ),
        migrations.CreateModel(
            name='HistoricalArticle_topics',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('m2m_history_id', models.AutoField(primary_key=True, serialize=False)),
                ('article', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='articles.article')),
                ('history', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, to='articles.historicalarticle')),
                ('topic', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='articles.topic')),
            ],
            options={
                'verbose_name': 'HistoricalArticle_topics',
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalArticleEntity',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('description', models.CharField(blank=True, help_text='One line for readers: who or what it is. Readers see the entity only once it has one.', max_length=300)),
                ('accepted_at', models.DateTimeField(blank=True, editable=False)),
                ('m2m_history_id', models.AutoField(primary_key=True, serialize=False)),
                ('accepted_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('article', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='articles.article')),
                ('entity', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='articles.entity')),
                ('history', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, to='articles.historicalarticle')),
            ],
            options={
                'verbose_name': 'HistoricalArticleEntity',
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.RunPython(backfill_versions, migrations.RunPython.noop),
    ]
