"""What a published page holds, made from a text once, when the workflow publishes it.

``page_values(...)`` turns an approved text (title, summary, markdown body, its rendered HTML and
contents list) into the fields of a ``PublishedPage``: the body cut into key points, main text and
references with their section links, the plain text search reads, the citations, and the
handout's type size. Nothing here writes to the database: ``workflow.article_save`` does, and
the staff preview renders an unsaved page made the same way (``preview_page``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from html import unescape

from django.utils import timezone

from . import aids
from .derived import derive
from .handout import handout_size
from .markdown import present_body, split_body
from .models import Article, PublishedPage, text_fingerprint
from .search import strip_marks
from .stems import spanish_stems

_LI_RE = re.compile(r"<li[^>]*>(.*?)</li>", re.DOTALL)
_TAG_RE = re.compile(r"<[^>]*>")

# Fields a published page takes from its article whatever text it shows: where it lives.
PLACE_FIELDS = ("slug", "topic", "topic_rank", "order")
# Fields that belong to the text the public reads (kept as they are while a change waits).
TEXT_FIELDS = (
    "version", "fingerprint", "title", "summary", "updated_on", "body",
    "key_points", "main", "references", "toc", "text", "citations", "handout_size",
    "search_title", "search_summary", "search_text",
)  # fmt: skip
REVIEW_FIELDS = ("reviewer_name", "reviewer_credentials", "reviewer_url", "reviewed_on", "next_review_due")


@dataclass(frozen=True)
class Text:
    """A text as the public may read it: what a clinician approved, or a never-reviewed page's."""

    title: str
    summary: str
    body: str
    updated_on: date
    html: str  # the body rendered by render_markdown
    toc: list
    plain: str  # render_markdown's plain text
    version: int = 0  # the article version it is published at (set by the workflow)

    @classmethod
    def of_article(cls, article: Article) -> Text:
        """The article's own text, as saved (its derived fields are current)."""
        return cls(
            title=article.title, summary=article.summary, body=article.body, updated_on=article.updated_on,
            html=article.body_html, toc=article.toc, plain=article.plain_text, version=article.version,
        )  # fmt: skip

    @classmethod
    def rendered(cls, *, title: str, summary: str, body: str, updated_on: date) -> Text:
        """A text that is not the article's own (a content file's approved block)."""
        made = derive(body)
        return cls(title, summary, body, updated_on, made.html, made.toc, made.text)


def citations(references_html: str) -> list[str]:
    """The references of a page, one plain-text string each, in order."""
    items = (unescape(_TAG_RE.sub("", li)) for li in _LI_RE.findall(references_html))
    return [" ".join(text.replace("\u21a9", "").split()) for text in items if text.strip()]


def text_values(text: Text, language: str = "en") -> dict:
    """The TEXT_FIELDS of a published page showing ``text`` (in ``language``)."""
    parts = present_body(text.html, language)
    plain = strip_marks(aids.plain_text(text.plain))
    return {
        "version": text.version,
        "fingerprint": text_fingerprint(title=text.title, summary=text.summary, body=text.body),
        # Without the characters search uses to mark matches (they never belong in page text).
        "title": strip_marks(text.title),
        "summary": strip_marks(text.summary),
        "updated_on": text.updated_on,
        "body": text.body,
        "key_points": parts.key_points,
        "main": parts.main,
        "references": parts.references,
        "toc": text.toc,
        "text": plain,
        "citations": citations(split_body(text.html).references),
        "handout_size": handout_size(text.html),
        # The Spanish index reads stems (articles/stems.py); the English index reads the text itself.
        **(
            {
                "search_title": spanish_stems(text.title),
                "search_summary": spanish_stems(text.summary),
                "search_text": spanish_stems(plain),
            }
            if language == "es"
            else {}
        ),
    }


def place_values(article: Article) -> dict:
    return {name: getattr(article, name) for name in PLACE_FIELDS}


def review_values(article: Article, *, named=None) -> dict:
    """The review fields: empty for a page no clinician has signed off. ``named``: the reviewer
    as the sign-off named them (a previous published page's fields); the article's reviewer
    profile as it is now when not given."""
    if not article.is_reviewed:
        return {"reviewer_name": "", "reviewer_credentials": "", "reviewer_url": "", "reviewed_on": None,
                "next_review_due": None}  # fmt: skip
    if named is None:
        reviewer = article.reviewer
        named = {"reviewer_name": reviewer.name, "reviewer_credentials": reviewer.credentials,
                 "reviewer_url": reviewer.profile_url}  # fmt: skip
    return {
        "reviewer_name": named["reviewer_name"],
        "reviewer_credentials": named["reviewer_credentials"],
        "reviewer_url": named["reviewer_url"],
        "reviewed_on": article.reviewed_on,
        "next_review_due": article.next_review_due,
    }


def source_values(article: Article) -> dict:
    """For a translation, the English text it was made from (the page says when that has moved on)."""
    return {"source_fingerprint": article.source_fingerprint, "source_updated_on": article.source_updated_on}


def preview_page(article: Article) -> PublishedPage:
    """An unsaved published page of the working copy, for the staff preview only. Its review box
    names a reviewer only where the working text is the text they signed off."""
    values = {
        **text_values(Text.of_article(article), article.language),
        **place_values(article),
        **source_values(article),
    }
    if article.has_current_sign_off:
        values.update(review_values(article))
    return PublishedPage(article=article, language=article.language, published_at=timezone.now(), **values)
