"""Template tags for addresses, QR codes and structured data. None of them touch the database."""

from django import template
from django.utils.http import urlencode

from articles import seo, sharing, versions

register = template.Library()


@register.simple_tag
def absolute_url(path: str) -> str:
    """The public, absolute address of a site path: `{% absolute_url request.path %}`."""
    return sharing.absolute_url(path)


@register.simple_tag
def article_url(article, section: str = "") -> str:
    """The canonical address of an article, or of one of its sections."""
    return sharing.article_url(article, section=section or None)


@register.simple_tag
def handout_url(article) -> str:
    """The address a printed page carries: the canonical one with the version it shows (``?v=``),
    so a reader scanning it later is told what changed since (articles/versions.py)."""
    return versions.handout_url(article)


@register.filter
def short_url(url: str) -> str:
    return sharing.short_url(url)


@register.simple_tag
def json_ld(article):
    """The page's schema.org MedicalWebPage as a JSON-LD data block."""
    return seo.json_ld_script(seo.medical_web_page(article))


@register.filter
def url_in(page, language: str) -> str:
    """A published page's address in another edition: `{{ article|url_in:'en' }}`."""
    return page.url_in(language)


@register.filter
def query_link(words: str) -> str:
    """A link to search for ``words``, as the search form sends it: `?q=side+effects`."""
    return "?" + urlencode({"q": words})
