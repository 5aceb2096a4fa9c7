"""What machines read: sitemap, Atom feed and schema.org structured data (JSON-LD).

Addresses are absolute and built on ``settings.SITE_URL``, like canonical links and QR codes.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from html import unescape
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

from .markdown import split_body
from .models import Article
from .sharing import absolute_url, article_url
from .topics import TOPICS

# What every page on this site is about (schema.org `about`).
ABOUT = [
    {"@type": "MedicalTherapy", "name": "Transcranial magnetic stimulation", "alternateName": "TMS"},
    {"@type": "MedicalCondition", "name": "Major depressive disorder", "alternateName": "Depression"},
]

_LI_RE = re.compile(r"<li[^>]*>(.*?)</li>", re.DOTALL)
_TAG_RE = re.compile(r"<[^>]*>")


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
        return Article.objects.published().in_reading_order().only("slug", "updated_on")

    def lastmod(self, article: Article) -> dt.date:
        return article.updated_on


class PageSitemap(_SiteUrlSitemap):
    def items(self):
        return ["articles:home", "articles:help", "articles:clinicians"]

    def location(self, name: str) -> str:
        return reverse(name)


class TopicSitemap(_SiteUrlSitemap):
    """The first page of each topic that has published pages, last modified with its newest page."""

    def items(self) -> list[tuple[str, dt.date]]:
        latest = dict(Article.objects.published().order_by().values_list("topic").annotate(latest=Max("updated_on")))
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
        pages = Article.objects.published().order_by("-updated_on", "-updated_at")[:50]
        return [article.public_version() for article in pages]  # never a text still awaiting sign-off

    def item_title(self, article: Article) -> str:
        return article.title

    def item_description(self, article: Article) -> str:
        return article.summary

    def item_link(self, article: Article) -> str:
        return article_url(article)

    def item_updateddate(self, article: Article) -> dt.datetime:
        return _as_datetime(article.updated_on)


# --- JSON-LD ---------------------------------------------------------------------------------
def citations(body_html: str) -> list[str]:
    """The references of a page, one plain-text string each, in order."""
    references = split_body(body_html).references
    items = (unescape(_TAG_RE.sub("", li)) for li in _LI_RE.findall(references))
    return [" ".join(text.replace("\u21a9", "").split()) for text in items if text.strip()]


def medical_web_page(article: Article) -> dict:
    """schema.org MedicalWebPage for an article. Names a reviewer only for a real sign-off."""
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
        reviewer = {
            "@type": "Person",
            "name": article.reviewer.name,
            "honorificSuffix": article.reviewer.credentials,
        }
        if article.reviewer.profile_url:
            reviewer["url"] = article.reviewer.profile_url
        data["reviewedBy"] = reviewer
        data["lastReviewed"] = article.reviewed_on.isoformat()
    cited = citations(article.body_html)
    if cited:
        data["citation"] = cited
    return data


def json_ld_script(data: dict) -> SafeString:
    """A `<script type="application/ld+json">` data block. `<`, `>` and `&` are escaped as
    JSON unicode escapes, so no text in the data can close the element or start markup."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308 (escaped above)
