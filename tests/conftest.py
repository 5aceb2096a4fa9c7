import datetime as dt
import io
import itertools
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from articles import publishing, workflow
from articles.content import import_content
from articles.models import Article, PublishedPage, Reviewer, text_fingerprint

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
    """Make a page as a content file would: it states its own status and review fields.
    ``approved``: a dict (title, summary, body, updated_on) of the text a reviewer approved,
    for a page whose working copy has moved on since."""

    def make(*, approved: dict | None = None, **fields) -> Article:
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
            signed = {**values, **(approved or {})}
            values["reviewed_fingerprint"] = text_fingerprint(
                title=signed["title"], summary=signed["summary"], body=signed["body"]
            )
        article = Article(**values)
        article.full_clean()
        text = publishing.Text.rendered(**{"updated_on": values["updated_on"], **approved}) if approved else None
        workflow.article_save(article=article, change=workflow.IMPORT, approved=text)
        return article

    return make


@pytest.fixture
def reviewer(db):
    return Reviewer.objects.create(name="Dr Test Person", credentials="MD, psychiatrist", role="Reviewer")


@pytest.fixture
def site_content(db):
    """The real content/ folder, imported as `make run` does: the pages the public reads."""
    import_content(CONTENT_DIR)
    return list(PublishedPage.objects.in_language("en"))


def pytest_configure(config):
    """Hashed static files, as production serves them, and the Spanish interface's .mo files
    (`make test` makes both first; a bare `pytest` on a fresh clone makes them here). Done once,
    in the process that starts the run: with pytest-xdist the workers, which share these files,
    start after it and only read them."""
    if hasattr(config, "workerinput"):  # a pytest-xdist worker
        return
    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)
    call_command("compile_translations", verbosity=0, stdout=io.StringIO())


@pytest.fixture(autouse=True)
def empty_page_cache():
    """Each test starts as a fresh deployment would: nothing in the page cache."""
    from django.core.cache import cache, caches

    from articles import caching, connect

    cache.clear()
    caches["feedback"].clear()  # reader feedback's per-client counts
    caching.recent.clear()
    connect.code_map.forget()
    yield


@pytest.fixture
def many_articles(db):
    """``count`` published pages in one topic (slugs ``<topic>-00000`` on, in that reading order),
    written with two queries: the body is rendered once and copied, so hundreds take a moment."""

    def make(count: int, *, topic: str = "basics", start: int = 0) -> None:
        template = Article(title="", summary="", body=BODY, topic=topic)
        template.render()
        text = publishing.text_values(publishing.Text.of_article(template))
        articles = Article.objects.bulk_create(
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
        PublishedPage.objects.bulk_create(
            PublishedPage(
                article_id=article.pk,
                **{**text, "title": article.title, "summary": article.summary, "updated_on": article.updated_on},
                **publishing.place_values(article),
            )
            for article in articles
        )

    return make
