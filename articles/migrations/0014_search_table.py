"""PostgreSQL search reads a narrow table of its own, not the wide published pages (issue 20).

A published page's row is wide (its table of contents, summary and the pointers to its large
columns: about three rows to an 8 KB block), so counting the 7,000 pages of 10,000 that a common
word is on visited 3,500 blocks of ``articles_publishedpage``, even through migration 0013's
indexes: about 10 ms, a search's largest cost. ``articles_publishedpage_search`` holds only what
search reads: each published page's id, language, ``document`` and ``headline`` vectors (0010's
and 0013's, copied from the page's generated columns; the large ``document`` is stored out of
line, so about thirty rows fit a block). The same count visits about 350 blocks.

Triggers keep it in step with the published pages, as SQLite's FTS5 tables are (0006, 0010):
a row written when a page is published or its text changes, removed with its page, and emptied
when the pages are truncated (Django's test flush). The per-language GIN indexes and 0013's
``articles_search_count_<language>`` / ``articles_search_matches_<language>`` functions move to
this table; ranking reads it too (articles/search.py). SQLite is unchanged. The reverse restores 0013.
"""

from django.db import migrations

from articles.migrations._vendor_sql import run_sql

PAGES = "articles_publishedpage"
SEARCH = "articles_publishedpage_search"
LANGUAGES = ("en", "es")
SYNC = "articles_publishedpage_search_sync"
EMPTY = "articles_publishedpage_search_empty"


def _functions(table: str, language: str) -> list[str]:
    return [
        f"""CREATE OR REPLACE FUNCTION articles_search_matches_{language}(query tsquery) RETURNS SETOF bigint
            LANGUAGE sql STABLE SET enable_seqscan = off
            AS $$ SELECT id FROM {table} WHERE language = '{language}' AND document @@ query $$""",
        f"""CREATE OR REPLACE FUNCTION articles_search_count_{language}(query tsquery) RETURNS bigint
            LANGUAGE sql STABLE SET enable_seqscan = off
            AS $$ SELECT count(*) FROM {table} WHERE language = '{language}' AND document @@ query $$""",
    ]


def _indexes(table: str, language: str) -> list[str]:
    return [
        f"CREATE INDEX {table}_headline_{language} ON {table} USING GIN (headline) WHERE language = '{language}'",
        f"CREATE INDEX {table}_document_{language} ON {table} USING GIN (document) WHERE language = '{language}'",
    ]


POSTGRESQL_CREATE = [
    f"""CREATE TABLE {SEARCH} (
        id integer PRIMARY KEY,
        language varchar(8) NOT NULL,
        document tsvector NOT NULL,
        headline tsvector NOT NULL)""",
    f"""CREATE FUNCTION {SYNC}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                DELETE FROM {SEARCH} WHERE id = OLD.id;
                RETURN NULL;
            END IF;
            INSERT INTO {SEARCH} (id, language, document, headline)
                VALUES (NEW.id, NEW.language, NEW.document, NEW.headline)
                ON CONFLICT (id) DO UPDATE
                SET language = EXCLUDED.language, document = EXCLUDED.document, headline = EXCLUDED.headline;
            RETURN NULL;
        END $$""",
    f"""CREATE FUNCTION {EMPTY}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            TRUNCATE {SEARCH};
            RETURN NULL;
        END $$""",
    # A page's id never changes; its vectors change only with its title, summary, text or language.
    f"""CREATE TRIGGER {SYNC} AFTER INSERT OR DELETE OR UPDATE OF title, summary, text, language
        ON {PAGES} FOR EACH ROW EXECUTE FUNCTION {SYNC}()""",
    f"CREATE TRIGGER {EMPTY} AFTER TRUNCATE ON {PAGES} FOR EACH STATEMENT EXECUTE FUNCTION {EMPTY}()",
    f"INSERT INTO {SEARCH} (id, language, document, headline) SELECT id, language, document, headline FROM {PAGES}",
    *(statement for language in LANGUAGES for statement in _indexes(SEARCH, language)),
    *(statement for language in LANGUAGES for statement in _functions(SEARCH, language)),
    *(f"DROP INDEX IF EXISTS {PAGES}_{vector}_{language}" for vector in ("headline", "document") for language in LANGUAGES),
    f"ANALYZE {SEARCH}",
]
POSTGRESQL_DROP = [
    *(statement for language in LANGUAGES for statement in _indexes(PAGES, language)),
    *(statement for language in LANGUAGES for statement in _functions(PAGES, language)),
    f"DROP TRIGGER IF EXISTS {EMPTY} ON {PAGES}",
    f"DROP TRIGGER IF EXISTS {SYNC} ON {PAGES}",
    f"DROP FUNCTION IF EXISTS {EMPTY}()",
    f"DROP FUNCTION IF EXISTS {SYNC}()",
    f"DROP TABLE IF EXISTS {SEARCH}",
]


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0013_search_ranking"),
    ]

    operations = [
        migrations.RunPython(run_sql({"postgresql": POSTGRESQL_CREATE}), run_sql({"postgresql": POSTGRESQL_DROP})),
    ]
