"""Fill a PostgreSQL database with a newsroom at scale, for the benchmark: run after migrate and seed_demo.

By default 100,000 live articles of 10 versions each (1,000,000 versions), one article of 1,000 versions,
their topics (kept with each version), publications, corrections, claims and readers' reports. Rows are
made by the database itself (INSERT … SELECT over generate_series): a few minutes, no Python per row.
"""

import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from articles.markdown import render_markdown

BODY = (
    "The council approved {n} new homes on the riverside site on Tuesday, after a debate that ran past "
    "midnight. The plan includes a school, a health centre and a new bus route, and building is due to "
    "start next spring.\n\nOpponents said the flood defences were not yet funded; the council said a "
    "grant had been agreed in principle and would be confirmed in the autumn budget."
)

STEPS = [
    (
        "people",
        """INSERT INTO editorial_person (name, slug, title, background, responsibilities, links)
           SELECT 'Bench Reporter ' || i, 'bench-reporter-' || i, 'Reporter', '', '', ''
           FROM generate_series(1, 100) i""",
    ),
    (
        "topics",
        """INSERT INTO articles_topic (name, slug, description)
           SELECT 'Bench topic ' || i, 'bench-topic-' || i, '' FROM generate_series(1, %(topics)s) i""",
    ),
    (
        "articles",
        """INSERT INTO articles_article (title, slug, dek, body, body_html, seo_description, status,
               published_at, created_at, modified_at, author_id, editor_id, content_hash)
           SELECT 'Bench article ' || i, 'bench-article-' || i, 'A standfirst for article ' || i,
               replace(%(body)s, '{n}', i::text), %(html)s, '', 'published',
               now() - make_interval(mins => i), now() - make_interval(mins => i + 60),
               now() - make_interval(mins => i),
               (SELECT min(id) FROM editorial_person WHERE slug LIKE 'bench-reporter-%%') + i %% 100,
               %(editor)s, 'bench'
           FROM generate_series(1, %(articles)s) i""",
    ),
    (
        "versions",
        """INSERT INTO articles_historicalarticle (id, title, slug, dek, body, body_html, seo_description,
               status, published_at, created_at, history_date, history_change_reason, history_type,
               author_id, editor_id, history_user_id, content_hash, number)
           SELECT a.id, a.title, a.slug, a.dek, a.body, a.body_html, '', a.status, a.published_at,
               a.created_at, a.created_at + make_interval(secs => v), 'Edited',
               CASE WHEN v = 1 THEN '+' ELSE '~' END, a.author_id, a.editor_id, %(user)s, 'bench', v
           FROM articles_article a
           CROSS JOIN generate_series(1, %(versions)s) v
           WHERE a.slug LIKE 'bench-article-%%'""",
    ),
    (
        "long history",
        """INSERT INTO articles_historicalarticle (id, title, slug, dek, body, body_html, seo_description,
               status, published_at, created_at, history_date, history_change_reason, history_type,
               author_id, editor_id, history_user_id, content_hash, number)
           SELECT a.id, a.title, a.slug, a.dek, a.body || ' ' || v, a.body_html, '', a.status,
               a.published_at, a.created_at, a.created_at + make_interval(secs => v), 'Edited', '~',
               a.author_id, a.editor_id, %(user)s, 'bench', v
           FROM articles_article a CROSS JOIN generate_series(%(versions)s + 1, 1000) v
           WHERE a.slug = 'bench-article-1'""",
    ),
    (
        "live pointers",
        """UPDATE articles_article a SET live_version_id = h.history_id, approved_version_id = h.history_id
           FROM articles_historicalarticle h
           WHERE h.id = a.id AND h.number = %(versions)s AND a.slug LIKE 'bench-article-%%'""",
    ),
    (
        "topics of articles and versions",
        """WITH filed AS (
               INSERT INTO articles_article_topics (article_id, topic_id)
               SELECT a.id,
                   (SELECT min(id) FROM articles_topic WHERE slug LIKE 'bench-topic-%%') + a.id %% %(topics)s
               FROM articles_article a WHERE a.slug LIKE 'bench-article-%%'
               RETURNING id, article_id, topic_id)
           INSERT INTO articles_historicalarticle_topics (id, article_id, topic_id, history_id)
           SELECT f.id, f.article_id, f.topic_id, h.history_id
           FROM filed f JOIN articles_historicalarticle h ON h.id = f.article_id""",
    ),
    (
        "listings (the hubs' index)",
        """INSERT INTO articles_listing (article_id, kind, target_id, published_at)
           SELECT a.id, 'topic', t.topic_id, a.published_at
           FROM articles_article a JOIN articles_article_topics t ON t.article_id = a.id
           WHERE a.slug LIKE 'bench-article-%%'
           UNION ALL
           SELECT a.id, 'person', a.author_id, a.published_at FROM articles_article a
           WHERE a.slug LIKE 'bench-article-%%'
           UNION ALL
           SELECT a.id, 'person', a.editor_id, a.published_at FROM articles_article a
           WHERE a.slug LIKE 'bench-article-%%' AND a.editor_id <> a.author_id""",
    ),
    (
        "publications",
        """INSERT INTO articles_transition (from_status, to_status, at, note, update_note, override_reason,
               article_id, by_id, version_id)
           SELECT 'approved', 'published', a.published_at, '', '', '', a.id, %(user)s, a.live_version_id
           FROM articles_article a WHERE a.slug LIKE 'bench-article-%%'""",
    ),
    (
        "corrections",
        """INSERT INTO corrections_correction (kind, note, published_at, accepted_by_id, article_id,
               from_version_id, to_version_id)
           SELECT 'correction', 'An earlier version gave the wrong figure.',
               a.published_at + interval '1 day', %(user)s, a.id, a.live_version_id, a.live_version_id
           FROM articles_article a WHERE a.slug LIKE 'bench-article-%%' AND a.id %% 10 = 0""",
    ),
    (
        "claims",
        """WITH made AS (
               INSERT INTO editorial_claim (text, anchor_start, anchor_end, checkworthiness, origin, status,
                   note, created_at, article_id, created_by_id, version_id)
               SELECT 'The council approved new homes', 0, 30, 0.8, 'manual',
                   CASE WHEN a.id %% 5 = 0 THEN 'pending' ELSE 'verified' END, '', a.created_at, a.id,
                   %(user)s, a.live_version_id
               FROM articles_article a WHERE a.slug LIKE 'bench-article-%%'
               RETURNING *)
           INSERT INTO editorial_historicalclaim (id, text, anchor_start, anchor_end, checkworthiness, origin,
               status, note, created_at, history_date, history_type, article_id, created_by_id, version_id,
               history_user_id)
           SELECT id, text, anchor_start, anchor_end, checkworthiness, origin, status, note, created_at,
               created_at, '+', article_id, created_by_id, version_id, created_by_id FROM made""",
    ),
    (
        "readers' reports",
        """WITH made AS (
               INSERT INTO corrections_correctionrequest (reference, status_token, quoted_text, quote_found,
                   explanation, evidence_url, name, email, status, reply, ip_hash, created_at, article_id,
                   suspected_automated)
               SELECT 'B' || lpad(a.id::text, 9, '0'), md5('token' || a.id), 'new homes', true,
                   'The figure is wrong.', '', '', '',
                   CASE WHEN a.id %% 3 = 0 THEN 'received' ELSE 'declined' END, '', md5('ip' || a.id),
                   a.published_at + interval '2 hours', a.id, false
               FROM articles_article a WHERE a.slug LIKE 'bench-article-%%' AND a.id %% 2 = 0
               RETURNING *)
           INSERT INTO corrections_historicalcorrectionrequest (id, reference, status_token, quoted_text,
               quote_found, explanation, evidence_url, name, email, status, reply, ip_hash, created_at,
               history_date, history_type, article_id, suspected_automated)
           SELECT id, reference, status_token, quoted_text, quote_found, explanation, evidence_url, name,
               email, status, reply, ip_hash, created_at, created_at, '+', article_id, suspected_automated
           FROM made""",
    ),
]


