"""Search counts the pages found only as far as anyone can read them (issue 20).

The results stop at 50 pages of 10 (articles/search.py: MAX_PAGES), so a count past 500 tells a
reader nothing more than "more than 500". Counting the 7,000 pages of 10,000 that a common word
is on read each of them from the search table (about 2.5 ms, most of a search's time in the
database); counting up to the 501st stops there. ``articles_search_count_<language>`` takes the
most to count; the reverse restores 0014's count of every page. SQLite counts its FTS5 matches
the same way (articles/search.py), so both say the same.
"""

from django.db import migrations

from articles.migrations._vendor_sql import run_sql

SEARCH = "articles_publishedpage_search"
LANGUAGES = ("en", "es")


def _count(language: str, *, capped: bool) -> str:
    found = f"FROM {SEARCH} WHERE language = '{language}' AND document @@ query"
    if capped:
        arguments, body = "query tsquery, most bigint", f"SELECT count(*) FROM (SELECT 1 {found} LIMIT most) AS found"
    else:
        arguments, body = "query tsquery", f"SELECT count(*) {found}"
    return f"""CREATE FUNCTION articles_search_count_{language}({arguments}) RETURNS bigint
        LANGUAGE sql STABLE SET enable_seqscan = off
        AS $$ {body} $$"""


POSTGRESQL_CAPPED = [
    statement
    for language in LANGUAGES
    for statement in (f"DROP FUNCTION articles_search_count_{language}(tsquery)", _count(language, capped=True))
]
POSTGRESQL_EVERY_PAGE = [
    statement
    for language in LANGUAGES
    for statement in (
        f"DROP FUNCTION articles_search_count_{language}(tsquery, bigint)",
        _count(language, capped=False),
    )
]


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0014_search_table"),
    ]

    operations = [
        migrations.RunPython(
            run_sql({"postgresql": POSTGRESQL_CAPPED}), run_sql({"postgresql": POSTGRESQL_EVERY_PAGE})
        ),
    ]
