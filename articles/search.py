"""Site search over published pages: title, summary and the stored plain text of the body.

On PostgreSQL it uses full-text search (stemming, weighted rank); elsewhere (SQLite) a simple
word-prefix match. Both rank pages whose title matches first. Snippets are plain text with
the matched words highlighted: the text is escaped first, then wrapped in ``<mark>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import Q
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import Article

MAX_QUERY_CHARS = 200
MAX_TERMS = 10
MAX_RESULTS = 30
SNIPPET_WORDS = 32
# Words that would match every page and only dilute the ranking.
STOP_WORDS = frozenset(
    "a an and are as at be by can do does for from how i if in is it me my of on or so the "
    "to was what when where which who why will with you your".split()
)
_WORD_RE = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Query:
    text: str  # what the reader typed, trimmed to MAX_QUERY_CHARS
    terms: tuple[str, ...]  # lower-case words searched for
    truncated: bool = False  # the query was longer than we search


@dataclass(frozen=True)
class Hit:
    article: Article
    title: SafeString  # escaped, matches marked
    snippet: SafeString  # escaped, matches marked


@dataclass(frozen=True)
class Results:
    query: Query
    hits: list[Hit]
    all_words: bool = True  # False when no page had every word and pages with some are shown


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


def _term_re(terms) -> re.Pattern:
    """Words that start with any of the terms ("seizure" finds "seizures")."""
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\w*", re.IGNORECASE | re.UNICODE)


def highlight(text: str, terms) -> SafeString:
    """Escape ``text``, then wrap each matched word in <mark>. Input is never trusted."""
    if not terms:
        return escape(text)
    pieces, last = [], 0
    for match in _term_re(terms).finditer(text):
        pieces.append(escape(text[last : match.start()]))
        pieces.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    pieces.append(escape(text[last:]))
    return mark_safe("".join(pieces))  # noqa: S308 (every piece above is escaped)


def snippet(text: str, terms, *, words: int = SNIPPET_WORDS) -> str:
    """A short passage of ``text`` around the best match: the block with most terms found."""
    if not terms:
        return ""
    pattern = _term_re(terms)
    best, best_found = "", 0
    for block in (text or "").split("\n"):
        found = len(_word_matches(terms, block))
        if found > best_found:
            best, best_found = block, found
    if not best:
        return ""
    tokens = best.split()
    first = next((i for i, tok in enumerate(tokens) if pattern.search(tok)), 0)
    start = max(0, min(first - words // 3, len(tokens) - words))
    passage = " ".join(tokens[start : start + words])
    return ("… " if start > 0 else "") + passage + (" …" if start + words < len(tokens) else "")


def _word_matches(terms, text: str) -> set[str]:
    found = set()
    for term in terms:
        if re.search(rf"\b{re.escape(term)}", text, re.IGNORECASE | re.UNICODE):
            found.add(term)
    return found


def _search_simple(articles, terms, *, all_words: bool) -> list[Article]:
    """Any database: narrow down with LIKE, then confirm whole-word starts and rank in Python."""
    per_term = [Q(title__icontains=t) | Q(summary__icontains=t) | Q(plain_text__icontains=t) for t in terms]
    combine = (lambda a, b: a & b) if all_words else or_
    candidates = articles.filter(reduce(combine, per_term))
    ranked = []
    for position, article in enumerate(candidates):
        in_title = _word_matches(terms, article.title)
        in_summary = _word_matches(terms, article.summary)
        in_body = _word_matches(terms, article.plain_text)
        found = in_title | in_summary | in_body
        if not found or (all_words and len(found) < len(terms)):
            continue
        body_count = sum(min(len(re.findall(rf"\b{re.escape(t)}", article.plain_text, re.I)), 20) for t in terms)
        ranked.append(((-len(in_title), -len(found), -len(in_summary), -body_count, position), article))
    ranked.sort(key=lambda pair: pair[0])
    return [article for _key, article in ranked[:MAX_RESULTS]]


def _search_postgres(articles, terms, *, all_words: bool) -> list[Article]:
    """PostgreSQL full-text search: English stemming, title weighted above summary and body."""
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

    config = "english"
    vector = (
        SearchVector("title", weight="A", config=config)
        + SearchVector("summary", weight="B", config=config)
        + SearchVector("plain_text", weight="C", config=config)
    )
    if all_words:
        query = SearchQuery(" ".join(terms), search_type="plain", config=config)
    else:
        query = reduce(or_, [SearchQuery(t, search_type="plain", config=config) for t in terms])
    title_rank = SearchRank(SearchVector("title", config=config), query)
    found = (
        articles.annotate(document=vector, rank=SearchRank(vector, query), title_rank=title_rank)
        .filter(document=query)
        .order_by("-title_rank", "-rank", "topic_rank", "order")
    )
    return list(found[:MAX_RESULTS])


def search_articles(query: Query) -> Results:
    """Published pages matching the query, best first: every word if possible, else any."""
    if not query.terms:
        return Results(query=query, hits=[])
    articles = Article.objects.published().only(
        "slug", "title", "summary", "plain_text", "topic", "approved_title", "approved_summary", "approved_body",
        "approved_body_html", "approved_toc", "approved_updated_on", "updated_on",
    )  # fmt: skip
    search = _search_postgres if connection.vendor == "postgresql" else _search_simple
    all_words = True
    found = search(articles, query.terms, all_words=True)
    if not found and len(query.terms) > 1:
        all_words = False
        found = search(articles, query.terms, all_words=False)
    # A page waiting for sign-off of a clinical change shows (and is found by) its approved text only.
    shown = [article.public_version() for article in found]
    shown = [a for a in shown if _word_matches(query.terms, f"{a.title}\n{a.summary}\n{a.plain_text}")]
    hits = [
        Hit(
            article=article,
            title=highlight(article.title, query.terms),
            snippet=highlight(snippet(article.plain_text, query.terms) or article.summary, query.terms),
        )
        for article in shown
    ]
    return Results(query=query, hits=hits, all_words=all_words)
