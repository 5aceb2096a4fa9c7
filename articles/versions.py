"""Handouts that say when their page has changed since they were printed.

A printed handout's QR code and address carry the version of the page it was printed from
(``/tms/<slug>/?v=7``; ``PublishedPage.version``, the article version whose text the public
reads). Opening that address once the page has a newer version shows, above the page, the date the
handout's version was published and the public page-history entries since then, clinical changes
first. The canonical address, share links, the sitemap and the feed never carry ``?v=``.

Which entries came after version N: each ``PageChange`` records the published version it went
public with (``workflow._settle_notes`` and ``article_save`` set it). When version N was
published: the first ``HistoricalPublishedPage`` row with that version.

``v`` values that are not a version the public has read (unknown, future, not a number) are
ignored: no error and no notice. The page cache keys on the whole query string, so only known
versions may be stored (``HandoutCheck.known``): a page has as many cached ``?v=`` variants as it
has had public versions, however many addresses are tried.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Min
from django.utils import timezone

from .models import PageChange, PublishedPage
from .sharing import article_url

VERSION_PARAM = "v"
_VERSION_RE = re.compile(r"\A[1-9][0-9]{0,8}\Z")


@dataclass(frozen=True)
class ChangesSince:
    """What a reader holding a handout of ``version`` should know: when that version was
    published, and the public page-history entries since, clinical first, newest first."""

    version: int
    published_on: date
    entries: list[PageChange] = field(default_factory=list)


@dataclass(frozen=True)
class HandoutCheck:
    known: bool = False  # the address names a version the public has read (or none at all)
    changes: ChangesSince | None = None  # set when that version is older than the page


def handout_url(page: PublishedPage) -> str:
    """The address a handout prints and its QR code opens: the canonical one, with the version."""
    url = article_url(page)
    return f"{url}?{VERSION_PARAM}={page.version}" if page.is_public and page.version else url


def version_asked(value) -> int | None:
    """The version a ``?v=`` value names, or None when it is not a plain positive number."""
    value = (value or "").strip()
    return int(value) if _VERSION_RE.match(value) else None


def published_on(page: PublishedPage, version: int) -> date | None:
    """The day ``version`` of ``page`` went public, or None if the public never read it."""
    first = (
        PublishedPage.history.model.objects.filter(
            article_id=page.article_id, language=page.language, version=version, history_type__in=("+", "~")
        )
        .aggregate(first=Min("history_date"))
        .get("first")
    )
    return timezone.localdate(first) if first else None


def handout_check(page: PublishedPage, value) -> HandoutCheck:
    """What to show a reader who opened ``page`` with ``?v=value``."""
    if value is None:
        return HandoutCheck(known=True)
    version = version_asked(value)
    if version is None or version > page.version:
        return HandoutCheck()
    if version == page.version:
        return HandoutCheck(known=True)
    day = published_on(page, version)
    if day is None:
        return HandoutCheck()
    return HandoutCheck(known=True, changes=ChangesSince(version, day, changes_after(page, version)))


def changes_after(page: PublishedPage, version: int) -> list[PageChange]:
    """The public page-history entries that went public after ``version``: clinical first."""
    entries = PageChange.objects.filter(article_id=page.article_id, public=True, version__gt=version)
    newest_first = sorted(entries, key=lambda entry: (entry.date, entry.pk), reverse=True)
    return sorted(newest_first, key=lambda entry: entry.kind != PageChange.Kind.CLINICAL)
