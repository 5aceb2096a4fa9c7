from django.conf import settings
from django.db import connection
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, override
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe

from tmsinfo.security import accepts_public_posts

from . import connect, feedback, listing, versions
from .crisis import current_region
from .models import Article, PublishedPage
from .publishing import preview_page
from .search import query_parse, search_articles
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
    topics = listing.topics_with_first_pages(per_topic=HOME_PAGES_PER_TOPIC, language=get_language())
    return render(request, "articles/home.html", {"topics": topics})


@require_safe
def topic(request, key):
    """One topic's published pages in reading order, TOPIC_PAGE_SIZE to a page."""
    if key not in TOPIC_LABELS:
        raise Http404("No such topic")
    pages = listing.paginate(
        listing.topic_pages(key, language=get_language()),
        page=request.GET.get("page"),
        per_page=TOPIC_PAGE_SIZE,
        path=request.path,
    )
    return render(
        request,
        "articles/topic.html",
        {"topic": {"key": key, "label": TOPIC_LABELS[key]}, "listing": pages, "topics": TOPIC_LABELS},
    )


def public_page(slug: str) -> PublishedPage:
    """What the public reads of the page at ``slug`` in this edition, or a 404."""
    return get_object_or_404(PublishedPage.objects.in_language(get_language()), slug=slug)


def _article_response(
    request, slug, *, working_copy=False, template="articles/article_detail.html", extra=None, handout_version=None
):
    """The article page, from what the public reads. Staff also see pages the public cannot
    (drafts, pages in review) and, with `working_copy` (the admin's preview), the text as edited,
    even where the public still reads the last approved text. `extra` adds template context.
    ``handout_version``: the ``?v=`` of a printed handout's address; a newer page says what
    changed since (articles/versions.py)."""
    language = get_language()
    page = None if working_copy else PublishedPage.objects.in_language(language).filter(slug=slug).first()
    if page is None:
        # Staff who may not read articles in the admin see no drafts here either.
        if not (request.user.is_staff and request.user.has_perm("articles.view_article")):
            raise Http404("No such page")
        article = get_object_or_404(Article.objects.select_related("reviewer"), language=language, slug=slug)
        page = preview_page(article)
    handout = versions.handout_check(page, handout_version) if page.is_public else versions.HandoutCheck(known=True)
    neighbours = listing.topic_neighbours(page, related=RELATED_PAGES)
    response = render(
        request,
        "articles/article_preview.html" if working_copy else template,
        {
            "article": page,
            "working_copy": page.article if not page.is_public else None,
            "preview": not page.is_public and not working_copy,
            "topic_label": TOPIC_LABELS.get(page.topic, page.topic),
            "related": neighbours.related,
            "previous_page": neighbours.previous,
            "next_page": neighbours.next,
            "handout_changes": handout.changes,
            **(extra or {}),
            # "Report a problem with this section" opens the form with the section chosen.
            "feedback_form": feedback.FeedbackForm(page=page, section=request.GET.get("section", "")),
        },
    )
    if not page.is_public:
        response["Cache-Control"] = "private, no-store"
    elif not handout.known:
        # The plain page, but not kept in the shared page cache: only real versions are.
        response["Cache-Control"] = "private, max-age=60"
    return response


@require_safe
def article_detail(request, slug):
    return _article_response(request, slug, handout_version=request.GET.get(versions.VERSION_PARAM))


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
    """A QR code (SVG) for a published page's canonical address, or for one of its sections;
    with ``?v=``, a handout's: the address with the version it was printed from."""
    page = public_page(slug)
    section = request.GET.get("section") or None
    if section is not None and section not in page.section_ids:
        raise Http404("No such section on this page")
    url = article_url(page)
    if versions.VERSION_PARAM in request.GET:
        if not versions.handout_check(page, request.GET[versions.VERSION_PARAM]).known:
            raise Http404("No such version of this page")
        url = f"{url}?{versions.VERSION_PARAM}={versions.version_asked(request.GET[versions.VERSION_PARAM])}"
    svg = qr_svg(f"{url}#{section}" if section else url, title=f"QR code: {page.title}")
    return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")


