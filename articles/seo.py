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
from django.utils.translation import get_language, gettext, gettext_lazy, override
from django.views.decorators.http import require_safe

from .languages import EDITIONS, TAGS
from .models import PublishedPage
from .sharing import absolute_url, article_url
from .topics import TOPICS


# What every page on this site is about (schema.org `about`).
def about() -> list[dict]:
    """What every page is about (schema.org `about`), in the page's language."""
    return [
        {"@type": "MedicalTherapy", "name": gettext("Transcranial magnetic stimulation"), "alternateName": "TMS"},
        {"@type": "MedicalCondition", "name": gettext("Major depressive disorder"),
         "alternateName": gettext("Depression")},
    ]  # fmt: skip


# --- Sitemap ---------------------------------------------------------------------------------
# Addresses per sitemap file; /sitemap.xml is an index of the files.
SITEMAP_PAGE_SIZE = 1000


class _SiteUrlSitemap(Sitemap):
    """Addresses on SITE_URL, not on the Sites framework's "example.com"."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class _EditionsSitemap(_SiteUrlSitemap):
    """Each address in every edition it exists in, with reciprocal hreflang alternates (en-US,
    es-US, and x-default: the English page) for the editions that are published."""

    def editions(self, item) -> list[str]:
        return list(EDITIONS)

    def address(self, item, language: str) -> str:
        raise NotImplementedError

    def location(self, item) -> str:
        page, language = item
        return self.address(page, language)

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        for url in urls:
            item, _language = url["item"]
            editions = self.editions(item)
            if len(editions) > 1:
                alternates = [{"lang_code": TAGS[code], "location": absolute_url(self.address(item, code))}
                              for code in editions]  # fmt: skip
                alternates.append({"lang_code": "x-default", "location": absolute_url(self.address(item, "en"))})
                url["alternates"] = alternates
        return urls


class ArticleSitemap(_EditionsSitemap):
    """Every published page in each of its editions; an edition's own date as its last update."""

    limit = SITEMAP_PAGE_SIZE

    def items(self):
        pages = PublishedPage.objects.order_by("topic_rank", "order", "title", "language", "pk")
        return [(page, page.language) for page in pages.only("slug", "updated_on", "language", "languages")]

    def editions(self, page: PublishedPage) -> list[str]:
        return [code for code in EDITIONS if code in page.languages]

    def address(self, page: PublishedPage, language: str) -> str:
        return page.url_in(language)

    def lastmod(self, item) -> dt.date:
        return item[0].updated_on


class PageSitemap(_EditionsSitemap):
    def items(self):
        return [(name, code) for name in ("articles:home", "articles:help", "articles:clinicians") for code in EDITIONS]

    def address(self, name: str, language: str) -> str:
        with override(language):
            return reverse(name)


class TopicSitemap(_EditionsSitemap):
    """The first page of each topic that has published pages in an edition, last modified with its
    newest page there."""

    def items(self) -> list[tuple[tuple[str, dt.date], str]]:
        pages = PublishedPage.objects.order_by().values_list("language", "topic").annotate(latest=Max("updated_on"))
        latest = {(language, topic): day for language, topic, day in pages}
        return [
            ((key, latest[(code, key)]), code) for key, _label in TOPICS for code in EDITIONS if (code, key) in latest
        ]

    def editions(self, item) -> list[str]:
        return list(EDITIONS)

    def address(self, item, language: str) -> str:
        with override(language):
            return reverse("articles:topic", kwargs={"key": item[0]})

    def lastmod(self, item) -> dt.date:
        return item[0][1]


SITEMAPS = {"pages": PageSitemap, "topics": TopicSitemap, "articles": ArticleSitemap}


@require_safe
def sitemap_index(request):
    """/sitemap.xml: a sitemap index listing one sitemap file per section and per page of
    SITEMAP_PAGE_SIZE addresses, so 10,000 pages never make one huge file."""
    items = []
    for section, sitemap_class in SITEMAPS.items():
        site = sitemap_class()
        location = absolute_url(reverse("machines:sitemap-section", kwargs={"section": section}))
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
    subtitle = gettext_lazy("New and updated pages about TMS for depression.")

    def title(self) -> str:
        return gettext("%(site)s: new and updated pages") % {"site": settings.SITE_NAME}

    def link(self) -> str:
        return absolute_url(reverse("articles:home"))

    @property
    def language(self) -> str:  # Django reads it as an attribute: the request's edition
        return TAGS[get_language()]

    def feed_url(self) -> str:
        return absolute_url(reverse("articles:feed"))

    def author_name(self) -> str:
        return settings.SITE_NAME

    def items(self):
        pages = PublishedPage.objects.in_language(get_language()).order_by("-updated_on", "-published_at", "-pk")
        return pages.only("language", "slug", "title", "summary", "updated_on")[:50]

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
        "inLanguage": TAGS.get(article.language, TAGS["en"]),
        "dateModified": article.updated_on.isoformat(),
        "medicalAudience": {"@type": "MedicalAudience", "audienceType": "Patient"},
        "about": about(),
        "publisher": {"@type": "Organization", "name": settings.SITE_NAME, "url": absolute_url("/")},
        "isPartOf": {"@type": "WebSite", "name": settings.SITE_NAME, "url": absolute_url(reverse("articles:home"))},
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
