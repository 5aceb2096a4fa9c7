"""Template tags every page uses. None of them touch the database (the 500 page needs them)."""

from django import template
from django.conf import settings

from articles.crisis import current_region

register = template.Library()


@register.inclusion_tag("includes/footer.html")
def site_footer():
    return {"region": current_region(), "report_error_url": settings.REPORT_ERROR_URL}


@register.inclusion_tag("includes/crisis_lines.html")
def crisis_lines(large=False):
    return {"region": current_region(), "large": large}


@register.simple_tag
def site_name():
    return settings.SITE_NAME
