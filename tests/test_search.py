"""Search: finds published pages by their words, title matches first, safe snippets, and calm
answers to empty, odd or very long queries. Runs on the test database (SQLite, or PostgreSQL
full-text search when DATABASE_URL points at PostgreSQL)."""

import importlib
import re
import sqlite3
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from articles import search, stems, workflow
from articles.models import Article, PublishedPage
from articles.search import MARK_END, MARK_START, MAX_QUERY_CHARS, marked_html, query_parse, search_articles

pytestmark = pytest.mark.django_db


def body(text: str) -> str:
    return f"## Key points {{#key-points}}\n\n- A point.\n\n## Section {{#section}}\n\n{text}\n"


def found(q: str) -> list[str]:
    return [hit.slug for hit in search_articles(query_parse(q)).hits]


# --- Queries -----------------------------------------------------------------------------------
def test_query_words_are_lowercased_deduplicated_and_common_words_dropped():
    assert query_parse("  What is   the SEIZURE risk? seizure ").terms == ("seizure", "risk")


def test_a_query_of_only_common_words_still_searches_them():
    assert query_parse("what is it").terms == ("what", "is", "it")


def test_empty_and_punctuation_only_queries_have_no_terms():
    assert query_parse("").terms == () and query_parse(None).terms == () and query_parse("?!…").terms == ()


def test_a_very_long_query_is_cut_and_says_so():
    query = query_parse("seizure " * 200)
    assert len(query.text) == MAX_QUERY_CHARS and query.truncated and query.terms == ("seizure",)


# --- Finding and ranking -------------------------------------------------------------------------
def test_finds_words_in_title_summary_and_body(make_article):
    make_article(slug="in-title", title="Headache after TMS")
    make_article(slug="in-summary", summary="Some people get a headache.")
    make_article(slug="in-body", body=body("A mild headache is common."))
    make_article(slug="elsewhere", body=body("Nothing to see."))
    assert set(found("headache")) == {"in-title", "in-summary", "in-body"}


def test_title_matches_come_first(make_article):
    make_article(slug="body-only", title="A page", body=body("Seizure seizure seizure. The seizure risk."), order=1)
    make_article(slug="title", title="How likely is a seizure?", body=body("Rare."), order=2)
    assert found("seizure") == ["title", "body-only"]


def test_summary_matches_come_before_body_only_ones(make_article):
    make_article(slug="body-only", title="A page", summary="Short.", body=body("A seizure is rare."), order=1)
    make_article(slug="summary", title="Another page", summary="When a seizure happens.", body=body("Rare."), order=2)
    make_article(slug="title", title="Seizure", summary="Short.", body=body("Rare."), order=3)
    assert found("seizure") == ["title", "summary", "body-only"]


@pytest.mark.parametrize("body_ranked", [search.BODY_RANKED, 2])  # PostgreSQL: few body matches, or many
def test_results_go_from_title_matches_to_body_matches_across_pages_without_repeats(
    client, make_article, monkeypatch, body_ranked
):
    monkeypatch.setattr(search, "BODY_RANKED", body_ranked)
    for n in range(8):
        make_article(slug=f"title-{n}", title=f"The coil {n}", body=body("Nothing."), order=n)
    for n in range(7):
        make_article(slug=f"body-{n}", title=f"Page {n}", body=body("A coil."), order=10 + n)
    pages = [
        re.findall(
            r'<h2><a href="/tms/([a-z0-9-]+)/">', client.get("/search/", {"q": "coil", "page": n}).content.decode()
        )
        for n in (1, 2)
    ]
    assert [len(shown) for shown in pages] == [10, 5]
    assert all(slug.startswith("title-") for slug in pages[0][:8])
    assert sorted(pages[0] + pages[1]) == sorted([f"title-{n}" for n in range(8)] + [f"body-{n}" for n in range(7)])


