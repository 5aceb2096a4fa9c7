"""Site search over the public text of published pages: title, summary and body.

The database does the work, from an index of the published pages (``PublishedPage``: the text
the public reads; see articles/models.py and migration 0006), so a search costs a few index
look-ups however many pages there are:

* SQLite: an FTS5 table with Porter stemming, ranked by BM25 (title weighted above summary,
  summary above body).
* PostgreSQL: full-text search on a stored, weighted ``tsvector`` in each row's language's
  configuration (english or spanish), copied by triggers into a narrow search table with a GIN
  index per language (migration 0014), counted from that index;
  ranked by ``ts_rank`` of the title and summary (a small vector with its own GIN index), then,
  for pages with the words in their body only, of the whole text (``_search_postgresql``). A common
  word found on thousands of pages reads none of their large documents for the first page.

Each query word also matches the other forms of its word ("seizure" finds "seizures", "magnet"
finds "magnetic"). Pages with a query word in their title come first. The matched words are
marked in the title and in a short passage of the body by articles/stems.py, with the index's
own stems (not by FTS5's ``highlight()`` or ``ts_headline``, which re-parse every body shown);
those marks are control characters that the stored text never contains, so the page escapes the
whole text first and only then turns the marks into ``<mark>``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from django.db import connection
from django.urls import get_script_prefix, reverse
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from . import stems
from .listing import page_number, paginate

MAX_QUERY_CHARS = 200
MAX_TERMS = 10
PAGE_SIZE = 10  # results per page of results
MAX_PAGES = 50  # nobody reads further; bounds the work a deep page costs (past it: the last page)
# Pages are counted up to one more than the results can show: past it, "more than 500" (0015).
COUNTED = MAX_PAGES * PAGE_SIZE + 1
SNIPPET_WORDS = 32
# Words that would match every page and only dilute the ranking.
STOP_WORDS = frozenset(
    "a an and are as at be by can do does for from how i if in is it me my of on or so the "
    "to was what when where which who why will with you your".split()
)
SPANISH_STOP_WORDS = frozenset(
    "a al como cómo con cual cuál cuando cuándo de del donde dónde el en es esta este hay la las "
    "lo los me mi mis o para por que qué quien quién se si sí su sus tu un una uno usted y ya yo".split()
)
# Where the database marks a match: characters that indexed text never contains (PublishedPage.text).
MARK_START, MARK_END = "\x01", "\x02"
_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)  # letters and digits; "_" splits words, as the index does


@dataclass(frozen=True)
class Query:
    text: str  # what the reader typed, trimmed to MAX_QUERY_CHARS
    terms: tuple[str, ...]  # lower-case words searched for
    truncated: bool = False  # the query was longer than we search


@dataclass(frozen=True)
class Hit:
    slug: str
    title: SafeString  # escaped, matches marked
    snippet: SafeString  # escaped, matches marked

    @property
    def url(self) -> str:
        return _page_path(self.slug, get_script_prefix(), get_language())


@dataclass(frozen=True)
class Results:
    query: Query
    listing: object = None  # articles.listing.Listing of Hit, or None without search terms
    all_words: bool = True  # False when no page had every word and pages with some are shown
    total: int = 0  # pages found in all, counted up to COUNTED

    @property
    def hits(self) -> list[Hit]:
        return self.listing.items if self.listing else []

    @property
    def more_than(self) -> int:
        """How many pages were found at least, when more were found than the results show; else 0."""
        return COUNTED - 1 if self.total >= COUNTED else 0


@functools.lru_cache(maxsize=4096)
def _page_path(slug: str, _prefix: str, _language: str) -> str:
    return reverse("articles:detail", kwargs={"slug": slug})


def query_parse(raw: str | None, language: str = "en") -> Query:
    """Turn what the reader typed into search terms. Never fails; may give no terms."""
    text = " ".join((raw or "").split())
    truncated = len(text) > MAX_QUERY_CHARS
    text = text[:MAX_QUERY_CHARS]
    words = []
    for word in _WORD_RE.findall(text.lower()):
        if word not in words:
            words.append(word)
    stop = SPANISH_STOP_WORDS if language == "es" else STOP_WORDS
    terms = [w for w in words if w not in stop] or words
    if len(terms) > MAX_TERMS:
        terms, truncated = terms[:MAX_TERMS], True
    return Query(text=text, terms=tuple(terms), truncated=truncated)


def strip_marks(text: str) -> str:
    """Text as the index stores it: without the characters that mark matches."""
    return text.replace(MARK_START, "").replace(MARK_END, "")


def marked_html(marked: str) -> SafeString:
    """Escape text the database marked up, then turn its marks into <mark>. Input is never trusted."""
    html = escape(marked).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    return mark_safe(html)  # noqa: S308 (escaped above; only our own marks become tags)


# --- SQLite: FTS5 -------------------------------------------------------------------------------
PAGES = "articles_publishedpage"
# Each edition's index (migrations 0006 and 0008): English text stemmed by FTS5's Porter
# tokenizer; Spanish pages' words stored as Spanish stems (articles/stems.py).
FTS_BY_LANGUAGE = {"en": "articles_publishedpage_fts", "es": "articles_publishedpage_es_fts"}


def _fts5_match(terms, *, all_words: bool, language: str = "en") -> str:
    """An FTS5 query: each term as a quoted string (never FTS5 syntax), matched by its stem."""
    if language == "es":
        terms = [stems.spanish_stem(term) for term in terms]
    parts = [f'"{t}"' for t in (term.replace('"', '""') for term in terms)]
    return (" AND " if all_words else " OR ").join(parts)


def _count_sqlite(terms, *, all_words: bool, language: str = "en") -> int:
    fts = FTS_BY_LANGUAGE[language]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {fts} WHERE {fts} MATCH %s LIMIT %s)",
            [_fts5_match(terms, all_words=all_words, language=language), COUNTED],
        )
        return cursor.fetchone()[0]


def _rows_sqlite(terms, *, all_words: bool, limit: int, offset: int, language: str = "en") -> list[tuple]:
    # The FTS5 table alone answers the ranking; the published pages (wide rows) are read only
    # for the page of results shown.
    FTS = FTS_BY_LANGUAGE[language]  # noqa: N806 (the SQL below names it so)
    match = _fts5_match(terms, all_words=all_words, language=language)
    in_title = "{title} : (" + _fts5_match(terms, all_words=False, language=language) + ")"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s
                ORDER BY rowid IN (SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s) DESC,
                         bm25({FTS}, 10.0, 4.0, 1.0), rowid
                LIMIT %s OFFSET %s""",
            [match, in_title, limit, offset],
        )
        ids = [row[0] for row in cursor.fetchall()]
        if not ids:
            return []
        listed = ", ".join(str(int(pk)) for pk in ids)
        cursor.execute(f"SELECT id, slug, title, summary, text FROM {PAGES} WHERE id IN ({listed})")
        shown = {pk: (slug, title, summary, text) for pk, slug, title, summary, text in cursor.fetchall()}
    # Marks made here rather than by FTS5's highlight(), which re-reads and re-tokenizes every
    # body shown (most of a search's cost): stems.Marker finds the same words.
    mark = stems.Marker(terms, MARK_START, MARK_END, language=language)
    return [
        (slug, mark(title), mark(summary), _best_passage(text, mark))
        for slug, title, summary, text in (shown[pk] for pk in ids if pk in shown)
    ]


