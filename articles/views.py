from itertools import groupby

from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .crisis import current_region
from .models import Article
from .topics import TOPICS

TOPIC_LABELS = dict(TOPICS)
ABOUT_SLUG = "about-this-site"


@require_safe
def home(request):
    articles = [
        article.public_version()
        for article in Article.objects.published()
        .in_reading_order()
        .only("slug", "title", "summary", "topic", "approved_title", "approved_summary", "approved_body")
    ]
    topics = [
        {"key": key, "label": TOPIC_LABELS.get(key, key), "articles": list(items)}
        for key, items in groupby(articles, key=lambda a: a.topic)
    ]
    return render(request, "articles/home.html", {"topics": topics})


def _article_response(request, slug, *, working_copy=False):
    """The article page. `working_copy` (staff preview from the admin) shows the text as edited,
    even where the public still reads the last approved text."""
    article = get_object_or_404(Article.objects.select_related("reviewer"), slug=slug)
    preview = not article.is_public or working_copy
    if preview and not request.user.is_staff:
        raise Http404("No such page")
    siblings = [
        a.public_version()
        for a in Article.objects.published()
        .filter(topic=article.topic)
        .in_reading_order()
        .only("slug", "title", "approved_title", "approved_body")
    ]
    response = render(
        request,
        "articles/article_preview.html" if working_copy else "articles/article_detail.html",
        {
            "article": article if preview else article.public_version(),
            "preview": preview and not working_copy,
            "topic_label": TOPIC_LABELS.get(article.topic, article.topic),
            "related": [a for a in siblings if a.pk != article.pk],
        },
    )
    if preview:
        response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def article_detail(request, slug):
    return _article_response(request, slug)


@require_safe
def about(request):
    return _article_response(request, ABOUT_SLUG)


@require_safe
def help_page(request):
    return render(request, "help.html", {"region": current_region()})


@require_safe
def robots_txt(request):
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /markdownx/", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain")


@never_cache
@require_safe
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 (any database failure means unhealthy)
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
