"""Lists of pages stay usable and cheap at any size: topic pages, home, the clinicians' share kit,
and an article's previous, next and related pages."""

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from articles import views
from articles.listing import nearest, topic_neighbours
from articles.models import Article, PublishedPage
from articles.publishing import preview_page
from articles.topics import TOPICS
from articles.views import CLINICIANS_PAGE_SIZE, HOME_PAGES_PER_TOPIC, RELATED_PAGES, TOPIC_PAGE_SIZE
from tests.conftest import BODY
from tests.test_site import assert_page_keeps_promises

pytestmark = pytest.mark.django_db

SITE = "https://tmsinfo.example"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


def listed_slugs(html: str, prefix: str = "basics-") -> list[str]:
    return re.findall(rf'<li><a href="/tms/({prefix}[\w-]+)/">', html)


@pytest.fixture
def pending(make_article, reviewer):
    """Make a published page whose clinical change waits for sign-off: the public reads the
    approved text."""

    def make(**fields) -> Article:
        return make_article(
            title="Unapproved title",
            summary="Unapproved summary.",
            body=BODY + "\nAn unapproved sentence.\n",
            approved={"title": "Approved title", "summary": "Approved summary.", "body": BODY},
            **{"reviewer": reviewer, "reviewed_on": dt.date(2026, 10, 1), **fields},
        )

    return make


# --- Topic pages ---------------------------------------------------------------------------------
def test_topic_page_lists_its_published_pages_in_reading_order(client, make_article):
    make_article(slug="basics-third", title="A third", topic="basics", order=3)
    make_article(slug="basics-first", title="Z first", topic="basics", order=1)
    make_article(slug="basics-second", title="Second", topic="basics", order=2, summary="The second summary.")
    make_article(slug="basics-draft", title="Draft", topic="basics", order=0, status=Article.Status.DRAFT)
    make_article(slug="basics-review", title="In review", topic="basics", order=0, status=Article.Status.IN_REVIEW)
    make_article(slug="evidence-page", title="Elsewhere", topic="evidence", order=1)
    response = client.get("/topics/basics/")
    assert response.status_code == 200
    html = response.content.decode()
    assert listed_slugs(html, "") == ["basics-first", "basics-second", "basics-third"]
    assert "The second summary." in html
    assert "<h1" in html and ">Understanding TMS</h1>" in html
    assert f'<link rel="canonical" href="{SITE}/topics/basics/">' in html
    assert re.search(r'<meta name="description" content="Understanding TMS: [^"]+">', html)
    assert 'class="pagination"' not in html  # three pages fit on one
    assert_page_keeps_promises(html, "/topics/basics/")


def test_topic_page_shows_the_approved_title_of_a_page_awaiting_sign_off(client, pending):
    pending(slug="pending", topic="basics")
    html = client.get("/topics/basics/").content.decode()
    assert "Approved title" in html and "Approved summary." in html
    assert "Unapproved" not in html


def test_unknown_topic_is_the_404_page(client):
    response = client.get("/topics/no-such-topic/")
    assert response.status_code == 404
    assert_page_keeps_promises(response.content.decode(), "unknown topic")


def test_every_topic_has_its_page_even_before_anything_is_published(client):
    for key, label in TOPICS:
        response = client.get(f"/topics/{key}/")
        assert response.status_code == 200, key
        assert f">{label}</h1>" in response.content.decode()