def test_every_word_is_needed_in_the_whole_page_even_when_one_is_in_the_title(make_article):
    make_article(slug="both", title="A page", summary="Short.", body=body("The coil and a seizure."), order=1)
    make_article(slug="title-only", title="The coil", summary="Short.", body=body("Nothing."), order=2)
    assert found("coil seizure") == ["both"]


def test_words_match_from_their_start_so_plurals_are_found_but_not_word_parts(make_article):
    make_article(slug="plural", body=body("Seizures are rare."))
    make_article(slug="part", body=body("A side effect of the treatment."))
    make_article(slug="ect", body=body("ECT is electroconvulsive therapy."))
    assert found("seizure") == ["plural"]
    assert found("ect") == ["ect"]


def test_every_word_must_match_when_some_page_has_them_all(make_article):
    make_article(slug="both", body=body("Insurance may cover the cost."))
    make_article(slug="one", body=body("Insurance forms."))
    assert found("insurance cost") == ["both"]


def test_pages_with_some_of_the_words_are_offered_when_none_has_all(make_article):
    make_article(slug="one", body=body("Insurance forms."))
    results = search_articles(query_parse("insurance zebra"))
    assert [h.slug for h in results.hits] == ["one"] and results.all_words is False


@pytest.mark.parametrize("status", [Article.Status.DRAFT, Article.Status.IN_REVIEW, Article.Status.ARCHIVED])
def test_unpublished_pages_are_never_found(make_article, status):
    make_article(slug="hidden", title="Secret seizure page", status=status)
    assert found("seizure") == []


# --- Snippets ------------------------------------------------------------------------------------
def test_snippet_shows_the_passage_with_the_match(make_article):
    text = "First block about nothing.\n\n" + "Calm words fill this long passage. " * 12 + "A seizure is rare."
    make_article(slug="long", title="A page", body=body(text))
    (hit,) = search_articles(query_parse("seizure")).hits
    assert "<mark>seizure</mark>" in hit.snippet and hit.snippet.startswith("… ")
    assert "First block" not in hit.snippet and len(hit.snippet.split()) < 40


def test_snippet_is_the_paragraph_with_most_search_words_or_else_the_first(make_article):
    text = "A seizure is rare.\n\nHeadache is common.\n\nA seizure or a headache: both are rare after TMS."
    make_article(slug="p", title="A page", body=body(text + "\n\nSeizures and headaches again."))
    (hit,) = search_articles(query_parse("seizure headache")).hits
    assert "A <mark>seizure</mark> or a <mark>headache</mark>: both are rare after TMS." in hit.snippet
    (hit,) = search_articles(query_parse("headaches")).hits
    assert hit.snippet == "<mark>Headache</mark> is common."


def test_the_summary_stands_in_when_the_body_has_no_match(make_article):
    make_article(slug="s", title="A page", summary="What a seizure is.", body=body("Nothing here."))
    (hit,) = search_articles(query_parse("seizure")).hits
    assert hit.snippet == "What a <mark>seizure</mark> is."


def test_plural_and_singular_find_each_other(make_article):
    make_article(slug="singular", body=body("A seizure is rare."))
    assert found("seizures") == ["singular"]


def test_other_forms_of_a_word_are_found(make_article):
    make_article(slug="magnetic", body=body("Magnetic pulses."))
    make_article(slug="insurance", body=body("Your insurance plan."))
    assert found("magnet") == ["magnetic"] and found("insured") == ["insurance"]


def test_marks_are_added_after_escaping():
    html = marked_html(f'<img src=x onerror="alert(1)"> {MARK_START}seizure{MARK_END} & <b>seizures</b>')
    assert html == (
        "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; <mark>seizure</mark> &amp; &lt;b&gt;seizures&lt;/b&gt;"
    )


def test_page_text_can_never_forge_a_mark(make_article):
    forged = body(f"A seizure {MARK_START}<b>{MARK_END}")
    make_article(slug="forged", title=f"Risk {MARK_START}x{MARK_END}", body=forged)
    (hit,) = search_articles(query_parse("seizure")).hits
    assert hit.title == "Risk x" and "<b>" not in hit.snippet and hit.snippet.count("<mark>") == 1


