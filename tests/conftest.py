import datetime as dt
import itertools
from pathlib import Path

import pytest
from django.conf import settings

from articles.content import import_content
from articles.models import Article, Reviewer, body_fingerprint

CONTENT_DIR = Path(settings.BASE_DIR) / "content"
_counter = itertools.count(1)

BODY = """## Key points {#key-points}

- TMS uses magnetic pulses.

## What is it? {#what-is-it}

Some text about it.

## References {#references}

1. Example. https://example.org/
"""


@pytest.fixture
def make_article(db):
    def make(**fields) -> Article:
        n = next(_counter)
        values = {
            "slug": f"page-{n}",
            "title": f"Page {n}",
            "summary": "A short summary.",
            "body": BODY,
            "topic": "basics",
            "order": n,
            "status": Article.Status.PUBLISHED,
            "updated_on": dt.date(2026, 11, 1),
        }
        values.update(fields)
        if values.get("reviewer") and "reviewed_fingerprint" not in values:
            values["reviewed_fingerprint"] = body_fingerprint(values["body"])
        article = Article(**values)
        article.full_clean()
        article.save()
        return article

    return make


@pytest.fixture
def reviewer(db):
    return Reviewer.objects.create(name="Dr Test Person", credentials="MD, psychiatrist", role="Reviewer")


@pytest.fixture
def site_content(db):
    """The real content/ folder, imported as `make run` does."""
    import_content(CONTENT_DIR)
    return list(Article.objects.published())


@pytest.fixture(autouse=True)
def empty_page_cache():
    """Each test starts as a fresh deployment would: nothing in the page cache."""
    from django.core.cache import cache

    from articles import caching, connect

    cache.clear()
    caching.recent.clear()
    connect.code_map.forget()
    yield


@pytest.fixture
def many_articles(db):
    """``count`` published pages in one topic (slugs ``<topic>-00000`` on, in that reading order),
    written with one query: the body is rendered once and copied, so hundreds take a moment."""

    def make(count: int, *, topic: str = "basics", start: int = 0) -> None:
        template = Article(body=BODY, topic=topic)
        template.render()
        Article.objects.bulk_create(
            Article(
                slug=f"{topic}-{n:05d}",
                title=f"{topic.title()} page {n:05d}",
                summary=f"What page {n} is about.",
                body=BODY,
                body_html=template.body_html,
                toc=template.toc,
                plain_text=template.plain_text,
                word_count=template.word_count,
                reading_grade=template.reading_grade,
                topic=topic,
                topic_rank=template.topic_rank,
                order=n,
                status=Article.Status.PUBLISHED,
                updated_on=dt.date(2026, 11, 1),
            )
            for n in range(start, start + count)
        )

    return make
