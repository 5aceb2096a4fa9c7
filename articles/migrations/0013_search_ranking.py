"""PostgreSQL search ranks and counts from its indexes, never reading every matching page (issue 20).

Migration 0010's weighted ``document`` column (title, summary and body, in the row's language's
configuration) is large (about 9 KB a page, stored out of line), and ranking all the pages a
common word matches read every one of them: most of a 150 ms search at 10,000 pages. This adds:

* ``headline``: the title (weight A) and summary (weight B) alone, in the row's language's
  configuration (english or spanish, as ``document``), a few hundred bytes kept in the row.
  Pages are ranked by it first (articles/search.py), so a page of results of pages with a query
  word in their title or summary reads no large document;
* a GIN index of ``headline`` and of ``document`` per language (partial indexes in place of 0010's
  one ``document`` index), so an English search never visits Spanish rows and the other way round;
* ``articles_search_count_<language>(query)`` and ``articles_search_matches_<language>(query)``:
  how many published pages of that language, and which, have a ``document`` that matches, found
  through the GIN index only. The planner prefers a sequential scan when a word is on most pages,
  as it does not count the cost of reading each large ``document``; the functions turn that off
  for their one query.

SQLite is unchanged: its FTS5 indexes rank from the index already. The reverse restores 0010.
"""

from django.db import migrations

from articles.migrations._vendor_sql import run_sql

PAGES = "articles_publishedpage"
LANGUAGES = {"en": "english", "es": "spanish"}  # frozen copy of articles.search.PG_CONFIGS
CONFIG_OF_ROW = "CASE language WHEN 'es' THEN 'spanish'::regconfig ELSE 'english'::regconfig END"


def _per_language(language: str) -> list[str]:
    return [
        f"CREATE INDEX {PAGES}_headline_{language} ON {PAGES} USING GIN (headline) WHERE language = '{language}'",
        f"CREATE INDEX {PAGES}_document_{language} ON {PAGES} USING GIN (document) WHERE language = '{language}'",
        f"""CREATE FUNCTION articles_search_matches_{language}(query tsquery) RETURNS SETOF bigint
            LANGUAGE sql STABLE SET enable_seqscan = off
            AS $$ SELECT id FROM {PAGES} WHERE language = '{language}' AND document @@ query $$""",
        f"""CREATE FUNCTION articles_search_count_{language}(query tsquery) RETURNS bigint
            LANGUAGE sql STABLE SET enable_seqscan = off
            AS $$ SELECT count(*) FROM {PAGES} WHERE language = '{language}' AND document @@ query $$""",
    ]


POSTGRESQL_CREATE = [
    f"""ALTER TABLE {PAGES} ADD COLUMN headline tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector({CONFIG_OF_ROW}, coalesce(title, '')), 'A')
        || setweight(to_tsvector({CONFIG_OF_ROW}, coalesce(summary, '')), 'B')) STORED""",
    f"DROP INDEX IF EXISTS {PAGES}_document",
    *(statement for language in LANGUAGES for statement in _per_language(language)),
    f"ANALYZE {PAGES}",
]
POSTGRESQL_DROP = [
    *(
        statement
        for language in LANGUAGES
        for statement in (
            f"DROP FUNCTION IF EXISTS articles_search_count_{language}(tsquery)",
            f"DROP FUNCTION IF EXISTS articles_search_matches_{language}(tsquery)",
            f"DROP INDEX IF EXISTS {PAGES}_document_{language}",
            f"DROP INDEX IF EXISTS {PAGES}_headline_{language}",
        )
    ),
    f"ALTER TABLE {PAGES} DROP COLUMN IF EXISTS headline",
    f"CREATE INDEX IF NOT EXISTS {PAGES}_document ON {PAGES} USING GIN (document)",  # 0010's
]


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0012_reader_feedback"),
    ]

    operations = [
        migrations.RunPython(run_sql({"postgresql": POSTGRESQL_CREATE}), run_sql({"postgresql": POSTGRESQL_DROP})),
    ]