def test_highlights_and_snippets_escape_page_text(make_article):
    make_article(slug="x", title="<i>Seizure</i> & risk", body=body("A seizure <script>alert(1)</script>"))
    (hit,) = search_articles(query_parse("seizure")).hits
    assert "<i>" not in hit.title and "&amp;" in hit.title and "<mark>Seizure</mark>" in hit.title
    assert "<script>" not in hit.snippet


# --- The page --------------------------------------------------------------------------------------
def test_search_page_shows_results_with_marked_snippets(client, make_article):
    make_article(slug="risks", title="Risks", body=body("A seizure is rare."))
    html = client.get("/search/", {"q": "seizure"}).content.decode()
    assert '<a href="/tms/risks/">Risks</a>' in html
    assert "A <mark>seizure</mark> is rare." in html
    assert "1 page found" in html


def test_search_page_never_shows_the_query_unescaped(client, make_article):
    make_article(slug="risks", title="Risks", body=body("A seizure is rare."))
    html = client.get("/search/", {"q": '<script>alert("x")</script> seizure'}).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; seizure" in html


def test_empty_search_offers_examples(client):
    response = client.get("/search/")
    assert response.status_code == 200
    assert 'href="?q=side+effects"' in response.content.decode()


def test_no_results_says_so_and_suggests_what_to_do(client, make_article):
    make_article(slug="risks", title="Risks")
    html = client.get("/search/", {"q": "xylophone"}).content.decode()
    assert "No pages found" in html and 'href="/tms/glossary/"' in html and 'href="/help/"' in html


def test_a_very_long_query_is_answered_calmly(client, make_article):
    make_article(slug="risks", title="Risks", body=body("A seizure is rare."))
    response = client.get("/search/", {"q": "seizure " + "x" * 5000})
    assert response.status_code == 200
    html = response.content.decode()
    assert "first words only" in html and 'maxlength="200"' in html


def test_search_results_are_not_indexed_by_search_engines(client):
    assert re.search(r'<meta name="robots" content="noindex">', client.get("/search/?q=x").content.decode())


def test_search_finds_seizure_on_the_risks_page_in_the_real_content(site_content):
    hits = found("seizure")
    assert "risks-and-side-effects" in hits[:3]


# --- The index follows every change --------------------------------------------------------------
def test_the_index_follows_edits_archiving_and_deletion(make_article):
    article = make_article(slug="coil", title="The coil", body=body("A magnetic coil."))
    assert found("coil") == ["coil"]
    article.title, article.body = "The helmet", body("A helmet.")
    workflow.article_save(article=article, change=workflow.EDITORIAL)
    assert found("coil") == [] and found("helmet") == ["coil"]
    article.status = Article.Status.ARCHIVED
    workflow.article_save(article=article, change=workflow.EDITORIAL)
    assert found("helmet") == []
    article.status = Article.Status.PUBLISHED
    workflow.article_save(article=article, change=workflow.EDITORIAL)
    assert found("helmet") == ["coil"]
    article.delete()
    assert found("helmet") == []


def test_query_syntax_in_what_readers_type_is_just_words(make_article):
    make_article(slug="risks", title="Risks", body=body("A seizure is rare."))
    for q in ['seizure" OR "x', "seizure*", "title:seizure", "NEAR(seizure)", "seizure AND", "(seizure", "'seizure"]:
        assert found(q) == ["risks"], q


