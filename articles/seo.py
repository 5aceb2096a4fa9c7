"""What machines read: sitemap, Atom feed and schema.org structured data (JSON-LD).

Addresses are absolute and built on ``settings.SITE_URL``, like canonical links and QR codes.
"""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem
from django.contrib.syndication.views import Feed
from django.db.models import Max
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_safe

from .models import PublishedPage
from .sharing import absolute_url, article_url
from .topics import TOPICS

# What every page on this site is about (schema.org `about`).
ABOUT = [
    {"@type": "MedicalTherapy", "name": "Transcranial magnetic stimulation", "alternateName": "TMS"},
    {"@type": "MedicalCondition", "name": "Major depressive disorder", "alternateName": "Depression"},
]


# --- Sitemap ---------------------------------------------------------------------------------
# Addresses per sitemap file; /sitemap.xml is an index of the files.
SITEMAP_PAGE_SIZE = 1000


class _SiteUrlSitemap(Sitemap):
    """Addresses on SITE_URL, not on the Sites framework's "example.com"."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class ArticleSitemap(_SiteUrlSitemap):
    limit = SITEMAP_PAGE_SIZE

    def items(self):
        return (
            PublishedPage.objects.in_language("en")
            .order_by("topic_rank", "order", "title", "pk")
            .only("slug", "updated_on")
        )

    def lastmod(self, page: PublishedPage) -> dt.date:
        return page.updated_on


class PageSitemap(_SiteUrlSitemap):
    def items(self):
        return ["articles:home", "articles:help", "articles:clinicians"]

    def location(self, name: str) -> str:
        return reverse(name)


class TopicSitemap(_SiteUrlSitemap):
    """The first page of each topic that has published pages, last modified with its newest page."""

    def items(self) -> list[tuple[str, dt.date]]:
        pages = PublishedPage.objects.in_language("en").order_by()
        latest = dict(pages.values_list("topic").annotate(latest=Max("updated_on")))
        return [(key, latest[key]) for key, _label in TOPICS if key in latest]

    def location(self, item: tuple[str, dt.date]) -> str:
        return reverse("articles:topic", kwargs={"key": item[0]})

    def lastmod(self, item: tuple[str, dt.date]) -> dt.date:
        return item[1]


SITEMAPS = {"pages": PageSitemap, "topics": TopicSitemap, "articles": ArticleSitemap}


@require_safe
def sitemap_index(request):
    """/sitemap.xml: a sitemap index listing one sitemap file per section and per page of
    SITEMAP_PAGE_SIZE addresses, so 10,000 pages never make one huge file."""
    items = []
    for section, sitemap_class in SITEMAPS.items():
        site = sitemap_class()
        location = absolute_url(reverse("articles:sitemap-section", kwargs={"section": section}))
        lastmod = site.get_latest_lastmod()
        items += [
            SitemapIndexItem(location if page == 1 else f"{location}?p={page}", lastmod)
            for page in site.paginator.page_range
        ]
    return TemplateResponse(request, "sitemap_index.xml", {"sitemaps": items}, content_type="application/xml")


# --- Atom feed -------------------------------------------------------------------------------
def _as_datetime(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(0, 0)))


class UpdatesFeed(Feed):
    """Published pages, most recently updated first."""

    feed_type = Atom1Feed
    subtitle = "New and updated pages about TMS for depression."

    def title(self) -> str:
        return f"{settings.SITE_NAME}: new and updated pages"

    def link(self) -> str:
        return absolute_url("/")

    def feed_url(self) -> str:
        return absolute_url(reverse("articles:feed"))

    def author_name(self) -> str:
        return settings.SITE_NAME

    def items(self):
        pages = PublishedPage.objects.in_language("en").order_by("-updated_on", "-published_at", "-pk")
        return pages.only("slug", "title", "summary", "updated_on")[:50]

    def item_title(self, page: PublishedPage) -> str:
        return page.title

    def item_description(self, page: PublishedPage) -> str:
        return page.summary

    def item_link(self, page: PublishedPage) -> str:
        return article_url(page)

    def item_updateddate(self, page: PublishedPage) -> dt.datetime:
        return _as_datetime(page.updated_on)


# --- JSON-LD ---------------------------------------------------------------------------------
def medical_web_page(article: PublishedPage) -> dict:
    """schema.org MedicalWebPage for a published page. Names a reviewer only for a real sign-off."""
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": article.title,
        "headline": article.title,
        "description": article.summary,
        "url": article_url(article),
        "inLanguage": "en-US",
        "dateModified": article.updated_on.isoformat(),
        "medicalAudience": {"@type": "MedicalAudience", "audienceType": "Patient"},
        "about": ABOUT,
        "publisher": {"@type": "Organization", "name": settings.SITE_NAME, "url": absolute_url("/")},
        "isPartOf": {"@type": "WebSite", "name": settings.SITE_NAME, "url": absolute_url("/")},
    }
    if article.is_reviewed:
        reviewer = {"@type": "Person", "name": article.reviewer_name, "honorificSuffix": article.reviewer_credentials}
        if article.reviewer_url:
            reviewer["url"] = article.reviewer_url
        data["reviewedBy"] = reviewer
        data["lastReviewed"] = article.reviewed_on.isoformat()
    if article.citations:
        data["citation"] = article.citations
    return data


def json_ld_script(data: dict) -> SafeString:
    """A `<script type="application/ld+json">` data block. `<`, `>` and `&` are escaped as
    JSON unicode escapes, so no text in the data can close the element or start markup."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308 (escaped above)