def test_a_long_topic_is_split_into_pages_with_navigation(client, many_articles):
    many_articles(2 * TOPIC_PAGE_SIZE + 20)
    first = client.get("/topics/basics/").content.decode()
    assert listed_slugs(first) == [f"basics-{n:05d}" for n in range(TOPIC_PAGE_SIZE)]
    nav = first.split('<nav class="pagination"', 1)[1].split("</nav>", 1)[0]
    assert 'aria-label="' in nav.split(">", 1)[0]
    assert '<a href="/topics/basics/" aria-current="page">' in nav
    assert 'href="/topics/basics/?page=2" rel="next"' in nav and 'rel="prev"' not in nav
    assert f'<link rel="next" href="{SITE}/topics/basics/?page=2">' in first

    second = client.get("/topics/basics/?page=2").content.decode()
    assert listed_slugs(second) == [f"basics-{n:05d}" for n in range(TOPIC_PAGE_SIZE, 2 * TOPIC_PAGE_SIZE)]
    assert '<a href="/topics/basics/?page=2" aria-current="page">' in second
    assert f'<link rel="prev" href="{SITE}/topics/basics/">' in second
    assert f'<link rel="next" href="{SITE}/topics/basics/?page=3">' in second
    assert f'<link rel="canonical" href="{SITE}/topics/basics/?page=2">' in second
    assert "(page 2 of 3)" in second.split("</title>", 1)[0]  # its own title
    assert_page_keeps_promises(second, "page 2")

    last = client.get("/topics/basics/?page=3").content.decode()
    assert len(listed_slugs(last)) == 20 and 'rel="next"' not in last


@pytest.mark.parametrize(
    ("number", "shown"), [("4", 2), ("0", 1), ("-1", 1), ("abc", 1), ("", 1), ("1.5", 1), ("9" * 30, 2)]
)
def test_a_page_number_that_does_not_exist_shows_the_nearest_page(client, many_articles, number, shown):
    """A bookmarked page of a list that has since grown shorter still opens (listing.paginate)."""
    many_articles(TOPIC_PAGE_SIZE + 1)  # two pages
    response = client.get(f"/topics/basics/?page={number}")
    assert response.status_code == 200
    html = response.content.decode()
    canonical = f"{SITE}/topics/basics/" + ("?page=2" if shown == 2 else "")
    assert f'<link rel="canonical" href="{canonical}">' in html
    assert len(listed_slugs(html)) == (1 if shown == 2 else TOPIC_PAGE_SIZE)
    assert_page_keeps_promises(html, f"?page={number}")


def test_topic_pages_are_in_the_sitemap(client, make_article):
    make_article(slug="a", topic="basics", updated_on=dt.date(2026, 3, 1))
    make_article(slug="b", topic="basics", updated_on=dt.date(2026, 5, 2))
    make_article(slug="c", topic="evidence", updated_on=dt.date(2026, 4, 3))
    make_article(slug="d", topic="deciding", status=Article.Status.DRAFT)
    ns = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    index = ET.fromstring(client.get("/sitemap.xml").content)
    assert f"{SITE}/sitemap-topics.xml" in [loc.text for loc in index.findall("sm:sitemap/sm:loc", ns)]
    topics = ET.fromstring(client.get("/sitemap-topics.xml").content)
    entries = {url.findtext("sm:loc", namespaces=ns): url.findtext("sm:lastmod", namespaces=ns) for url in topics}
    assert entries == {f"{SITE}/topics/basics/": "2026-05-02", f"{SITE}/topics/evidence/": "2026-04-03"}


# --- Home ----------------------------------------------------------------------------------------
def test_home_links_each_topic_heading_to_its_topic_page(client, site_content):
    html = client.get("/").content.decode()
    for key, label in TOPICS:
        assert f'<a href="/topics/{key}/">{label}</a></h3>' in html


def test_home_offers_see_all_only_when_a_topic_has_more_than_it_shows(client, many_articles):
    many_articles(HOME_PAGES_PER_TOPIC, topic="basics")
    many_articles(HOME_PAGES_PER_TOPIC + 1, topic="evidence")
    html = client.get("/").content.decode()
    assert "See all" not in html.split('id="topic-basics"', 1)[1].split("</section>", 1)[0]
    evidence = html.split('id="topic-evidence"', 1)[1].split("</section>", 1)[0]
    assert f'<a href="/topics/evidence/">See all {HOME_PAGES_PER_TOPIC + 1} pages on Benefits and risks</a>' in evidence
    assert evidence.count('href="/tms/evidence-') == HOME_PAGES_PER_TOPIC