@pytest.mark.django_db(transaction=True)
def test_upgrading_an_existing_site_indexes_its_published_pages():
    """Migration 0004 fills the index from what the public reads on a site that already had pages."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("articles", "0003_editor_and_reviewer_groups")])
    old = executor.loader.project_state([("articles", "0003_editor_and_reviewer_groups")]).apps
    OldArticle = old.get_model("articles", "Article")
    common = {"summary": "S.", "topic": "basics", "body": "x", "body_html": "<p>x</p>"}
    OldArticle.objects.create(slug="live", title="Seizure risk", status="published", plain_text="Rare.", **common)
    OldArticle.objects.create(slug="draft", title="Seizure draft", status="draft", plain_text="Rare.", **common)
    OldArticle.objects.create(
        slug="pending", title="Unapproved seizure title", status="published", plain_text="Unapproved seizure text.",
        approved_title="Approved page", approved_summary="S.", approved_body="Seizure, approved.",
        approved_body_html="<p>Seizure, approved.</p>", **{**common, "body": "Unapproved seizure text."},
    )  # fmt: skip
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert set(found("seizure")) == {"live", "pending"}
    assert found("unapproved") == []


# --- Many results ----------------------------------------------------------------------------------
def test_many_results_come_ten_to_a_page_with_the_total_and_links_between_pages(client, make_article):
    for n in range(25):
        make_article(slug=f"coil-{n:02d}", title=f"Coil page {n:02d}", body=body("A coil."), order=n)
    first = client.get("/search/", {"q": "coil"}).content.decode()
    assert "25 pages found" in first and "Showing 1 to 10." in first
    assert first.count('<h2><a href="/tms/coil-') == 10
    assert 'href="/search/?q=coil&amp;page=2" rel="next">Next' in first and 'rel="prev"' not in first
    assert "<title>Search: coil · " in first
    assert '<a href="/search/?q=coil" aria-current="page"><span class="visually-hidden">Page </span>1</a>' in first
    last = client.get("/search/", {"q": "coil", "page": "3"}).content.decode()
    assert last.count('<h2><a href="/tms/coil-') == 5 and '<ol class="search-results" start="21">' in last
    assert 'href="/search/?q=coil&amp;page=2" rel="prev">Previous' in last and 'rel="next"' not in last
    assert "<title>Search: coil (page 3 of 3) · " in last
    seen = set()
    for page in (1, 2, 3):
        html = client.get("/search/", {"q": "coil", "page": page}).content.decode()
        seen |= set(re.findall(r'<h2><a href="/tms/(coil-\d+)/">', html))
    assert len(seen) == 25  # every page once, none twice


def test_more_pages_found_than_the_results_show_are_counted_as_more_than(client, make_article, monkeypatch):
    # As with 10,000 pages: counting stops one past what the pages of results can show.
    monkeypatch.setattr(search, "MAX_PAGES", 1)
    monkeypatch.setattr(search, "COUNTED", search.PAGE_SIZE + 1)
    for n in range(13):
        make_article(slug=f"coil-{n:02d}", title=f"Coil page {n:02d}", body=body("A coil."), order=n)
    html = client.get("/search/", {"q": "coil"}).content.decode()
    assert "More than 10 pages found for <strong>“coil”</strong>." in html
    assert html.count('<h2><a href="/tms/coil-') == 10 and 'rel="next"' not in html
    html = client.get("/search/", {"q": "coil zebra"}).content.decode()
    assert "No page has all the words in <strong>“coil zebra”</strong>. More than 10 pages have some of them." in html


def test_links_between_pages_keep_the_query_as_the_search_form_sends_it(client, make_article):
    for n in range(12):
        make_article(slug=f"coil-{n:02d}", title=f"Side effects of a coil {n:02d}", body=body("A coil."), order=n)
    html = client.get("/search/", {"q": "side effects & <coil>"}).content.decode()
    assert 'href="/search/?q=side+effects+%26+%3Ccoil%3E&amp;page=2"' in html


@pytest.mark.parametrize(("asked", "shown"), [("abc", 1), ("0", 1), ("-3", 1), ("99", 3), ("9" * 40, 3)])
def test_a_page_number_out_of_range_shows_the_nearest_page(client, make_article, asked, shown):
    for n in range(25):
        make_article(slug=f"coil-{n:02d}", title=f"Coil page {n:02d}", body=body("A coil."), order=n)
    response = client.get("/search/", {"q": "coil", "page": asked})
    assert response.status_code == 200
    link = "/search/?q=coil" + (f"&amp;page={shown}" if shown > 1 else "")
    assert f'<a href="{link}" aria-current="page"><span class="visually-hidden">Page </span>{shown}</a>' in (
        response.content.decode()
    )


# --- Marks made in Python match the SQLite index's own ------------------------------------------
def _content_words() -> list[str]:
    words = set()
    for path in (settings.BASE_DIR / "content").glob("*.md"):
        words |= {w.lower() for w in re.findall(r"[^\W_]+", path.read_text(encoding="utf-8"))}
    return sorted(words)


def _fts5(rows: list[str]) -> sqlite3.Connection:
    """An in-memory FTS5 table tokenized exactly as the site's index (migration 0004)."""
    db = sqlite3.connect(":memory:")
    db.execute(f"CREATE VIRTUAL TABLE t USING fts5(w, tokenize='{stems.TOKENIZER}')")
    db.executemany("INSERT INTO t(rowid, w) VALUES (?, ?)", list(enumerate(rows, 1)))
    return db


