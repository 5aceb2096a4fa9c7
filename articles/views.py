from django.conf import settings
from django.db import connection
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_safe

from . import listing
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
TOPIC_PAGE_SIZE = 50
CLINICIANS_PAGE_SIZE = 25


@require_safe
def home(request):
    topics = listing.topics_with_first_pages(per_topic=HOME_PAGES_PER_TOPIC)
    return render(request, "articles/home.html", {"topics": topics})


@require_safe
def topic(request, key):
    """One topic's published pages in reading order, TOPIC_PAGE_SIZE to a page."""
    if key not in TOPIC_LABELS:
        raise Http404("No such topic")
    pages = listing.paginate(
        listing.topic_pages(key), page=request.GET.get("page"), per_page=TOPIC_PAGE_SIZE, path=request.path
    )
    return render(
        request,
        "articles/topic.html",
        {"topic": {"key": key, "label": TOPIC_LABELS[key]}, "listing": pages, "topics": TOPIC_LABELS},
    )


def _article_response(request, slug, *, working_copy=False, template="articles/article_detail.html", extra=None):
    """The article page. `working_copy` (staff preview from the admin) shows the text as edited,
    even where the public still reads the last approved text. `extra` adds template context."""
    article = get_object_or_404(Article.objects.select_related("reviewer"), slug=slug)
    preview = not article.is_public or working_copy
    if preview and not request.user.is_staff:
        raise Http404("No such page")
    neighbours = listing.topic_neighbours(article, related=RELATED_PAGES)
    response = render(
        request,
        "articles/article_preview.html" if working_copy else template,
        {
            "article": article if preview else article.public_version(),
            "preview": preview and not working_copy,
            "topic_label": TOPIC_LABELS.get(article.topic, article.topic),
            "related": neighbours.related,
            "previous_page": neighbours.previous,
            "next_page": neighbours.next,
            **(extra or {}),
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
def article_print_large(request, slug):
    """The handout in large type (16 pt and up, one column) for readers with low vision: the
    whole page, sources included, on as many sheets as it takes, with its address and QR code."""
    return _article_response(request, slug, template="articles/article_print.html", extra={"large": True})


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
    """The share kit: every published page with its address, section links, QR code and handout,
    CLINICIANS_PAGE_SIZE pages at a time."""
    published = Article.objects.published()
    pages = listing.paginate(
        # Never a title or section list still awaiting sign-off: the list holds public versions.
        published.order_by(*listing.READING_ORDER).select_related("reviewer").defer("body", "body_html", "plain_text"),
        page=request.GET.get("page"),
        per_page=CLINICIANS_PAGE_SIZE,
        path=request.path,
    )
    reviewed = published.filter(reviewer__isnull=False, reviewed_on__isnull=False).count()
    return render(request, "articles/clinicians.html", {"listing": pages, "reviewed_count": reviewed})


def about_url() -> str:
    """The one address of the page about the site and its review policy (its article's)."""
    return reverse("articles:detail", args=[ABOUT_SLUG])


@require_safe
def about(request):
    """/about/ was a second address of the about-this-site article: it now answers a permanent
    redirect to the article's own address (which QR codes, handouts and the canonical link use),
    keeping any query string, so a printed /about/ link still works and the page has one address."""
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(about_url() + (f"?{query}" if query else ""))


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