# --- Article pages -------------------------------------------------------------------------------
def test_article_page_links_its_topic_to_the_topic_page(client, make_article):
    make_article(slug="page", topic="evidence")
    html = client.get("/tms/page/").content.decode()
    assert '<p class="article-topic"><a href="/topics/evidence/">Benefits and risks</a></p>' in html


def _reference_neighbours(siblings: list, slug: str, count: int):
    """What an article page showed when it read every page of its topic (before pages were bounded)."""
    slugs = [a.slug for a in siblings]
    if slug not in slugs:
        return None, None, siblings[:count]
    i = slugs.index(slug)
    others = [a for a in siblings if a.slug != slug]
    start = max(0, min(i - count // 2, len(others) - count))
    previous = siblings[i - 1] if i > 0 else None
    following = siblings[i + 1] if i + 1 < len(siblings) else None
    return previous, following, others[start : start + count]


@pytest.mark.parametrize("count", [0, 1, 2, 7, 8, 9])
def test_nearest_pages_are_those_the_full_list_gave(count):
    for total in range(30):
        siblings = [f"page-{n}" for n in range(total)]
        for i, here in enumerate(siblings):
            others = [s for s in siblings if s != here]
            start = max(0, min(i - count // 2, len(others) - count))
            expected = others[start : start + count]
            before, after = siblings[:i][::-1][:count], siblings[i + 1 :][:count]
            assert nearest(before, after, count) == expected, (count, total, i)


def test_previous_next_and_related_match_the_whole_topic_in_reading_order(make_article):
    # Ties on `order` are broken by title, as the reading order does.
    for n in range(21):
        make_article(slug=f"p{n:02d}", title=f"Title {'ZYXWVUTSRQPONMLKJIHGFEDCBA'[n % 26]}", order=n // 3)
    make_article(slug="elsewhere", topic="evidence", order=5)
    make_article(slug="draft", status=Article.Status.DRAFT, order=4)
    siblings = list(PublishedPage.objects.filter(topic="basics").order_by("topic_rank", "order", "title"))
    for article in [*siblings, preview_page(Article.objects.get(slug="draft"))]:
        previous, following, related = _reference_neighbours(siblings, article.slug, RELATED_PAGES)
        got = topic_neighbours(article, related=RELATED_PAGES)
        assert (getattr(got.previous, "slug", None), getattr(got.next, "slug", None)) == (
            getattr(previous, "slug", None),
            getattr(following, "slug", None),
        ), article.slug
        assert [a.slug for a in got.related] == [a.slug for a in related], article.slug


def test_neighbours_show_the_approved_title_of_a_page_awaiting_sign_off(client, make_article, pending):
    make_article(slug="one", order=1)
    pending(slug="two", order=2)
    html = client.get("/tms/one/").content.decode()
    assert "Approved title" in html and "Unapproved title" not in html


# --- Clinicians ----------------------------------------------------------------------------------
def test_clinicians_page_shows_every_real_page_on_page_one(client, site_content):
    html = client.get("/clinicians/").content.decode()
    assert len(site_content) <= CLINICIANS_PAGE_SIZE
    for article in site_content:
        assert f'id="kit-{article.slug}"' in html
    assert 'class="pagination"' not in html
    assert f"<strong>{sum(a.is_reviewed for a in site_content)} of {len(site_content)}</strong>" in html


def test_clinicians_page_is_split_into_pages_in_reading_order(client, many_articles, make_article, reviewer):
    many_articles(2 * CLINICIANS_PAGE_SIZE + 10, topic="evidence")
    make_article(slug="basics-reviewed", topic="basics", reviewer=reviewer, reviewed_on="2026-10-01")
    total = 2 * CLINICIANS_PAGE_SIZE + 11
    first = client.get("/clinicians/").content.decode()
    kits = re.findall(r'id="kit-([\w-]+)"', first)
    assert kits[:2] == ["basics-reviewed", "evidence-00000"] and len(kits) == CLINICIANS_PAGE_SIZE
    assert f"<strong>1 of {total}</strong>" in first  # counts every published page, not this page's
    assert 'href="/tms/about-this-site/#medical-review"' in first
    third = client.get("/clinicians/?page=3").content.decode()
    assert re.findall(r'id="kit-([\w-]+)"', third) == [f"evidence-{n:05d}" for n in range(49, 60)]
    assert '<a href="/clinicians/?page=3" aria-current="page">' in third
    assert f'<link rel="canonical" href="{SITE}/clinicians/?page=3">' in third
    assert "How pages are reviewed" in third
    assert_page_keeps_promises(third, "/clinicians/?page=3")
    assert re.findall(r'id="kit-([\w-]+)"', client.get("/clinicians/?page=4").content.decode())[-1] == "evidence-00059"


def test_clinicians_page_lists_the_approved_title_of_a_page_awaiting_sign_off(client, pending):
    pending(slug="pending")
    html = client.get("/clinicians/").content.decode()
    assert "Approved title" in html and "Unapproved title" not in html


# --- Cost stays flat -----------------------------------------------------------------------------
PAGES = {
    "home": (views.home, "/", {}),
    "topic page": (views.topic, "/topics/basics/", {"key": "basics"}),
    "topic page 2": (views.topic, "/topics/basics/?page=2", {"key": "basics"}),
    "clinicians": (views.clinicians, "/clinicians/", {}),
    "article": (views.article_detail, "/tms/basics-00010/", {"slug": "basics-00010"}),
}
LIMIT_RE = re.compile(r"\bLIMIT (\d+)")


def queries_for(name: str) -> list[str]:
    view, url, kwargs = PAGES[name]
    request = RequestFactory().get(url)
    with CaptureQueriesContext(connection) as queries:
        response = view(request, **kwargs)
    assert response.status_code == 200, name
    return [query["sql"] for query in queries.captured_queries]


def page_selects(sql: list[str]) -> list[str]:
    """Queries that fetch page rows (not a count)."""
    return [q for q in sql if 'FROM "articles_publishedpage"' in q and "COUNT(" not in q.upper()]


def test_public_lists_and_pages_never_read_the_working_copies(many_articles):
    many_articles(30)
    for name in PAGES:
        assert not [q for q in queries_for(name) if '"articles_article"' in q], name


def test_each_list_runs_the_same_queries_for_60_or_760_pages(many_articles, pending):
    for topic, _ in TOPICS:
        pending(slug=f"pending-{topic}", topic=topic, order=5)
    many_articles(TOPIC_PAGE_SIZE + 10)  # a page 2 on the topic page
    many_articles(5, topic="evidence")
    small = {name: queries_for(name) for name in PAGES}
    many_articles(500, start=TOPIC_PAGE_SIZE + 10)
    many_articles(200, topic="evidence", start=5)
    assert PublishedPage.objects.count() > 700
    large = {name: queries_for(name) for name in PAGES}
    assert {name: len(sql) for name, sql in large.items()} == {name: len(sql) for name, sql in small.items()}
    for name, sql in large.items():
        assert len(sql) <= 10, (name, sql)


@pytest.mark.parametrize("name", PAGES)
def test_each_list_fetches_a_bounded_number_of_rows(many_articles, name):
    many_articles(300)
    bound = max(TOPIC_PAGE_SIZE, CLINICIANS_PAGE_SIZE, HOME_PAGES_PER_TOPIC, RELATED_PAGES, 21)
    selects = page_selects(queries_for(name))
    assert selects
    for sql in selects:
        limit = LIMIT_RE.search(sql)
        assert limit and int(limit.group(1)) <= bound, sql
