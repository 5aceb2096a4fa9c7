"""Search: finds published pages by their words, title matches first, safe snippets, and calm
answers to empty, odd or very long queries. Runs on the test database (SQLite, or PostgreSQL
full-text search when DATABASE_URL points at PostgreSQL)."""

import re

import pytest

from articles.models import Article
from articles.search import MAX_QUERY_CHARS, highlight, query_parse, search_articles, snippet

pytestmark = pytest.mark.django_db


def body(text: str) -> str:
    return f"## Key points {{#key-points}}\n\n- A point.\n\n## Section {{#section}}\n\n{text}\n"


def found(q: str) -> list[str]:
    return [hit.article.slug for hit in search_articles(query_parse(q)).hits]


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
    assert [h.article.slug for h in results.hits] == ["one"] and results.all_words is False


@pytest.mark.parametrize("status", [Article.Status.DRAFT, Article.Status.IN_REVIEW, Article.Status.ARCHIVED])
def test_unpublished_pages_are_never_found(make_article, status):
    make_article(slug="hidden", title="Secret seizure page", status=status)
    assert found("seizure") == []


# --- Snippets ------------------------------------------------------------------------------------
def test_snippet_shows_the_passage_with_the_match():
    text = "First block about nothing.\n" + " ".join(f"w{i}" for i in range(60)) + " seizure " + "end."
    passage = snippet(text, ("seizure",))
    assert "seizure" in passage and passage.startswith("… ") and len(passage.split()) < 40


def test_highlight_escapes_first_then_marks():
    html = highlight('<img src=x onerror="alert(1)"> seizure & <b>seizures</b>', ("seizure",))
    assert "<img" not in html and "<b>" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; <mark>seizure</mark>" in html
    assert "&amp; &lt;b&gt;<mark>seizures</mark>&lt;/b&gt;" in html


def test_highlight_never_marks_inside_an_escaped_entity():
    assert highlight("Fish & chips", ("amp",)) == "Fish &amp; chips"


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
