from itertools import groupby

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_safe

from .crisis import current_region
from .models import Article
from .search import page_number, query_parse, search_articles
from .sharing import article_url, qr_svg
from .topics import TOPICS

TOPIC_LABELS = dict(TOPICS)
ABOUT_SLUG = "about-this-site"
# Lists stay short however many pages there are (10,000 pages must not mean 10,000 links).
HOME_PAGES_PER_TOPIC = 12
RELATED_PAGES = 8


@require_safe
def home(request):
    articles = [
        article.public_version()
        for article in Article.objects.published()
        .in_reading_order()
        .only("slug", "title", "summary", "topic", "approved_title", "approved_summary", "approved_body")
    ]
    topics = []
    for key, items in groupby(articles, key=lambda a: a.topic):
        items = list(items)
        topics.append(
            {
                "key": key,
                "label": TOPIC_LABELS.get(key, key),
                "articles": items[:HOME_PAGES_PER_TOPIC],
                "more": max(0, len(items) - HOME_PAGES_PER_TOPIC),
            }
        )
    return render(request, "articles/home.html", {"topics": topics})


def _nearest(siblings: list[Article], article: Article, count: int) -> list[Article]:
    """Up to ``count`` other pages of the topic, those nearest in reading order."""
    others = [a for a in siblings if a.pk != article.pk]
    slugs = [a.slug for a in siblings]
    here = slugs.index(article.slug) if article.slug in slugs else 0
    start = max(0, min(here - count // 2, len(others) - count))
    return others[start : start + count]


def _neighbours(siblings: list[Article], article: Article) -> tuple[Article | None, Article | None]:
    """The pages before and after ``article`` in its topic's reading order."""
    slugs = [a.slug for a in siblings]
    if article.slug not in slugs:
        return None, None
    i = slugs.index(article.slug)
    return (siblings[i - 1] if i > 0 else None), (siblings[i + 1] if i + 1 < len(siblings) else None)


def _article_response(request, slug, *, working_copy=False, template="articles/article_detail.html"):
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
    previous_page, next_page = _neighbours(siblings, article)
    response = render(
        request,
        "articles/article_preview.html" if working_copy else template,
        {
            "article": article if preview else article.public_version(),
            "preview": preview and not working_copy,
            "topic_label": TOPIC_LABELS.get(article.topic, article.topic),
            "related": _nearest(siblings, article, RELATED_PAGES),
            "previous_page": previous_page,
            "next_page": next_page,
        },
    )
    if preview:
        response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def article_detail(request, slug):
    return _article_response(request, slug)


@require_safe
def article_print(request, slug):
    """A one- or two-page handout: the article without navigation, with its address and QR code."""
    return _article_response(request, slug, template="articles/article_print.html")


@require_safe
@cache_control(max_age=86400, public=True)
def article_qr(request, slug):
    """A QR code (SVG) for a published page's canonical address, or for one of its sections."""
    article = get_object_or_404(Article.objects.published(), slug=slug)
    section = request.GET.get("section") or None
    if section is not None and section not in article.section_ids:
        raise Http404("No such section on this page")
    svg = qr_svg(article_url(article, section=section), title=f"QR code: {article.title}")
    return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")


@require_safe
def search(request):
    results = search_articles(query_parse(request.GET.get("q")), page_number(request.GET.get("page")))
    return render(request, "articles/search.html", {"results": results, "q": results.query.text})


@require_safe
def clinicians(request):
    """The share kit: every published page with its address, section links, QR code and handout."""
    articles = [
        article.public_version()  # never a title or section list still awaiting sign-off
        for article in Article.objects.published().in_reading_order().select_related("reviewer").defer("plain_text")
    ]
    reviewed = sum(1 for article in articles if article.is_reviewed)
    return render(request, "articles/clinicians.html", {"articles": articles, "reviewed_count": reviewed})


@require_safe
def about(request):
    return _article_response(request, ABOUT_SLUG)


@require_safe
def help_page(request):
    return render(request, "help.html", {"region": current_region()})


@require_safe
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /markdownx/",
        "",
        f"Sitemap: {settings.SITE_URL}/sitemap.xml",
        "",
    ]
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
