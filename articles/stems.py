"""Which words of a text a search matched, found the way SQLite's FTS5 index finds them.

The index (migration 0004) splits text into words of letters and digits, folds case and accents,
and reduces each word to its Porter stem, so "seizures" and "seizure" both become "seizur". To
mark the matched words on the results page without asking FTS5 to tokenize every body again,
``Marker(terms, ...)`` does the same here: the Porter stemmer of the Snowball project, with the two
places where FTS5's own Porter code differs from it (tests/test_search.py compares the two on
every word of content/).

Only the marks depend on this; which pages match, and their order, is the index's answer.

Spanish pages have an index of their own (migration 0008): SQLite has no Spanish stemmer, so the
words of a Spanish page are stored as their Snowball Spanish stems, without accents
(``spanish_stems``), and a Spanish search looks up the stems of its words the same way:
"depresion" finds "depresión", "convulsiones" finds "convulsión".

PostgreSQL's index stems with its own ``english`` and ``spanish`` configurations, whose Snowball
release differs from any one Python package in a few words ("international": "intern").
``PostgresStems`` asks the database for the lexemes of the words that could match (a few per
search, each asked once per process), so ``Marker(terms, ..., stem=postgres_stems.stemmer("es"))``
marks exactly what ``ts_headline`` would, without ``ts_headline`` parsing ten whole bodies on every
search (most of its cost).
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Iterator

import snowballstemmer

TOKENIZER = "porter unicode61 remove_diacritics 2"  # the index's, as migration 0004 creates it
_stemmer = snowballstemmer.stemmer("porter")
_spanish = snowballstemmer.stemmer("spanish")
_lock = threading.Lock()  # a Snowball stemmer keeps state while it works
_WORD_RE = re.compile(r"[^\W_]+")
_MAYBE_WHOLE = re.compile(r"[/@.]")
PG_CONFIGS = {"en": "english", "es": "spanish"}  # each edition's PostgreSQL text search configuration


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def fold(word: str) -> str:
    """Lower case without accents, as FTS5's ``unicode61 remove_diacritics 2`` folds a word.
    Only the letters outside ASCII are looked at (a whole Spanish page is folded per search)."""
    word = word.lower()
    if word.isascii():
        return word
    return _NON_ASCII.sub(lambda run: "".join(map(_fold_letter, run.group())), word)


@functools.lru_cache(maxsize=4096)
def _fold_letter(letter: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", letter) if not unicodedata.combining(c))


@functools.lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """The index's stem of a word of letters and digits."""
    word = fold(word)
    if len(word) <= 2:
        return word  # FTS5 leaves words of one or two letters as they are ("us", "ms")
    with _lock:
        stemmed = _stemmer.stemWord(word)
    # FTS5 also turns "-logi" into "-log" ("technology" -> "technolog").
    return stemmed[:-1] if stemmed.endswith("logi") else stemmed


@functools.lru_cache(maxsize=50_000)
def spanish_stem(word: str) -> str:
    """A Spanish word's Snowball stem, in lower case without accents (as the Spanish index keeps it)."""
    with _lock:
        stemmed = _spanish.stemWord(word.lower())
    return fold(stemmed)


def spanish_stems(text: str) -> str:
    """Spanish text as the Spanish index reads it: the stem of every word, in order."""
    return " ".join(spanish_stem(word) for word in _WORD_RE.findall(text))


def stemmer_for(language: str):
    return spanish_stem if language == "es" else stem


class PostgresStems:
    """Words' lexemes as a PostgreSQL text search configuration makes them (its parser, stemmer
    and stop words: a stop word has none), remembered once asked, per language."""

    MAX_WORDS = 50_000

    def __init__(self) -> None:
        self._known: dict[str, dict[str, str]] = {language: {} for language in PG_CONFIGS}

    def learn(self, cursor, words, language: str = "en") -> None:
        """Ask the database, in one query, for the lexemes of the words not asked before."""
        known = self._known[language]
        unknown = sorted({word.lower() for word in words} - known.keys())
        if not unknown:
            return
        cursor.execute(
            f"SELECT w, (tsvector_to_array(to_tsvector('{PG_CONFIGS[language]}', w)))[1] FROM unnest(%s::text[]) AS w",
            [unknown],
        )
        learned = {word: lexeme or "" for word, lexeme in cursor.fetchall()}
        if len(known) + len(learned) > self.MAX_WORDS:
            known.clear()
        known.update(learned)

    def stemmer(self, language: str = "en"):
        """The lexeme of a word already learned ("" for a stop word or a word not learned)."""
        known = self._known[language]
        return lambda word: known.get(word.lower(), "")