def _best_passage(text: str, mark: stems.Marker) -> str:
    """About SNIPPET_WORDS words, matches marked, of the paragraph (or list item: a line of the
    indexed text) with the most different words matched, from a little before its first match.
    Empty without a match."""
    stems_in_line: dict[int, set] = {}  # where a line starts: the stems matched in it
    for at, _to, word_stem in mark.find(text):
        found = stems_in_line.setdefault(text.rfind("\n", 0, at) + 1, set())
        found.add(word_stem)
        if len(found) == len(mark.wanted):
            break  # no later line can have more (for one search word: the first line with it)
    if not stems_in_line:
        return ""
    # Most different words found; among equals, the earliest (a sources list repeats words).
    line_start = max(stems_in_line, key=lambda start: (len(stems_in_line[start]), -start))
    line_end = text.find("\n", line_start)
    words = mark(text[line_start : None if line_end < 0 else line_end]).split()  # a mark never spans a space
    first = next(i for i, word in enumerate(words) if MARK_START in word)
    start = max(0, min(first - SNIPPET_WORDS // 4, len(words) - SNIPPET_WORDS))
    passage = " ".join(words[start : start + SNIPPET_WORDS])
    return ("… " if start else "") + passage + (" …" if start + SNIPPET_WORDS < len(words) else "")


# --- PostgreSQL: tsvector + GIN -------------------------------------------------------------------
PG_CONFIGS = stems.PG_CONFIGS  # each edition's text search configuration (migrations 0010, 0013)
# Each published page's id, language and vectors, kept in step by triggers (migration 0014): far
# narrower rows than the published pages', so reading the thousands a common word matches is cheap.
SEARCH = "articles_publishedpage_search"
# Pages that have the words in their body only are ranked by their whole text when there are at
# most this many (each one ranked is one large document read); beyond, in the order they were
# published. Pages with the words in their title or summary are always ranked, and come first.
BODY_RANKED = 300


def _tsquery(terms, *, all_words: bool, weight: str = "", language: str = "en") -> tuple[str, list[str]]:
    """SQL for a tsquery: each term stemmed (a ``:weight`` label where given), passed as a parameter."""
    operator = " && " if all_words else " || "
    sql = operator.join([f"to_tsquery('{PG_CONFIGS[language]}', %s)"] * len(terms))
    return f"({sql})", [f"{term}:{weight}" if weight else term for term in terms]


def _search_postgresql(terms, *, all_words: bool, limit: int, offset: int, language: str = "en") -> tuple[int, list]:
    """How many pages match, and the ``limit`` shown from ``offset``, best first, with their
    matches marked: one statement, from the search table and its indexes (migrations 0013 and 0014).

    Pages with a query word in their title come first, then those with one in their summary,
    each ranked by ``ts_rank`` of their title and summary (the small ``headline`` vector, found
    through its own GIN index); then pages that have the words in their body only, ranked by
    ``ts_rank`` of the whole document when there are at most BODY_RANKED of them, else in the
    order they were published. A page of results of title and summary matches (the usual first
    page) reads no page's large document, so a common word costs index look-ups and a read of the
    narrow search table, not of every page it is on; the body ranking reads BODY_RANKED documents
    at most. The count (through the index alone, up to COUNTED: migrations 0014 and 0015) and the
    pages shown come in the same round trip.
    """
    query_sql, query_params = _tsquery(terms, all_words=all_words, language=language)
    any_sql, any_params = _tsquery(terms, all_words=False, language=language)
    title_sql, title_params = _tsquery(terms, all_words=False, weight="A", language=language)
    # With every word wanted, a headline match counts only where the whole page has them all
    # (found through the document index, then joined: never a document read per headline match).
    has_all = "WHERE id IN (SELECT id FROM matches)" if all_words and len(terms) > 1 else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH matches AS MATERIALIZED (SELECT id FROM articles_search_matches_{language}({query_sql}) AS m(id)),
                any_headline AS MATERIALIZED (
                    SELECT e.id, e.headline @@ {title_sql} AS in_title, ts_rank(e.headline, {any_sql}) AS rank
                    FROM {SEARCH} e WHERE e.language = '{language}' AND e.headline @@ {any_sql}),
                headline AS MATERIALIZED (SELECT * FROM any_headline {has_all}),
                first AS (SELECT ARRAY(SELECT id FROM headline ORDER BY in_title DESC, rank DESC, id
                                       LIMIT %s OFFSET %s) AS ids),
                body_only AS (SELECT id FROM matches WHERE id NOT IN (SELECT id FROM headline)),
                body AS (SELECT ARRAY(
                    SELECT b.id FROM body_only b JOIN {SEARCH} e ON e.id = b.id
                    ORDER BY CASE WHEN (SELECT count(*) FROM body_only) <= %s
                                  THEN ts_rank(e.document, {query_sql}) END DESC NULLS LAST, b.id
                    LIMIT %s - (SELECT cardinality(ids) FROM first)
                    OFFSET greatest(0, %s - (SELECT count(*) FROM headline))) AS ids)
                SELECT (SELECT articles_search_count_{language}({query_sql}, %s)), p.slug, p.title, p.summary, p.text
                FROM (SELECT (SELECT ids FROM first) || (SELECT ids FROM body) AS ids) shown
                LEFT JOIN LATERAL unnest(shown.ids) WITH ORDINALITY AS u(id, position) ON true
                LEFT JOIN {PAGES} p ON p.id = u.id
                ORDER BY u.position""",
            [
                *query_params, *title_params, *any_params, *any_params, limit, offset,
                BODY_RANKED, *query_params, limit, offset, *query_params, COUNTED,
            ],
        )  # fmt: skip
        found = cursor.fetchall()
        # One row even when none is shown (offset past the end): the count, and no page.
        total, rows = found[0][0], [row[1:] for row in found if row[1] is not None]
        if not rows:
            return total, []
        # As on SQLite, marked here rather than by ts_headline, which re-parses every body.
        mark = _postgresql_marker(cursor, terms, rows, language)
    return total, [(slug, mark(title), mark(summary), _best_passage(text, mark)) for slug, title, summary, text in rows]


def _postgresql_marker(cursor, terms, rows, language: str) -> stems.Marker:
    """What marks the matched words: the index's own lexemes, asked of the database for the
    words that could match only, and each once per process (articles/stems.py)."""
    known = stems.postgres_stems
    known.learn(cursor, terms, language)
    stem = known.stemmer(language)
    mark = stems.Marker(terms, MARK_START, MARK_END, language=language, stem=stem, whole=stems.POSTGRES_WHOLE_TOKENS)
    words = set().union(*(mark.candidate_words(text) for row in rows for text in row[1:]))
    known.learn(cursor, words, language)
    return mark


class Hits:
    """The published pages a query finds, best first, as the paginator reads them: ``count()``
    (at most MAX_PAGES pages' worth; ``total`` counts up to COUNTED) and slices of ``Hit``.
    ``shown``: the slice most likely asked for (the page of results requested). On PostgreSQL it
    comes with the count, in one round trip; another slice costs one more."""

    def __init__(self, terms: tuple[str, ...], *, all_words: bool, language: str = "en", shown: slice | None = None):
        self.terms, self.all_words, self.language = terms, all_words, language
        self._postgresql = connection.vendor == "postgresql"
        self._shown = shown or slice(0, PAGE_SIZE)
        self._rows: tuple[int, list] | None = None  # (offset, rows) fetched with the count

    def _search(self, limit: int, offset: int) -> tuple[int, list]:
        return _search_postgresql(
            self.terms, all_words=self.all_words, limit=limit, offset=offset, language=self.language
        )

    @cached_property
    def total(self) -> int:
        if not self._postgresql:
            return _count_sqlite(self.terms, all_words=self.all_words, language=self.language)
        start = self._shown.start or 0
        total, rows = self._search(self._shown.stop - start, start)
        self._rows = (start, rows)
        return total

    def count(self) -> int:
        return min(self.total, MAX_PAGES * PAGE_SIZE)

    def _found(self, start: int, stop: int) -> list:
        if self._rows is not None and self._rows[0] == start and stop <= start + len(self._rows[1]):
            return self._rows[1][: stop - start]  # asked for with the count (the last page: fewer)
        if self._postgresql:
            return self._search(stop - start, start)[1]
        return _rows_sqlite(
            self.terms, all_words=self.all_words, limit=stop - start, offset=start, language=self.language
        )

    def __getitem__(self, window: slice) -> list[Hit]:
        start, stop = window.start or 0, window.stop
        if stop <= start:
            return []
        hits = []
        for slug, title, summary, text in self._found(start, stop):
            passage = " ".join(text.split()) if MARK_START in text else summary  # one line
            hits.append(Hit(slug=slug, title=marked_html(title), snippet=marked_html(passage)))
        return hits


def search_articles(query: Query, *, page: str | None = None, language: str = "en") -> Results:
    """Published pages matching the query, best first: every word if possible, else any.
    ``page``: which PAGE_SIZE results to show (the ``?page=`` value; see listing.paginate)."""
    if not query.terms:
        return Results(query=query)
    start = (min(page_number(page), MAX_PAGES) - 1) * PAGE_SIZE
    shown = slice(start, start + PAGE_SIZE)
    hits = Hits(query.terms, all_words=True, language=language, shown=shown)
    if not hits.total and len(query.terms) > 1:
        hits = Hits(query.terms, all_words=False, language=language, shown=shown)
    listing = paginate(hits, page=page, per_page=PAGE_SIZE, path=reverse("articles:search"), params={"q": query.text})
    return Results(query=query, listing=listing, all_words=hits.all_words, total=hits.total)
