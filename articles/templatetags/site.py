"""Template tags every page uses. None of them touch the database (the 500 page needs them)."""

import functools
from urllib.parse import parse_qsl, urlencode, urlsplit

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, override

from articles import languages
from articles.crisis import current_region
from articles.sharing import absolute_url

register = template.Library()


# The site's chrome (head links, header, footer) is the same on every page: a process renders
# each part once for each configuration, except while developing (DEBUG), when templates change.
def _render_chrome(template_name: str, context: tuple, *_configuration) -> str:
    return render_to_string(template_name, dict(context))


_chrome = functools.lru_cache(maxsize=32)(_render_chrome)


def _same_on_every_page(template_name: str, **context) -> str:
    configuration = (
        get_language(),
        get_script_prefix(),
        get_urlconf(settings.ROOT_URLCONF),
        settings.STATIC_URL,
        settings.STORAGES["staticfiles"]["BACKEND"],
        settings.SITE_NAME,
    )
    render = _render_chrome if settings.DEBUG else _chrome
    return render(template_name, tuple(sorted(context.items())), *configuration)


@register.simple_tag
def site_head_links():
    """Style sheet, icon, feed and script links in every page's <head>."""
    return _same_on_every_page("includes/head_links.html")


@register.simple_tag(takes_context=True)
def site_header(context):
    """The header (rendered once per process and language) with this page's language link."""
    return mark_safe(  # noqa: S308 (both parts are rendered templates)
        _same_on_every_page("includes/header.html").replace("<!--edition-link-->", edition_link(context), 1)
    )


@register.simple_tag
def site_footer():
    """Crisis lines, medical disclaimer and site links."""
    return _same_on_every_page(
        "includes/footer.html", region=current_region(), report_error_url=settings.REPORT_ERROR_URL
    )


@register.inclusion_tag("includes/crisis_lines.html")
def crisis_lines(large=False):
    return {"region": current_region(), "large": large}


@register.simple_tag
def about_url():
    """The address of the page about the site and how pages are reviewed (no database needed)."""
    from articles.views import about_url

    return about_url()


@register.simple_tag
def crisis_region():
    """The configured region's crisis lines (articles/crisis.py), for ``{% crisis_region as region %}``."""
    return current_region()


@register.simple_tag
def site_name():
    return settings.SITE_NAME


# --- the other edition ----------------------------------------------------------------------------
def _edition_urls(context) -> dict[str, str]:
    """This page's address in each edition it exists in. An article exists in the editions it is
    published in; every other page (home, help, search, topics, the share kit) in all of them, at
    its first page of results."""
    article = context.get("article")
    request = context.get("request")
    if article is not None and getattr(article, "is_public", False):
        return {code: article.url_in(code) for code in languages.EDITIONS if code in article.languages}
    if request is None or getattr(request, "resolver_match", None) is None:
        return {}
    if not hasattr(request, "_edition_urls"):  # the link and the alternates ask once per request
        request._edition_urls = _page_in_each_edition(request)
    return request._edition_urls


def _page_in_each_edition(request) -> dict[str, str]:
    # Each edition pages its own lists: page 2 of one edition's results need not exist in the other.
    split = urlsplit(request.get_full_path())
    query = urlencode([(k, v) for k, v in parse_qsl(split.query, keep_blank_values=True) if k != "page"])
    path = split.path + (f"?{query}" if query else "")
    current = languages.language_of_path(split.path)
    urls = {current: path}  # this page itself; the others are translated (a resolve and a reverse each)
    for code in languages.other_editions(current):
        url = languages.in_language(path, code)
        if languages.language_of_path(url) == code:
            urls[code] = url
    return {code: urls[code] for code in languages.EDITIONS if code in urls}


@register.simple_tag(takes_context=True)
def edition_link(context):
    """The link to this page in the other language, or, where the page has no translation yet,
    to the other edition's home page. Works on every page, error pages included."""
    current = get_language() or languages.DEFAULT
    other = languages.other_editions(current)[0]
    urls = _edition_urls(context)
    with override(other):
        if other in urls:
            href, label = urls[other], languages.NAMES[other]
        else:
            href = reverse("articles:home")
            label = "Información en español" if other == "es" else "Information in English"
    return format_html(
        '<a class="edition-link" href="{}" hreflang="{}" lang="{}">{}</a>', href, languages.TAGS[other], other, label
    )


@register.simple_tag(takes_context=True)
def edition_alternates(context):
    """<link rel="alternate" hreflang> for each edition this page exists in, and x-default (the
    English page): reciprocal, because every edition's page lists the same set."""
    request = context.get("request")
    query = request.META.get("QUERY_STRING", "") if request is not None else ""
    if any(key == "page" for key, _ in parse_qsl(query, keep_blank_values=True)):
        return ""  # a later page of a list has no counterpart: the editions page their lists apart
    # (read from the raw query: request.GET raises on the error page of a request with too many fields)
    urls = _edition_urls(context)
    if len(urls) < 2:
        return ""
    links = [(languages.TAGS[code], absolute_url(url)) for code, url in urls.items()]
    links.append(("x-default", absolute_url(urls[languages.DEFAULT])))
    return format_html(
        "\n".join(['<link rel="alternate" hreflang="{}" href="{}">'] * len(links)),
        *(part for link in links for part in link),
    )


@register.simple_tag
def og_locale() -> str:
    return languages.OG_LOCALES.get(html_lang(), languages.OG_LOCALES[languages.DEFAULT])


@register.simple_tag
def html_lang():
    """The <html lang> of this page's edition (no database, no context: the 500 page uses it too)."""
    language = get_language() or languages.DEFAULT
    return language if language in languages.EDITIONS else languages.DEFAULT