@require_safe
def search(request):
    language = get_language()
    query = query_parse(request.GET.get("q"), language)
    results = search_articles(query, page=request.GET.get("page"), language=language)
    return render(request, "articles/search.html", {"results": results, "q": results.query.text})


@require_safe
def clinicians(request):
    """The share kit: every published page with its address, section links, QR code and handout,
    CLINICIANS_PAGE_SIZE pages at a time."""
    language = get_language()
    pages = listing.paginate(
        listing.listed(PublishedPage.objects.in_language(language).order_by(*listing.READING_ORDER), with_review=True),
        page=request.GET.get("page"),
        per_page=CLINICIANS_PAGE_SIZE,
        path=request.path,
    )
    reviewed = PublishedPage.objects.in_language(language).exclude(reviewer_name="").filter(reviewed_on__isnull=False)
    return render(request, "articles/clinicians.html", {"listing": pages, "reviewed_count": reviewed.count()})


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
    return render(request, "help.html", {"region": current_region(get_language())})


@accepts_public_posts
@csrf_exempt
@sensitive_post_parameters()
@require_http_methods(["GET", "HEAD", "POST"])
def feedback_view(request):
    """GET: the form about the site as a whole (the footer's "Report an error"). POST: one
    message from any feedback form, answered with a page, or with just the answer's HTML for the
    script that keeps the reader on the page (articles/feedback.py, docs/feedback.md)."""
    if request.method != "POST":
        return render(request, "articles/feedback.html", {"form": feedback.FeedbackForm()})
    outcome = feedback.feedback_receive(request)
    inline = request.headers.get("X-Feedback-Inline") == "1"
    template = "includes/feedback_inline.html" if inline else "articles/feedback.html"
    response = render(request, template, {"outcome": outcome}, status=outcome.status)
    response["Cache-Control"] = "no-store"
    if outcome.retry_after:
        response["Retry-After"] = str(outcome.retry_after)
    return response


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


# How long /healthz waits for a locked SQLite file before it says so (writes hold their lock for
# milliseconds; a load balancer polls about once a second).
HEALTH_WAIT_MS = 500


def _read_a_real_table() -> None:
    """One cheap read of the articles table (its primary key index, one row at most), so the
    check touches the database file's schema and pages: a locked, corrupt or truncated file, or
    a database without the site's tables, raises."""
    query = f"SELECT 1 FROM {connection.ops.quote_name(Article._meta.db_table)} LIMIT 1"  # noqa: S608 (a model's own table)
    with connection.cursor() as cursor:
        if connection.vendor != "sqlite":
            cursor.execute(query)
            return
        cursor.execute("PRAGMA busy_timeout")
        patience = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA busy_timeout = {HEALTH_WAIT_MS}")
        try:
            cursor.execute(query)
            cursor.fetchall()
        finally:
            cursor.execute(f"PRAGMA busy_timeout = {int(patience)}")


@never_cache
@require_safe
def healthz(request):
    try:
        _read_a_real_table()
    except Exception:  # noqa: BLE001 (any database failure means unhealthy)
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_safe
def connect_service(request):
    """MedlinePlus Connect's web service for machines: an Atom (default) or JSON feed of at most
    three pages for a health-record code (articles/connect.py, docs/connect.md)."""
    try:
        query = connect.query_parse(request.GET, service=True)
    except connect.BadQuery as problem:
        return connect.error_response(problem, request.GET)
    return connect.feed_response(connect.answer(query))


@require_safe
def connect_application(request):
    """MedlinePlus Connect's web application, for a person who clicked an infobutton: one page
    is a redirect to it; several are listed; none is said plainly, with the way home and to help."""
    try:
        query = connect.query_parse(request.GET, service=False)
    except connect.BadQuery as problem:
        return render(request, "articles/connect.html", {"problem": problem}, status=400)
    answer = connect.answer(query)
    if len(answer.pages) == 1:
        return redirect(answer.pages[0].url)
    with override(answer.language):  # a Spanish request gets the page in Spanish where the pages are
        response = render(request, "articles/connect.html", {"answer": answer})
    response["Content-Language"] = answer.language
    return response
