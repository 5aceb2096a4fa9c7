"""Lists of pages that stay short and cheap however many pages are published.

Home, the topic pages, the clinicians' share kit and an article's previous/next and related
pages each run a fixed number of queries, and each query fetches a bounded number of rows
(a ``LIMIT``), whether there are 14 pages or 10,000. Every list reads published pages
(``PublishedPage``): what the public may read, never an editor's working copy.

One paginator serves every paginated list (topics, the share kit, search): ``paginate``. A page
number past the last page shows the last page, and one that is not a whole number of 1 or more
shows the first page, so a bookmarked page of a list that has since grown shorter still opens.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.utils.http import urlencode

from .models import PublishedPage
from .topics import TOPIC_ORDER, TOPICS

# What a list shows: link, title, summary (and the date, for whoever wants it).
LISTED_FIELDS = ("article_id", "language", "slug", "title", "summary", "topic", "topic_rank", "order", "updated_on")
# The share kit also shows each page's review line and section links.
REVIEW_LISTED_FIELDS = ("toc", "reviewer_name", "reviewer_credentials", "reviewed_on", "next_review_due")


# Reading order with the id last, so pages with the same order and title keep their place from
# one page of a list to the next.
READING_ORDER = ("topic_rank", "order", "title", "pk")


def listed(queryset: QuerySet, *, with_review: bool = False) -> QuerySet:
    """Only the columns a list of pages needs."""
    return queryset.only(*LISTED_FIELDS, *(REVIEW_LISTED_FIELDS if with_review else ()))


def published_in_topic(key: str, *, rank: int | None = None, language: str = "en") -> QuerySet:
    """A topic's published pages. The topic's rank (stored on each page, from its place in
    TOPICS) is in the filter too, so the database reads its (language, topic_rank, order, title)
    index instead of every published row."""
    rank = TOPIC_ORDER.get(key, 99) if rank is None else rank
    return PublishedPage.objects.in_language(language).filter(topic_rank=rank, topic=key)


def topic_pages(key: str, *, language: str = "en") -> QuerySet:
    """A topic's published pages in reading order, listed (lazy: slice it)."""
    return listed(published_in_topic(key, language=language).order_by(*READING_ORDER))


# --- Home ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TopicSummary:
    key: str
    label: str
    articles: list[PublishedPage]
    count: int

    @property
    def more(self) -> int:
        """How many of the topic's pages the short list leaves out."""
        return max(0, self.count - len(self.articles))


def topics_with_first_pages(*, per_topic: int, language: str = "en") -> list[TopicSummary]:
    """Each topic that has published pages, in reading order, with its first ``per_topic`` pages
    and its total: per topic, a count and one short query (each an index range, not a scan)."""
    topics = []
    for key, label in TOPICS:
        count = published_in_topic(key, language=language).count()
        if count:
            first = list(topic_pages(key, language=language)[:per_topic])
            topics.append(TopicSummary(key=key, label=label, articles=first, count=count))
    return topics


# --- Previous, next and related pages ------------------------------------------------------------
@dataclass(frozen=True)
class Neighbours:
    previous: PublishedPage | None
    next: PublishedPage | None
    related: list[PublishedPage]


def _reading_order_before(page: PublishedPage) -> Q:
    """Pages that come before ``page`` in its topic's reading order (order, title; then id)."""
    order, title = page.order, page.title
    return Q(order__lt=order) | Q(order=order, title__lt=title) | Q(order=order, title=title, pk__lt=page.pk)


def _reading_order_after(page: PublishedPage) -> Q:
    order, title = page.order, page.title
    return Q(order__gt=order) | Q(order=order, title__gt=title) | Q(order=order, title=title, pk__gt=page.pk)


def nearest(before: list, after: list, count: int) -> list:
    """Up to ``count`` items nearest a point, in order: half before and half after where there
    are enough, more from one side where the other runs out. ``before`` and ``after`` are
    nearest first and need hold no more than ``count`` items each."""
    take_before = min(len(before), max(count // 2, count - len(after)))
    take_after = min(len(after), count - take_before)
    return [*reversed(before[:take_before]), *after[:take_after]]


def topic_neighbours(page: PublishedPage, *, related: int) -> Neighbours:
    """The published pages before and after ``page`` in its topic, and up to ``related`` of the
    topic's pages nearest it: two queries of at most ``related`` rows each. A page the public
    cannot see (a staff preview) has no previous or next page; its related pages are the first
    of its topic."""
    pages = listed(published_in_topic(page.topic, rank=page.topic_rank, language=page.language))
    if not page.is_public:
        return Neighbours(None, None, list(pages.order_by(*READING_ORDER)[:related]))
    limit = max(related, 1)
    before = list(pages.filter(_reading_order_before(page)).order_by("-order", "-title", "-pk")[:limit])
    after = list(pages.filter(_reading_order_after(page)).order_by("order", "title", "pk")[:limit])
    return Neighbours(
        previous=before[0] if before else None,
        next=after[0] if after else None,
        related=nearest(before, after, related),
    )


# --- Pagination ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class PageLink:
    number: int | None  # None: a gap ("…") in the list of page numbers
    url: str = ""
    current: bool = False


@dataclass(frozen=True)
class Listing:
    """One page of a paginated list: its items and the links around it. ``params``: the other
    query parameters every link keeps (search's ``q``)."""

    page: Page
    path: str
    params: tuple[tuple[str, str], ...] = ()

    @property
    def items(self) -> list:
        return list(self.page.object_list)

    @property
    def paginated(self) -> bool:
        return self.page.paginator.num_pages > 1

    @property
    def number(self) -> int:
        return self.page.number

    @property
    def num_pages(self) -> int:
        return self.page.paginator.num_pages

    @property
    def count(self) -> int:
        return self.page.paginator.count

    def url(self, number: int) -> str:
        """The address of page ``number``: page 1 without a page number."""
        query = urlencode([*self.params, *((("page", number),) if number > 1 else ())])
        return f"{self.path}?{query}" if query else self.path

    @property
    def canonical_path(self) -> str:
        return self.url(self.page.number)

    @property
    def previous_url(self) -> str:
        return self.url(self.page.previous_page_number()) if self.page.has_previous() else ""

    @property
    def next_url(self) -> str:
        return self.url(self.page.next_page_number()) if self.page.has_next() else ""

    @property
    def links(self) -> list[PageLink]:
        """Page numbers to show: the first and last, and those around the current one."""
        paginator = self.page.paginator
        return [
            PageLink(None)
            if number == paginator.ELLIPSIS
            else PageLink(number, self.url(number), current=number == self.page.number)
            for number in paginator.get_elided_page_range(self.page.number, on_each_side=1, on_ends=1)
        ]


def page_number(page: str | None) -> int:
    """The page number a ``?page=`` value asks for: 1 unless it is a whole number of 1 or more."""
    try:
        return max(1, int(page or 1))
    except (TypeError, ValueError):
        return 1


def paginate(items, *, page: str | None, per_page: int, path: str, params: dict | None = None) -> Listing:
    """Page ``page`` (the ``?page=`` value) of ``items``: an ordered queryset, or any object with
    ``count()`` and slicing (search results). A count and one fetch of at most ``per_page`` items.
    Past the last page: the last page; not a whole number of 1 or more: the first page."""
    current = Paginator(items, per_page).get_page(page_number(page))
    return Listing(page=current, path=path, params=tuple((params or {}).items()))