def test_the_stemmer_is_for_the_tokenizer_the_index_uses():
    migration = importlib.import_module("articles.migrations.0004_search_index")
    assert f"tokenize='{stems.TOKENIZER}'" in Path(migration.__file__).read_text()


def test_the_stemmer_gives_each_word_of_the_content_the_index_s_stem():
    words = _content_words() + ["Café", "ÉLECTRO", "technology", "us", "TMS"]
    db = _fts5(words)
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
    index = {}
    for term, doc in db.execute("SELECT term, doc FROM v"):
        index.setdefault(doc, []).append(term)
    ours = {n: [stems.stem(word)] for n, word in enumerate(words, 1)}
    differ = [(words[n - 1], index.get(n), stem) for n, stem in ours.items() if index.get(n) != stem]
    assert len(words) > 2000 and differ == []


@pytest.mark.parametrize(
    "query", ["seizure", "stimulate insurance", "side effects", "magnetic", "TMS 988", "happy hoping", "technology"]
)
def test_marks_are_the_words_the_index_itself_highlights(query):
    texts = [path.read_text(encoding="utf-8") for path in sorted((settings.BASE_DIR / "content").glob("*.md"))]
    terms = query_parse(query).terms
    db = _fts5(texts)
    match = " OR ".join(f'"{term}"' for term in terms)
    theirs = dict(db.execute("SELECT rowid, highlight(t, 0, char(1), char(2)) FROM t WHERE t MATCH ?", [match]))
    mark = stems.Marker(terms, MARK_START, MARK_END)
    ours = {n: mark(text) for n, text in enumerate(texts, 1) if MARK_START in mark(text)}
    assert theirs and ours == theirs


# --- ...and PostgreSQL's (ts_headline), in both editions ----------------------------------------------
PG_QUERIES = {
    "en": ["seizure", "stimulate insurance", "side effects", "magnetic", "TMS 988", "happy hoping", "international"],
    "es": ["convulsión", "convulsiones", "depresion", "efectos secundarios", "seguro médico", "TMS 988", "imán"],
}


