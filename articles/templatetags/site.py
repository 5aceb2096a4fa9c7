"""Template tags every page uses. None of them touch the database (the 500 page needs them)."""

import functools

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf

from articles.crisis import current_region

register = template.Library()


# The site's chrome (head links, header, footer) is the same on every page: a process renders
# each part once for each configuration, except while developing (DEBUG), when templates change.
def _render_chrome(template_name: str, context: tuple, *_configuration) -> str:
    return render_to_string(template_name, dict(context))


_chrome = functools.lru_cache(maxsize=32)(_render_chrome)


def _same_on_every_page(template_name: str, **context) -> str:
    configuration = (
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


@register.simple_tag
def site_header():
    return _same_on_every_page("includes/header.html")


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
def crisis_region():
    """The configured region's crisis lines (articles/crisis.py), for ``{% crisis_region as region %}``."""
    return current_region()


@register.simple_tag
def site_name():
    return settings.SITE_NAME