class Command(BaseCommand):
    help = "Fill a PostgreSQL database with a newsroom at scale for the benchmark (after seed_demo)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--articles", type=int, default=100_000)
        parser.add_argument("--versions", type=int, default=10, help="versions of each article")
        parser.add_argument("--topics", type=int, default=50, help="topics the articles are filed under")

    def handle(self, *args, articles: int, versions: int, topics: int, **options) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("bench_seed fills PostgreSQL only: set DATABASE_URL=postgres://…")
        editor = get_user_model().objects.filter(username="editor").first()
        if editor is None or not hasattr(editor, "person"):
            raise CommandError("Run seed_demo first: the benchmark's articles are edited by its editor.")
        params = {
            "articles": articles,
            "versions": versions,
            "topics": topics,
            "user": editor.pk,
            "editor": editor.person.pk,
            "body": BODY,
            "html": render_markdown(BODY.replace("{n}", "12")),
        }
        with transaction.atomic(), connection.cursor() as cursor:
            for name, sql in STEPS:
                started = time.monotonic()
                cursor.execute(sql, params)
                self.stdout.write(f"  {name}: {cursor.rowcount} rows, {time.monotonic() - started:.1f} s")
        # Statistics for the planner, and the vacuum autovacuum would otherwise run during the benchmark.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        self.stdout.write(self.style.SUCCESS(f"{articles} articles of {versions} versions each are live."))
