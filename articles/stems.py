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


def fold(word: str) -> str:
    """Lower case without accents, as FTS5's ``unicode61 remove_diacritics 2`` folds a word."""
    word = word.lower()
    if word.isascii():
        return word
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


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


class Marker:
    """Marks the words of a text that one of the search ``terms`` matches: ``marker(text)`` puts
    ``start`` and ``end`` around each; ``marker.find(text)`` gives where they are. ``language``:
    the text's ("es" stems Spanish words, and finds words with or without their accents)."""

    def __init__(self, terms, start: str, end: str, *, language: str = "en"):
        self._stem = stemmer_for(language)
        self._fold = language == "es"
        self.wanted = {self._stem(term) for term in terms}
        self.start, self.end = start, end
        # Candidates first: a word stems to a stem that, but for its last two letters at most,
        # starts the word. A regular expression that starts with plain letters finds them fast
        # in lower-cased text; only the candidates are stemmed.
        prefixes = "|".join(sorted({re.escape(w[: max(1, len(w) - 2)]) for w in self.wanted}, key=len, reverse=True))
        self._candidates = re.compile(rf"(?:{prefixes})[^\W_]*")
        self._any_case = re.compile(rf"(?:{prefixes})[^\W_]*", re.IGNORECASE)

    def find(self, text: str) -> Iterator[tuple[int, int, str]]:
        """(start, end, stem) of each matched word, in order, found as they are asked for."""
        if not self.wanted:
            return
        lower = fold(text) if self._fold else text.lower()
        if len(lower) == len(text):
            candidates = self._candidates.finditer(lower)
        else:  # a rare letter whose lower case is longer: positions would differ
            lower, candidates = text, self._any_case.finditer(text)
        for match in candidates:
            at, to = match.span()
            if at and lower[at - 1].isalnum():
                continue  # inside a longer word
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
