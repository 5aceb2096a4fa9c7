"""What an article stores that is derived from its body, made by one function.

``derive(body)`` runs the one rendering path (``render_markdown``) once and measures the result:
sanitized HTML, contents list, plain text, word count and reading grade. ``Article.save()`` uses
it; a large import uses ``deriver`` to spread the work over the machine's cores. Nothing here
touches the database or Django settings, so worker processes need no Django set-up.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from .markdown import render_markdown
from .readability import reading_ease, reading_grade

# Below this many bodies, starting worker processes costs more than it saves.
PARALLEL_FROM = 64


@dataclass(frozen=True)
class Derived:
    body: str  # the body these values were made from
    html: str
    toc: list
    text: str
    word_count: int
    reading_grade: float | None  # Flesch-Kincaid grade, English
    reading_ease: float | None = None  # INFLESZ, Spanish
    language: str = "en"


def derive(body: str, language: str = "en") -> Derived:
    rendered = render_markdown(body)
    spanish = language == "es"
    return Derived(
        body=body,
        html=rendered.html,
        toc=rendered.toc,
        text=rendered.text,
        word_count=len(rendered.text.split()),
        reading_grade=None if spanish else reading_grade(rendered.reading_text),
        reading_ease=reading_ease(rendered.reading_text) if spanish else None,
        language=language,
    )


class _Done:
    """Bodies derived here and now, with the same ``get()`` as a pool's pending result."""

    def __init__(self, texts):
        self._derived = [derive(body, language) for body, language in texts]

    def get(self) -> list[Derived]:
        return self._derived


@contextmanager
def deriver(expected: int) -> Iterator:
    """``submit(texts)``, which starts deriving a list of (body, language) and returns a result whose
    ``get()`` gives them in order: worker processes (one per core) do the work when there are at
    least PARALLEL_FROM bodies to do and more than one core, so the caller can write one batch
    while the next is rendered; otherwise it is done at once, in this process."""
    processes = min(os.cpu_count() or 1, 8)
    if expected < PARALLEL_FROM or processes < 2:
        yield _Done
        return
    # "spawn": fresh interpreters that share no database connection or lock with this one.
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        yield lambda texts: pool.starmap_async(derive, texts, chunksize=4)
