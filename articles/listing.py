"""Lists of pages that stay short and cheap however many pages are published.

Home, the topic pages, the clinicians' share kit and an article's previous/next and related
pages each run a fixed number of queries, and each query fetches a bounded number of rows
(a ``LIMIT``), whether there are 14 pages or 10,000. Every list shows a page's public version:
a page awaiting sign-off of a clinical change is listed with its approved title and summary.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import InvalidPage, Page, Paginator
from django.db.models import Q, QuerySet
from django.http import Http404

from .models import Article
from .topics import TOPIC_ORDER, TOPICS

# What a list shows (link, title, summary) plus what public_version() reads to swap in the
# approved text of a page with a pending clinical change, so listing one costs no extra query.
LISTED_FIELDS = (
    "slug",
    "title",
    "summary",
    "topic",
    "updated_on",
    "approved_title",
    "approved_summary",
    "approved_body",
    "approved_body_html",
    "approved_toc",
    "approved_updated_on",
)


# Reading order with the id last, so pages with the same order and title keep their place from
# one page of a list to the next.
READING_ORDER = ("topic_rank", "order", "title", "pk")


def listed(queryset: QuerySet) -> QuerySet:
    """Only the columns a list of pages needs."""
    return queryset.only(*LISTED_FIELDS)


def published_in_topic(key: str, *, rank: int | None = None) -> QuerySet:
    """A topic's published pages. The topic's rank (stored on each page when it is saved, from
    its place in TOPICS) is in the filter too, so the database reads its (status, topic_rank,
    order) index instead of every published row."""
    return Article.objects.published().filter(topic_rank=TOPIC_ORDER.get(key, 99) if rank is None else rank, topic=key)


def topic_pages(key: str) -> QuerySet:
    """A topic's published pages in reading order, listed (lazy: slice it)."""
    return listed(published_in_topic(key).order_by(*READING_ORDER))


# --- Home ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TopicSummary:
    key: str
    label: str
    articles: list[Article]
    count: int

    @property
    def more(self) -> int:
        """How many of the topic's pages the short list leaves out."""
        return max(0, self.count - len(self.articles))


def topics_with_first_pages(*, per_topic: int) -> list[TopicSummary]:
    """Each topic that has published pages, in reading order, with its first ``per_topic`` pages
    and its total: per topic, a count and one short query (each an index range, not a scan)."""
    topics = []
    for key, label in TOPICS:
        count = published_in_topic(key).count()
        if count:
            first = [article.public_version() for article in topic_pages(key)[:per_topic]]
            topics.append(TopicSummary(key=key, label=label, articles=first, count=count))
    return topics


# --- Previous, next and related pages ------------------------------------------------------------
@dataclass(frozen=True)
class Neighbours:
    previous: Article | None
    next: Article | None
    related: list[Article]


def _reading_order_before(article: Article) -> Q:
    """Pages that come before ``article`` in its topic's reading order (order, title; then id)."""
    order, title = article.order, article.title
    return Q(order__lt=order) | Q(order=order, title__lt=title) | Q(order=order, title=title, pk__lt=article.pk)


def _reading_order_after(article: Article) -> Q:
    order, title = article.order, article.title
    return Q(order__gt=order) | Q(order=order, title__gt=title) | Q(order=order, title=title, pk__gt=article.pk)


def nearest(before: list, after: list, count: int) -> list:
    """Up to ``count`` items nearest a point, in order: half before and half after where there
    are enough, more from one side where the other runs out. ``before`` and ``after`` are
    nearest first and need hold no more than ``count`` items each."""
    take_before = min(len(before), max(count // 2, count - len(after)))
    take_after = min(len(after), count - take_before)
    return [*reversed(before[:take_before]), *after[:take_after]]


def topic_neighbours(article: Article, *, related: int) -> Neighbours:
    """The published pages before and after ``article`` in its topic, and up to ``related`` of the
    topic's pages nearest it: two queries of at most ``related`` rows each. A page the public
    cannot see (a staff preview) has no previous or next page; its related pages are the first
    of its topic."""
    pages = listed(published_in_topic(article.topic, rank=article.topic_rank))
    if not article.is_public:
        first = pages.order_by(*READING_ORDER)[:related]
        return Neighbours(None, None, [page.public_version() for page in first])
    limit = max(related, 1)
    before = [
        page.public_version()
        for page in pages.filter(_reading_order_before(article)).order_by("-order", "-title", "-pk")[:limit]
    ]
    after = [
        page.public_version()
        for page in pages.filter(_reading_order_after(article)).order_by("order", "title", "pk")[:limit]
    ]
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
    """One page of a paginated list: its items and the links around it."""

    page: Page
    items: list[Article]
    path: str

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
        """The address of page ``number``: page 1 is the list's own address."""
        return self.path if number == 1 else f"{self.path}?page={number}"

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


def paginate(queryset: QuerySet, *, page: str | None, per_page: int, path: str) -> Listing:
    """Page ``page`` (the ``?page=`` value; none means 1) of an ordered queryset: a count query
    and one query of at most ``per_page`` rows. A page number that is not a whole number or is
    out of range is a 404, like any address that does not exist."""
    paginator = Paginator(queryset, per_page)
    try:
        current = paginator.page(1 if page is None else page)
    except InvalidPage as error:
        raise Http404("No such page of this list") from error
    return Listing(page=current, items=[item.public_version() for item in current.object_list], path=path)
