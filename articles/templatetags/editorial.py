"""Admin-only template tags for the editorial dashboard (they query the database)."""

from django import template

from articles import workflow
from articles.models import Article

register = template.Library()


@register.simple_tag
def review_dashboard(within_days: int = 30) -> dict:
    return {
        "due": list(Article.objects.review_due(within_days=within_days)),
        "waiting": list(Article.objects.awaiting_sign_off().select_related("reviewer")),
        "within_days": within_days,
        "outdated_translations": list(workflow.outdated_translations()),
    }