postgres_stems = PostgresStems()
# What PostgreSQL's parser reads as one token, never as words: web addresses, e-mail addresses,
# paths and host names (tags, such as "</i>", it reads as tags, and the words between them as words).
POSTGRES_WHOLE_TOKENS = re.compile(
    r"[a-z][a-z0-9+.-]*://[^\s<>\"']+"  # an address with its scheme
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail
    r"|(?<![\w<])/[^\s<>\"']*"  # a path (not a closing tag)
    r"|[^\W_][\w-]*(?:\.[\w-]+)+(?:/[^\s<>\"']*)?",  # a host name, and the path after it
    re.IGNORECASE,
)


class Marker:
    """Marks the words of a text that one of the search ``terms`` matches: ``marker(text)`` puts
    ``start`` and ``end`` around each; ``marker.find(text)`` gives where they are. ``language``:
    the text's ("es" stems Spanish words, and finds words with or without their accents).
    ``stem``: the index's stem of a word (by default the SQLite index's, for ``language``);
    ``whole``: what the index reads as one token, words inside it never matching (nothing by
    default; PostgreSQL's parser: ``POSTGRES_WHOLE_TOKENS``)."""

    def __init__(
        self, terms, start: str, end: str, *, language: str = "en", stem=None, whole: re.Pattern | None = None
    ):
        self._stem = stem or stemmer_for(language)
        self._whole = whole
        self._fold = language == "es"
        self.wanted = {stemmed for stemmed in map(self._stem, terms) if stemmed}
        self.start, self.end = start, end
        # Candidates first: a word stems to a stem that, but for its last two letters at most,
        # starts the word. A regular expression that starts with plain letters finds them fast
        # in lower-cased text; only the candidates are stemmed.
        prefixes = "|".join(sorted({re.escape(w[: max(1, len(w) - 2)]) for w in self.wanted}, key=len, reverse=True))
        self._candidates = re.compile(rf"(?:{prefixes})[^\W_]*")
        self._any_case = re.compile(rf"(?:{prefixes})[^\W_]*", re.IGNORECASE)
        self._lowered: dict[str, str] = {}  # the few texts of one page of results, each lowered once

    def _lower(self, text: str) -> str:
        lower = self._lowered.get(text)
        if lower is None:
            if len(self._lowered) >= 64:
                self._lowered.clear()
            lower = self._lowered[text] = fold(text) if self._fold else text.lower()
        return lower

    def _scan(self, text: str) -> tuple[str, Iterator[re.Match]]:
        """The text to look in (lower-cased, with positions as in ``text``) and the words in it
        that could match: those whose stem may be a wanted one."""
        lower = self._lower(text)
        if len(lower) == len(text):
            return lower, self._candidates.finditer(lower)
        return text, self._any_case.finditer(text)  # a rare letter whose lower case is longer

    def candidates(self, text: str) -> Iterator[tuple[int, int]]:
        """Where the words are that could match, each standing on its own as the index reads it."""
        if not self.wanted:
            return
        lower, found = self._scan(text)
        for match in found:
            at, to = match.span()
            if at and lower[at - 1].isalnum():
                continue  # inside a longer word
            if self._whole and (self._in_whole_token(text, at, to) or text[at].isdigit() and text[at - 1 : at] == "-"):
                continue  # inside an address, or a signed number ("981-988" reads as 981 and -988)
            yield at, to

    def candidate_words(self, text: str) -> set[str]:
        """The words of ``text`` that could match, as ``candidates`` finds them but for its checks
        of where a word stands (a few more words, found in one pass): what to ask the stems of."""
        if not self.wanted:
            return set()
        return {text[match.start() : match.end()] for match in self._scan(text)[1]}  # as written

    def _in_whole_token(self, text: str, at: int, to: int) -> bool:
        """Whether the word at ``at`` is part of a token read whole, looked for in its run of
        non-space characters only (a search costs a few of these, not a scan of every body)."""
        start, end = at, to
        while start and not text[start - 1].isspace():
            start -= 1
        while end < len(text) and not text[end].isspace():
            end += 1
        if start == at and end == to or not _MAYBE_WHOLE.search(text, start, end):
            return False  # a plain word: no address, path or host name around it
        return any(match.start() <= at < match.end() for match in self._whole.finditer(text, start, end))

    def find(self, text: str) -> Iterator[tuple[int, int, str]]:
        """(start, end, stem) of each matched word, in order, found as they are asked for."""
        for at, to in self.candidates(text):
            word_stem = self._stem(text[at:to])
            if word_stem in self.wanted:
                yield at, to, word_stem

    def __call__(self, text: str) -> str:
        parts, done = [], 0
        for at, to, _stem in self.find(text):
            parts += [text[done:at], self.start, text[at:to], self.end]
            done = to
        parts.append(text[done:])
        return "".join(parts)
