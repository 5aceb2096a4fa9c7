"""What the public reads becomes one record per page: ``PublishedPage`` (issue 12).

1. Every article and revision gets the fingerprint of its title, summary and body; a reviewed
   article's ``reviewed_fingerprint`` becomes the fingerprint of the text its reviewer approved.
2. Each published article gets its published page, made from the text the public read until now:
   the approved text (``approved_*``) where a clinical change waited for sign-off, else its own.
   Its first history row says so.
3. Approved texts that no revision holds as its own text (an imported ``approved:`` block, or one
   kept aside in an old revision) become revisions of their article, so none is lost.
4. Search indexes the published pages (FTS5 on SQLite, a weighted tsvector and GIN index on
   PostgreSQL) instead of ``SearchEntry``, which goes, as do the ``approved_*`` columns.

Reversible: going back refills ``approved_*`` and ``SearchEntry`` from the published pages.
A later migration that rebuilds articles_publishedpage on SQLite drops the FTS5 triggers:
recreate them (see SQLITE_CREATE).
"""

import hashlib

import django.db.models.deletion
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

BATCH = 500


def _old_body_fingerprint(body):
    """Frozen copy of the fingerprint used before this migration (the body only)."""
    normalised = "\n".join(line.rstrip() for line in (body or "").replace("\r\n", "\n").split("\n"))
    return hashlib.sha256(normalised.strip().encode("utf-8")).hexdigest()


def move_to_published_pages(apps, schema_editor):
    from articles.markdown import html_to_text
    from articles.models import text_fingerprint
    from articles.publishing import Text, text_values

    Article = apps.get_model("articles", "Article")
    HistoricalArticle = apps.get_model("articles", "HistoricalArticle")
    PublishedPage = apps.get_model("articles", "PublishedPage")
    HistoricalPublishedPage = apps.get_model("articles", "HistoricalPublishedPage")
    now = timezone.now()

    def fingerprint(obj, prefix=""):
        return text_fingerprint(
            title=getattr(obj, f"{prefix}title"), summary=getattr(obj, f"{prefix}summary"),
            body=getattr(obj, f"{prefix}body"),
        )  # fmt: skip

    # 1. Fingerprints of every revision, and the approved texts old revisions kept aside.
    own_texts, kept_aside = {}, {}  # article id -> fingerprints / {fingerprint: first revision with it}
    batch = []
    for revision in HistoricalArticle.objects.order_by("history_date", "history_id").iterator():
        revision.fingerprint = fingerprint(revision)
        own_texts.setdefault(revision.id, set()).add(revision.fingerprint)
        if revision.approved_body:
            kept_aside.setdefault(revision.id, {}).setdefault(fingerprint(revision, "approved_"), revision)
        batch.append(revision)
        if len(batch) >= BATCH:
            HistoricalArticle.objects.bulk_update(batch, ["fingerprint"])
            batch = []
    HistoricalArticle.objects.bulk_update(batch, ["fingerprint"])

    for article in Article.objects.select_related("reviewer").order_by("pk").iterator():
        pending = bool(article.approved_body)
        article.fingerprint = fingerprint(article)
        approved_fingerprint = fingerprint(article, "approved_") if pending else article.fingerprint
        reviewed = bool(article.reviewer_id and article.reviewed_on)
        approved_body = article.approved_body if pending else article.body
        if reviewed and article.reviewed_fingerprint == _old_body_fingerprint(approved_body):
            article.reviewed_fingerprint = approved_fingerprint
        article.save(update_fields=["fingerprint", "reviewed_fingerprint"])
        # 3. Approved texts no revision holds as its own text become revisions (the current one too).
        if pending:
            kept_aside.setdefault(article.pk, {}).setdefault(approved_fingerprint, None)
        for approved, revision in kept_aside.get(article.pk, {}).items():
            if approved in own_texts.get(article.pk, set()):
                continue
            source = revision or article
            kept = {
                f.attname: getattr(article, f.attname)
                for f in Article._meta.concrete_fields
                if f.attname not in ("body_html", "toc", "plain_text") and not f.attname.startswith("approved_")
            }
            kept.update(
                title=source.approved_title, summary=source.approved_summary, body=source.approved_body,
                updated_on=source.approved_updated_on or source.updated_on, fingerprint=approved,
                history_date=getattr(revision, "history_date", None) or now, history_type="~",
                history_change_reason="The approved text, kept aside then (moved by migration 0006)",
            )  # fmt: skip
            HistoricalArticle.objects.create(**kept)
            own_texts.setdefault(article.pk, set()).add(approved)
        if article.status != "published":
            continue
        # 2. The published page: the text the public read until now.
        if pending:
            text = Text(
                title=article.approved_title, summary=article.approved_summary, body=article.approved_body,
                updated_on=article.approved_updated_on or article.updated_on, html=article.approved_body_html,
                toc=article.approved_toc, plain=html_to_text(article.approved_body_html), version=article.version,
            )  # fmt: skip
        else:
            text = Text(
                title=article.title, summary=article.summary, body=article.body, updated_on=article.updated_on,
                html=article.body_html, toc=article.toc, plain=article.plain_text, version=article.version,
            )  # fmt: skip
        reviewer = article.reviewer if reviewed else None
        values = {
            **text_values(text),
            "slug": article.slug, "topic": article.topic, "topic_rank": article.topic_rank, "order": article.order,
            "reviewer_name": reviewer.name if reviewer else "",
            "reviewer_credentials": reviewer.credentials if reviewer else "",
            "reviewer_url": reviewer.profile_url if reviewer else "",
            "reviewed_on": article.reviewed_on if reviewer else None,
            "next_review_due": article.next_review_due if reviewer else None,
        }  # fmt: skip
        page = PublishedPage.objects.create(article_id=article.pk, language="en", published_at=now, **values)
        excluded = {"key_points", "main", "references", "toc", "text", "citations"}
        HistoricalPublishedPage.objects.create(
            id=page.pk, article_id=article.pk, language="en", published_at=now,
            **{k: v for k, v in values.items() if k not in excluded},
            history_date=now, history_type="+",
            history_change_reason="Published record made from the public text (migration 0006)",
        )  # fmt: skip


