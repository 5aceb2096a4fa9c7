"""Site search over the public text of published pages: title, summary and body.

The database does the work, from an index of ``SearchEntry`` rows (the text the public reads;
see articles/models.py and migration 0004), so a search costs a few index look-ups however many
pages there are:

* SQLite: an FTS5 table with Porter stemming, ranked by BM25 (title weighted above summary,
  summary above body).
* PostgreSQL: full-text search on a stored, weighted ``tsvector`` with a GIN index (English
  stemming), ranked by ``ts_rank``.

Each query word also matches the other forms of its word ("seizure" finds "seizures", "magnet"
finds "magnetic"). Pages with a query word in their title come first. The matched words are
marked in the title and in a short passage of the body (on SQLite by articles/stems.py, with the
index's own stemmer; on PostgreSQL by ``ts_headline``); those marks are control characters that
the stored text never contains, so the page escapes the whole text first and only then turns the
marks into ``<mark>``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from django.db import connection
from django.urls import get_script_prefix, reverse
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

from . import stems

MAX_QUERY_CHARS = 200
MAX_TERMS = 10
PAGE_SIZE = 10  # results per page of results
MAX_PAGES = 50  # nobody reads further; bounds the work a deep page costs
SNIPPET_WORDS = 32
# Words that would match every page and only dilute the ranking.
STOP_WORDS = frozenset(
    "a an and are as at be by can do does for from how i if in is it me my of on or so the "
    "to was what when where which who why will with you your".split()
)
# Where the database marks a match: characters that indexed text never contains (SearchEntry).
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
        return _page_path(self.slug, get_script_prefix())


@dataclass(frozen=True)
class Results:
    query: Query
    hits: list[Hit]
    all_words: bool = True  # False when no page had every word and pages with some are shown
    total: int = 0  # pages found in all
    page: int = 1  # which page of results this is

    @property
    def pages(self) -> int:
        return page_count(self.total)

    @property
    def first_number(self) -> int:
        """The position of the first hit on this page (for the list's `start`)."""
        return (self.page - 1) * PAGE_SIZE + 1

    @property
    def last_number(self) -> int:
        return self.first_number + len(self.hits) - 1

    def url(self, page: int) -> str:
        """The address of another page of these results (page 1 without a page number)."""
        return "?" + urlencode({"q": self.query.text, **({"page": page} if page > 1 else {})})

    @property
    def previous_url(self) -> str:
        return self.url(self.page - 1) if self.page > 1 else ""

    @property
    def next_url(self) -> str:
        return self.url(self.page + 1) if self.page < self.pages else ""


@functools.lru_cache(maxsize=4096)
def _page_path(slug: str, _prefix: str) -> str:
    return reverse("articles:detail", kwargs={"slug": slug})


def page_count(total: int) -> int:
    """How many pages of results ``total`` pages found fill (at most MAX_PAGES)."""
    return min(MAX_PAGES, -(-total // PAGE_SIZE))


def page_number(raw: str | None) -> int:
    """The results page asked for: a number from 1 to MAX_PAGES; anything else means page 1."""
    try:
        number = int(raw or 1)
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGES)


def query_parse(raw: str | None) -> Query:
    """Turn what the reader typed into search terms. Never fails; may give no terms."""
    text = " ".join((raw or "").split())
    truncated = len(text) > MAX_QUERY_CHARS
    text = text[:MAX_QUERY_CHARS]
    words = []
    for word in _WORD_RE.findall(text.lower()):
        if word not in words:
            words.append(word)
    terms = [w for w in words if w not in STOP_WORDS] or words
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
FTS = "articles_searchentry_fts"


def _fts5_match(terms, *, all_words: bool) -> str:
    """An FTS5 query: each term as a quoted string (never FTS5 syntax), matched by its stem."""
    parts = [f'"{t}"' for t in (term.replace('"', '""') for term in terms)]
    return (" AND " if all_words else " OR ").join(parts)


def _search_sqlite(terms, *, all_words: bool, page: int) -> tuple[int, list[tuple[str, str, str, str]]]:
    # The FTS5 table alone answers the count and the ranking; the articles table (wide rows) is
    # read only for the page of results shown.
    match = _fts5_match(terms, all_words=all_words)
    in_title = "{title} : (" + _fts5_match(terms, all_words=False) + ")"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {FTS} WHERE {FTS} MATCH %s", [match])
        total = cursor.fetchone()[0]
        if not total:
            return 0, []
        cursor.execute(
            f"""SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s
                ORDER BY rowid IN (SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s) DESC,
                         bm25({FTS}, 10.0, 4.0, 1.0), rowid
                LIMIT %s OFFSET %s""",
            [match, in_title, PAGE_SIZE, (page - 1) * PAGE_SIZE],
        )
        ids = [row[0] for row in cursor.fetchall()]
        if not ids:
            return total, []
        listed = ", ".join(str(int(pk)) for pk in ids)
        # The index holds published pages only; the status is checked again for the pages shown.
        cursor.execute(
            f"""SELECT a.id, a.slug, e.title, e.summary, e.text
                FROM articles_article a JOIN articles_searchentry e ON e.article_id = a.id
                WHERE a.id IN ({listed}) AND a.status = 'published'"""
        )
        shown = {pk: (slug, title, summary, text) for pk, slug, title, summary, text in cursor.fetchall()}
    # Marks made here rather than by FTS5's highlight(), which re-reads and re-tokenizes every
    # body shown (most of a search's cost): stems.Marker finds the same words.
    mark = stems.Marker(terms, MARK_START, MARK_END)
    return total, [
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
def _tsquery(terms, *, all_words: bool, weight: str = "") -> tuple[str, list[str]]:
    """SQL for a tsquery: each term stemmed (a ``:weight`` label where given), passed as a parameter."""
    operator = " && " if all_words else " || "
    sql = operator.join(["to_tsquery('english', %s)"] * len(terms))
    return f"({sql})", [f"{term}:{weight}" if weight else term for term in terms]


def _search_postgresql(terms, *, all_words: bool, page: int) -> tuple[int, list[tuple[str, str, str, str]]]:
    # As on SQLite: the index table answers the count and the ranking; the articles table is read
    # only for the page of results shown.
    query_sql, query_params = _tsquery(terms, all_words=all_words)
    title_sql, title_params = _tsquery(terms, all_words=False, weight="A")
    options = f"StartSel={MARK_START}, StopSel={MARK_END}"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM articles_searchentry WHERE document @@ {query_sql}", query_params)
        total = cursor.fetchone()[0]
        if not total:
            return 0, []
        cursor.execute(
            f"""WITH q AS (SELECT {query_sql} AS query, {title_sql} AS in_title)
                SELECT e.article_id FROM articles_searchentry e, q WHERE e.document @@ q.query
                ORDER BY e.document @@ q.in_title DESC, ts_rank(e.document, q.query) DESC, e.article_id
                LIMIT %s OFFSET %s""",
            [*query_params, *title_params, PAGE_SIZE, (page - 1) * PAGE_SIZE],
        )
        ids = [row[0] for row in cursor.fetchall()]
        if not ids:
            return total, []
        # The index holds published pages only; the status is checked again for the pages shown.
        cursor.execute(
            f"""SELECT a.id, a.slug, ts_headline('english', e.title, query, %s),
                       ts_headline('english', e.summary, query, %s), ts_headline('english', e.text, query, %s),
                       e.text
                FROM articles_article a JOIN articles_searchentry e ON e.article_id = a.id,
                     (SELECT {query_sql} AS query) q
                WHERE a.id = ANY(%s) AND a.status = 'published'""",
            [
                f"{options}, HighlightAll=true",
                f"{options}, HighlightAll=true",
                f"{options}, MaxWords={SNIPPET_WORDS}, MinWords={SNIPPET_WORDS // 2}",
                *query_params,
                ids,
            ],
        )
        shown = {
            pk: (slug, title, summary, _with_ellipses(passage, text))
            for pk, slug, title, summary, passage, text in cursor.fetchall()
        }
    return total, [shown[pk] for pk in ids if pk in shown]


def _with_ellipses(passage: str, text: str) -> str:
    """ts_headline's passage, with an ellipsis on each side where the body goes on."""
    plain = strip_marks(passage).strip()
    start = text.find(plain)
    if not plain or start < 0:
        return passage
    before = "… " if text[:start].strip() else ""
    after = " …" if text[start + len(plain) :].strip() else ""
    return before + passage.strip() + after


def search_articles(query: Query, page: int = 1) -> Results:
    """Published pages matching the query, best first: every word if possible, else any.
    ``page``: which PAGE_SIZE results to show (past the last page: the last page)."""
    if not query.terms:
        return Results(query=query, hits=[])
    search = _search_postgresql if connection.vendor == "postgresql" else _search_sqlite
    all_words = True
    total, rows = search(query.terms, all_words=True, page=page)
    if not total and len(query.terms) > 1:
        all_words = False
        total, rows = search(query.terms, all_words=False, page=page)
    last = max(1, page_count(total))
    if page > last:
        page = last
        total, rows = search(query.terms, all_words=all_words, page=page)
    hits = []
    for slug, title, summary, text in rows:
        passage = " ".join(text.split()) if MARK_START in text else summary  # one line
        hits.append(Hit(slug=slug, title=marked_html(title), snippet=marked_html(passage)))
    return Results(query=query, hits=hits, all_words=all_words, total=total, page=page)