@pytest.mark.parametrize("language", ["en", "es"])
def test_on_postgresql_marks_are_the_words_ts_headline_marks(site_content, language):
    """PostgreSQL's index stems with its own Snowball release (english or spanish) and reads
    addresses as one token; the marks follow it exactly, on every published title, summary and
    body of content/ in that language."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL full-text search: CI's PostgreSQL leg runs this")
    config = search.PG_CONFIGS[language]
    pages = PublishedPage.objects.in_language(language)
    texts = [text for page in pages for text in (page.title, page.summary, page.text)]
    for query in PG_QUERIES[language]:
        terms = query_parse(query, language).terms
        tsquery = " || ".join([f"to_tsquery('{config}', %s)"] * len(terms))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT ts_headline('{config}', t, q, %s) FROM unnest(%s::text[]) WITH ORDINALITY AS u(t, n), "
                f"(SELECT {tsquery} AS q) AS q ORDER BY n",
                [f"StartSel={MARK_START}, StopSel={MARK_END}, HighlightAll=true", texts, *terms],
            )
            theirs = [row[0] for row in cursor.fetchall()]
            mark = search._postgresql_marker(cursor, terms, [(None, *texts)], language)
        ours = [mark(text) for text in texts]
        assert any(MARK_START in text for text in theirs), query
        assert [n for n, (a, b) in enumerate(zip(ours, theirs, strict=True)) if a != b] == [], query


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_search_migrations_go_back_and_forth():
    """Migrations 0013 and 0014 move search to the narrow search table, with its per-language
    indexes and counting functions, which 0015 makes count up to a most; going back to 0014
    counts every page again, back to 0012 leaves 0010's search working, and forward again
    restores them, with every published page in the table."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL full-text search: CI's PostgreSQL leg runs this")
    from django.db.migrations.executor import MigrationExecutor

    def indexes(table: str) -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [table])
            return {row[0] for row in cursor.fetchall() if "headline" in row[0] or "document" in row[0]}

    def functions() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_proc WHERE proname LIKE 'articles_search_%%'")
            return cursor.fetchone()[0]

    def count_arguments() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_get_function_identity_arguments(oid) FROM pg_proc"
                " WHERE proname LIKE 'articles_search_count_%%'"
            )
            return {row[0] for row in cursor.fetchall()}

    table = search.SEARCH
    added = {f"{table}_{v}_{lang}" for v in ("headline", "document") for lang in ("en", "es")}
    assert indexes(table) == added
    assert indexes("articles_publishedpage") == set()
    assert count_arguments() == {"query tsquery, most bigint"}
    executor = MigrationExecutor(connection)
    executor.migrate([("articles", "0014_search_table")])
    assert count_arguments() == {"query tsquery"} and functions() == 4
    executor = MigrationExecutor(connection)
    executor.migrate([("articles", "0012_reader_feedback")])
    try:
        assert indexes("articles_publishedpage") == {"articles_publishedpage_document"}
        assert functions() == 0
        with connection.cursor() as cursor:
            assert table not in connection.introspection.table_names(cursor)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert indexes(table) == added
    assert functions() == 4 and count_arguments() == {"query tsquery, most bigint"}
    assert search_articles(query_parse("seizure")).total == 0  # the functions answer (no page yet)


def _search_table_ids() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {search.SEARCH} ORDER BY id")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_search_table_holds_exactly_the_published_pages(make_article):
    """What search reads on PostgreSQL (migration 0014's table) is the published pages, one row
    each, through publishing and unpublishing (test_the_index_follows_edits_archiving_and_deletion
    checks the text), and nothing after the TRUNCATE of Django's flush."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL full-text search: CI's PostgreSQL leg runs this")
    from django.core.management import call_command

    def published_ids() -> list[int]:
        return list(PublishedPage.objects.order_by("id").values_list("id", flat=True))

    article = make_article(slug="pulse-trains", title="Pulse trains", body=body("Magnetic pulses in trains."))
    make_article(slug="second", title="Second", body=body("Another page."))
    assert len(published_ids()) == 2 and _search_table_ids() == published_ids()
    article.status = Article.Status.ARCHIVED
    workflow.article_save(article=article, change=workflow.EDITORIAL)
    assert len(published_ids()) == 1 and _search_table_ids() == published_ids()
    call_command("flush", "--noinput", verbosity=0)
    assert _search_table_ids() == []


def test_a_new_search_asks_the_database_once_on_postgresql(client, make_article, django_assert_num_queries):
    """The count, the ranking and the page of results come in one statement (three on SQLite, in
    the same process), so a search nobody made before waits for one round trip."""
    make_article(slug="coil", title="Coil", body=body("A coil, a coil."))
    client.get("/search/", {"q": "coil"})  # the first search of a word learns its forms (PostgreSQL)
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 3):
        html = client.get("/search/", {"q": "coil", "from": "a new address"}).content.decode()
    assert "1 page found" in html and "<mark>Coil</mark>" in html
