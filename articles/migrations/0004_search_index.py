"""Site search reads an index of the public text of each published page (articles.SearchEntry).

SQLite: an FTS5 table kept in step with articles_searchentry by triggers (porter stemming).
PostgreSQL: a generated, weighted tsvector column (title A, summary B, text C) with a GIN index.
A later migration that rebuilds articles_searchentry on SQLite drops the triggers: recreate them.
"""

import django.db.models.deletion
from django.db import migrations, models

from articles.migrations._vendor_sql import run_sql

SQLITE_CREATE = [
    """CREATE VIRTUAL TABLE articles_searchentry_fts USING fts5(
        title, summary, text, content='articles_searchentry', content_rowid='article_id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER articles_searchentry_ai AFTER INSERT ON articles_searchentry BEGIN
        INSERT INTO articles_searchentry_fts(rowid, title, summary, text)
        VALUES (new.article_id, new.title, new.summary, new.text);
    END""",
    """CREATE TRIGGER articles_searchentry_ad AFTER DELETE ON articles_searchentry BEGIN
        INSERT INTO articles_searchentry_fts(articles_searchentry_fts, rowid, title, summary, text)
        VALUES ('delete', old.article_id, old.title, old.summary, old.text);
    END""",
    """CREATE TRIGGER articles_searchentry_au AFTER UPDATE ON articles_searchentry BEGIN
        INSERT INTO articles_searchentry_fts(articles_searchentry_fts, rowid, title, summary, text)
        VALUES ('delete', old.article_id, old.title, old.summary, old.text);
        INSERT INTO articles_searchentry_fts(rowid, title, summary, text)
        VALUES (new.article_id, new.title, new.summary, new.text);
    END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS articles_searchentry_au",
    "DROP TRIGGER IF EXISTS articles_searchentry_ad",
    "DROP TRIGGER IF EXISTS articles_searchentry_ai",
    "DROP TABLE IF EXISTS articles_searchentry_fts",
]
POSTGRESQL_CREATE = [
    """ALTER TABLE articles_searchentry ADD COLUMN document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(title, '')), 'A')
        || setweight(to_tsvector('english', coalesce(summary, '')), 'B')
        || setweight(to_tsvector('english', coalesce(text, '')), 'C')) STORED""",
    "CREATE INDEX articles_searchentry_document ON articles_searchentry USING GIN (document)",
]
POSTGRESQL_DROP = [
    "DROP INDEX IF EXISTS articles_searchentry_document",
    "ALTER TABLE articles_searchentry DROP COLUMN IF EXISTS document",
]


def index_published_pages(apps, schema_editor):
    """Fill the index with what the public reads today (the approved text where a change waits)."""
    from articles.markdown import html_to_text

    Article = apps.get_model("articles", "Article")
    SearchEntry = apps.get_model("articles", "SearchEntry")
    for article in Article.objects.filter(status="published").iterator():
        if article.approved_body:
            values = {
                "title": article.approved_title,
                "summary": article.approved_summary,
                "text": html_to_text(article.approved_body_html),
            }
        else:
            values = {"title": article.title, "summary": article.summary, "text": article.plain_text}
        SearchEntry.objects.create(article_id=article.pk, **values)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0003_editor_and_reviewer_groups"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                (
                    "article",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_entry",
                        serialize=False,
                        to="articles.article",
                    ),
                ),
                ("title", models.CharField(max_length=200)),
                ("summary", models.CharField(max_length=160)),
                ("text", models.TextField()),
            ],
        ),
        migrations.RunPython(
            run_sql({"sqlite": SQLITE_CREATE, "postgresql": POSTGRESQL_CREATE}),
            run_sql({"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}),
        ),
        migrations.RunPython(index_published_pages, migrations.RunPython.noop),
    ]