def check_constraints_now(apps, schema_editor):
    """PostgreSQL defers foreign-key checks on the rows just written to the end of the transaction,
    and refuses to alter a table with such checks pending: run them now, before the schema changes."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def move_back(apps, schema_editor):
    """Refill the approved_* columns of pages whose public text differs from their working copy."""
    from articles.markdown import render_markdown

    Article = apps.get_model("articles", "Article")
    PublishedPage = apps.get_model("articles", "PublishedPage")
    for page in PublishedPage.objects.filter(language="en").iterator():
        if Article.objects.filter(pk=page.article_id, fingerprint=page.fingerprint).exists():
            continue
        rendered = render_markdown(page.body)
        Article.objects.filter(pk=page.article_id).update(
            approved_title=page.title, approved_summary=page.summary, approved_body=page.body,
            approved_body_html=rendered.html, approved_toc=rendered.toc, approved_updated_on=page.updated_on,
        )  # fmt: skip


SQLITE_CREATE = [
    """CREATE VIRTUAL TABLE articles_publishedpage_fts USING fts5(
        title, summary, text, content='articles_publishedpage', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER articles_publishedpage_ai AFTER INSERT ON articles_publishedpage BEGIN
        INSERT INTO articles_publishedpage_fts(rowid, title, summary, text)
        VALUES (new.id, new.title, new.summary, new.text);
    END""",
    """CREATE TRIGGER articles_publishedpage_ad AFTER DELETE ON articles_publishedpage BEGIN
        INSERT INTO articles_publishedpage_fts(articles_publishedpage_fts, rowid, title, summary, text)
        VALUES ('delete', old.id, old.title, old.summary, old.text);
    END""",
    """CREATE TRIGGER articles_publishedpage_au AFTER UPDATE ON articles_publishedpage BEGIN
        INSERT INTO articles_publishedpage_fts(articles_publishedpage_fts, rowid, title, summary, text)
        VALUES ('delete', old.id, old.title, old.summary, old.text);
        INSERT INTO articles_publishedpage_fts(rowid, title, summary, text)
        VALUES (new.id, new.title, new.summary, new.text);
    END""",
    "INSERT INTO articles_publishedpage_fts(articles_publishedpage_fts) VALUES ('rebuild')",
    "DROP TRIGGER IF EXISTS articles_searchentry_au",
    "DROP TRIGGER IF EXISTS articles_searchentry_ad",
    "DROP TRIGGER IF EXISTS articles_searchentry_ai",
    "DROP TABLE IF EXISTS articles_searchentry_fts",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS articles_publishedpage_au",
    "DROP TRIGGER IF EXISTS articles_publishedpage_ad",
    "DROP TRIGGER IF EXISTS articles_publishedpage_ai",
    "DROP TABLE IF EXISTS articles_publishedpage_fts",
    # Migration 0004's index of articles_searchentry, filled again below.
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
POSTGRESQL_CREATE = [
    """ALTER TABLE articles_publishedpage ADD COLUMN document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(title, '')), 'A')
        || setweight(to_tsvector('english', coalesce(summary, '')), 'B')
        || setweight(to_tsvector('english', coalesce(text, '')), 'C')) STORED""",
    "CREATE INDEX articles_publishedpage_document ON articles_publishedpage USING GIN (document)",
]
POSTGRESQL_DROP = [
    "DROP INDEX IF EXISTS articles_publishedpage_document",
    "ALTER TABLE articles_publishedpage DROP COLUMN IF EXISTS document",
    """ALTER TABLE articles_searchentry ADD COLUMN document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(title, '')), 'A')
        || setweight(to_tsvector('english', coalesce(summary, '')), 'B')
        || setweight(to_tsvector('english', coalesce(text, '')), 'C')) STORED""",
    "CREATE INDEX articles_searchentry_document ON articles_searchentry USING GIN (document)",
]


def index_published_pages(apps, schema_editor):
    for statement in {"sqlite": SQLITE_CREATE, "postgresql": POSTGRESQL_CREATE}.get(
        schema_editor.connection.vendor, []
    ):
        schema_editor.execute(statement)


def index_search_entries(apps, schema_editor):
    for statement in {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)
    PublishedPage = apps.get_model("articles", "PublishedPage")
    SearchEntry = apps.get_model("articles", "SearchEntry")
    for page in PublishedPage.objects.filter(language="en").iterator():
        SearchEntry.objects.create(article_id=page.article_id, title=page.title, summary=page.summary, text=page.text)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0005_revisions_keep_written_text"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="fingerprint",
            field=models.CharField(default="", editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="historicalarticle",
            name="fingerprint",
            field=models.CharField(default="", editable=False, max_length=64),
        ),
        migrations.CreateModel(
            name="HistoricalPublishedPage",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("language", models.CharField(default="en", max_length=8)),
                ("version", models.PositiveIntegerField(help_text="The article version whose text this is")),
                ("fingerprint", models.CharField(max_length=64)),
                ("published_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("slug", models.SlugField(max_length=100)),
                ("title", models.CharField(max_length=200)),
                ("summary", models.CharField(max_length=160)),
                (
                    "topic",
                    models.CharField(
                        choices=[
                            ("basics", "Understanding TMS"),
                            ("evidence", "Benefits and risks"),
                            ("deciding", "Deciding about TMS"),
                            ("treatment", "Having TMS"),
                            ("about", "Questions, terms and this site"),
                        ],
                        max_length=40,
                    ),
                ),
                ("topic_rank", models.PositiveSmallIntegerField(default=0)),
                ("order", models.PositiveIntegerField(default=0)),
                ("updated_on", models.DateField()),
                ("body", models.TextField(help_text="The approved markdown (what export writes and history keeps)")),
                ("handout_size", models.CharField(blank=True, max_length=20)),
                ("reviewer_name", models.CharField(blank=True, max_length=200)),
                ("reviewer_credentials", models.CharField(blank=True, max_length=200)),
                ("reviewer_url", models.URLField(blank=True)),
                ("reviewed_on", models.DateField(blank=True, null=True)),
                ("next_review_due", models.DateField(blank=True, null=True)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "article",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="articles.article",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical published page",
                "verbose_name_plural": "historical published pages",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="PublishedPage",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("language", models.CharField(default="en", max_length=8)),
                ("version", models.PositiveIntegerField(help_text="The article version whose text this is")),
                ("fingerprint", models.CharField(max_length=64)),
                ("published_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("slug", models.SlugField(max_length=100)),
                ("title", models.CharField(max_length=200)),
                ("summary", models.CharField(max_length=160)),
                (
                    "topic",
                    models.CharField(
                        choices=[
                            ("basics", "Understanding TMS"),
                            ("evidence", "Benefits and risks"),
                            ("deciding", "Deciding about TMS"),
                            ("treatment", "Having TMS"),
                            ("about", "Questions, terms and this site"),
                        ],
                        max_length=40,
                    ),
                ),
                ("topic_rank", models.PositiveSmallIntegerField(default=0)),
                ("order", models.PositiveIntegerField(default=0)),
                ("updated_on", models.DateField()),
                ("body", models.TextField(help_text="The approved markdown (what export writes and history keeps)")),
                ("key_points", models.TextField(blank=True)),
                ("main", models.TextField(blank=True)),
                ("references", models.TextField(blank=True)),
                ("toc", models.JSONField(default=list)),
                ("text", models.TextField(blank=True, help_text="What search reads")),
                ("citations", models.JSONField(default=list)),
                ("handout_size", models.CharField(blank=True, max_length=20)),
                ("reviewer_name", models.CharField(blank=True, max_length=200)),
                ("reviewer_credentials", models.CharField(blank=True, max_length=200)),
                ("reviewer_url", models.URLField(blank=True)),
                ("reviewed_on", models.DateField(blank=True, null=True)),
                ("next_review_due", models.DateField(blank=True, null=True)),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="published_pages",
                        to="articles.article",
                    ),
                ),
            ],
            options={
                "ordering": ["language", "topic_rank", "order", "title"],
            },
        ),
        migrations.AddIndex(
            model_name="publishedpage",
            index=models.Index(fields=["language", "topic_rank", "order", "title"], name="published_reading_order"),
        ),
        migrations.AddIndex(
            model_name="publishedpage",
            index=models.Index(fields=["language", "updated_on"], name="published_updated"),
        ),
        migrations.AddConstraint(
            model_name="publishedpage",
            constraint=models.UniqueConstraint(fields=("article", "language"), name="one_published_page_per_language"),
        ),
        migrations.AddConstraint(
            model_name="publishedpage",
            constraint=models.UniqueConstraint(fields=("language", "slug"), name="unique_published_slug"),
        ),
        migrations.RunPython(check_constraints_now, check_constraints_now),
        migrations.RunPython(move_to_published_pages, move_back),
        migrations.RunPython(index_published_pages, index_search_entries),
        migrations.RunPython(check_constraints_now, check_constraints_now),
        migrations.DeleteModel(
            name="SearchEntry",
        ),
        migrations.RemoveField(
            model_name="article",
            name="approved_body",
        ),
        migrations.RemoveField(
            model_name="article",
            name="approved_body_html",
        ),
        migrations.RemoveField(
            model_name="article",
            name="approved_summary",
        ),
        migrations.RemoveField(
            model_name="article",
            name="approved_title",
        ),
        migrations.RemoveField(
            model_name="article",
            name="approved_toc",
        ),
        migrations.RemoveField(
            model_name="article",
            name="approved_updated_on",
        ),
        migrations.RemoveField(
            model_name="historicalarticle",
            name="approved_body",
        ),
        migrations.RemoveField(
            model_name="historicalarticle",
            name="approved_summary",
        ),
        migrations.RemoveField(
            model_name="historicalarticle",
            name="approved_title",
        ),
        migrations.RemoveField(
            model_name="historicalarticle",
            name="approved_updated_on",
        ),
    ]
