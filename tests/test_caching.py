"""Caching promises: fast repeat visits, CDN-friendly headers, and edits that show at once.

These run against whichever cache settings.CACHES names: the per-process memory cache by default,
and the real Redis server when REDIS_URL is set (CI runs this file a second time that way).
"""

import datetime as dt
import gzip
import os

import brotli
import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.test import Client, RequestFactory
from django.utils.http import http_date

from articles import caching, workflow
from articles.models import Article, PublishedPage, Reviewer

pytestmark = pytest.mark.django_db


def get(client, url, **headers):
    return client.get(url, headers=headers)


@pytest.fixture
def page(make_article):
    return make_article(slug="what-is-tms", title="What is TMS?", topic="basics", order=1)


# --- headers and 304 ------------------------------------------------------------------------------
@pytest.mark.parametrize("url", ["/", "/tms/what-is-tms/", "/help/", "/robots.txt"])
def test_public_pages_carry_etag_last_modified_and_cdn_cache_control(client, page, url):
    response = get(client, url)
    assert response.status_code == 200
    assert response["ETag"].startswith('W/"')
    assert response["Last-Modified"].endswith("GMT")
    cache_control = response["Cache-Control"]
    assert "public" in cache_control
    assert f"max-age={settings.TMSINFO_CACHE_MAX_AGE}" in cache_control
    assert f"s-maxage={settings.TMSINFO_CACHE_S_MAXAGE}" in cache_control
    assert settings.TMSINFO_CACHE_S_MAXAGE >= 60  # a CDN keeps pages for minutes


def test_repeat_visit_with_the_etag_gets_304_not_modified_and_no_body(client, page):
    first = get(client, "/tms/what-is-tms/")
    again = get(client, "/tms/what-is-tms/", if_none_match=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert "public" in again["Cache-Control"]


def test_repeat_visit_with_if_modified_since_gets_304(client, page):
    first = get(client, "/")
    again = get(client, "/", if_modified_since=first["Last-Modified"])
    assert again.status_code == 304


def test_changed_page_answers_a_stale_etag_with_the_new_page(client, page):
    first = get(client, "/tms/what-is-tms/")
    page.title = "What is TMS, in short?"
    workflow.article_save(article=page, change=workflow.EDITORIAL)
    again = get(client, "/tms/what-is-tms/", if_none_match=first["ETag"])
    assert again.status_code == 200
    assert "What is TMS, in short?" in again.content.decode()
    assert again["ETag"] != first["ETag"]


def test_head_request_gets_the_headers_without_a_body(client, page):
    full = get(client, "/tms/what-is-tms/")
    head = client.head("/tms/what-is-tms/")
    assert head.status_code == 200
    assert head.content == b""
    assert head["ETag"] == full["ETag"]
    assert head["Content-Length"] == str(len(full.content))


def test_pages_are_sent_compressed_to_browsers_that_accept_it(client, page):
    plain = get(client, "/tms/what-is-tms/").content
    as_gzip = get(client, "/tms/what-is-tms/", accept_encoding="gzip, deflate")
    as_brotli = get(client, "/tms/what-is-tms/", accept_encoding="gzip, deflate, br, zstd")
    assert as_gzip["Content-Encoding"] == "gzip" and gzip.decompress(as_gzip.content) == plain
    assert as_brotli["Content-Encoding"] == "br" and brotli.decompress(as_brotli.content) == plain
    assert "Accept-Encoding" in as_brotli["Vary"]
    assert len(as_brotli.content) < len(plain) / 2


def test_cached_page_keeps_the_security_headers(client, page):
    get(client, "/tms/what-is-tms/")
    again = get(client, "/tms/what-is-tms/")
    assert "default-src 'self'" in again["Content-Security-Policy"]
    assert again["X-Frame-Options"] == "DENY"
    assert again["X-Content-Type-Options"] == "nosniff"


def test_a_repeat_is_served_from_the_page_cache_without_the_database(client, page, django_assert_num_queries):
    get(client, "/tms/what-is-tms/")
    with django_assert_num_queries(0):
        assert get(client, "/tms/what-is-tms/").status_code == 200


def test_a_link_shared_with_tracking_parameters_is_one_cached_page(client, page, django_assert_num_queries):
    get(client, "/tms/what-is-tms/?utm_source=clinic-newsletter&fbclid=first-click")
    with django_assert_num_queries(0):
        again = get(client, "/tms/what-is-tms/?fbclid=another-click&utm_medium=email")
    assert again.status_code == 200 and "What is TMS?" in again.content.decode()


def test_other_query_strings_are_separate_pages(client, page):
    assert caching.cache_path(RequestFactory().get("/search/?q=seizure&utm_source=x")) == "/search/?q=seizure"
    assert caching.cache_path(RequestFactory().get("/search/?q=coil")) == "/search/?q=coil"


def test_a_view_that_chooses_its_own_public_lifetime_keeps_it(client, page, settings):
    from django.urls import path
    from django.views.decorators.cache import cache_control

    from tmsinfo.urls import urlpatterns

    @cache_control(public=True, max_age=86400)
    def long_lived(request):
        from django.http import HttpResponse

        return HttpResponse("<p>" + "a QR code, say " * 30 + "</p>")

    settings.ROOT_URLCONF = type("urls", (), {"urlpatterns": [path("long-lived/", long_lived), *urlpatterns]})
    first, again = get(client, "/long-lived/"), get(client, "/long-lived/")
    assert first["Cache-Control"] == again["Cache-Control"] == "public, max-age=86400"
    assert again.has_header("ETag")


# --- never cached ---------------------------------------------------------------------------------
def test_healthz_is_never_cached(client):
    response = get(client, "/healthz")
    assert "public" not in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert not response.has_header("ETag")


def test_draft_preview_is_never_cached_anywhere(client, make_article, django_user_model):
    make_article(slug="secret", title="Secret draft", status=Article.Status.DRAFT)
    staff = django_user_model.objects.create_user("editor", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_article"))  # an editor
    client.force_login(staff)
    preview = get(client, "/tms/secret/")
    assert preview.status_code == 200 and "Secret draft" in preview.content.decode()
    assert "public" not in preview["Cache-Control"] and "no-store" in preview["Cache-Control"]
    assert get(Client(), "/tms/secret/").status_code == 404


def test_logged_in_readers_bypass_the_page_cache(client, page, django_user_model):
    anonymous = get(Client(), "/tms/what-is-tms/")
    assert "public" in anonymous["Cache-Control"]
    client.force_login(django_user_model.objects.create_user("editor", is_staff=True))
    response = get(client, "/tms/what-is-tms/")
    assert response.status_code == 200
    assert "public" not in response.get("Cache-Control", "")
    assert not response.has_header("ETag")


def test_admin_is_never_cached(client):
    response = get(client, f"/{settings.ADMIN_PATH}login/")
    assert response.status_code == 200
    assert "public" not in response["Cache-Control"]
    assert not response.has_header("ETag")


def test_missing_page_is_not_cached_so_publishing_it_shows_at_once(client, make_article):
    assert get(client, "/tms/new-page/").status_code == 404
    make_article(slug="new-page", title="A new page")
    assert get(client, "/tms/new-page/").status_code == 200


# --- invalidation ---------------------------------------------------------------------------------
def warm(client, urls):
    for url in urls:
        assert get(client, url).status_code == 200, url


def test_editing_a_page_shows_at_once_on_that_page_and_home(client, page):
    warm(client, ["/", "/tms/what-is-tms/"])
    page.title = "TMS explained"
    workflow.article_save(article=page, change=workflow.EDITORIAL)
    assert "TMS explained" in get(client, "/tms/what-is-tms/").content.decode()
    assert "TMS explained" in get(client, "/").content.decode()


def test_publishing_a_draft_shows_at_once_on_home(client, page, make_article):
    draft = make_article(slug="new", title="Brand new page", status=Article.Status.DRAFT)
    warm(client, ["/"])
    assert "Brand new page" not in get(client, "/").content.decode()
    draft.status = Article.Status.PUBLISHED
    workflow.article_save(article=draft, change=workflow.EDITORIAL)
    assert "Brand new page" in get(client, "/").content.decode()
    assert get(client, "/tms/new/").status_code == 200


def test_unpublishing_or_deleting_removes_a_page_at_once(client, page, make_article):
    other = make_article(slug="other", title="Other page")
    warm(client, ["/", "/tms/what-is-tms/", "/tms/other/"])
    page.status = Article.Status.ARCHIVED
    workflow.article_save(article=page, change=workflow.EDITORIAL)
    other.delete()
    assert get(client, "/tms/what-is-tms/").status_code == 404
    assert get(client, "/tms/other/").status_code == 404
    home = get(client, "/").content.decode()
    assert "What is TMS?" not in home and "Other page" not in home


def test_a_new_sign_off_shows_at_once_on_the_page(client, make_article, reviewer, django_user_model):
    article = make_article(
        slug="reviewed", reviewer=reviewer, reviewed_on=dt.date(2026, 10, 1), next_review_due=dt.date(2099, 1, 1)
    )
    warm(client, ["/tms/reviewed/"])
    other = Reviewer.objects.create(name="Dr Second Reviewer", credentials="MD")
    admin = django_user_model.objects.create_superuser("boss")
    due = workflow.default_next_review()
    workflow.sign_off(
        article, reviewer=other, next_review_due=due, user=admin, expected_version=article.version, publish=False
    )
    assert "Dr Second Reviewer" in get(client, "/tms/reviewed/").content.decode()


def test_edit_shows_at_once_on_search(client, page):
    url = "/search/?q=magnetic"
    warm(client, [url])
    page.title = "Magnetic stimulation explained"
    workflow.article_save(article=page, change=workflow.EDITORIAL)
    assert "stimulation explained</a>" in get(client, url).content.decode()  # the match is highlighted


def test_publishing_shows_at_once_in_the_sitemap(client, page, make_article):
    draft = make_article(slug="fresh-page", status=Article.Status.DRAFT)
    warm(client, ["/sitemap.xml", "/sitemap-articles.xml"])
    draft.status = Article.Status.PUBLISHED
    workflow.article_save(article=draft, change=workflow.EDITORIAL)
    assert "/tms/fresh-page/" in get(client, "/sitemap-articles.xml").content.decode()


def test_publishing_shows_at_once_in_the_feed(client, page, make_article):
    url = "/feed/"
    draft = make_article(slug="fresh-page", title="A fresh page", status=Article.Status.DRAFT)
    warm(client, [url])
    draft.status = Article.Status.PUBLISHED
    workflow.article_save(article=draft, change=workflow.EDITORIAL)
    assert "A fresh page" in get(client, url).content.decode()


def test_a_save_by_another_process_is_seen_within_the_check_interval(client, page, settings):
    """Another gunicorn worker saved: this process learns it from the database, not a signal."""
    if caching.cache_is_shared():
        pytest.skip("with a shared cache every process reads the same generation counter")
    warm(client, ["/"])
    # What another worker's save leaves in the database: the new rows and the article's history row.
    Article.objects.filter(pk=page.pk).update(title="Changed elsewhere", updated_at=page.updated_at.replace(year=2030))
    PublishedPage.objects.filter(article=page).update(title="Changed elsewhere")
    page.refresh_from_db()
    historical = Article.history.model
    historical.objects.bulk_create(
        [
            historical(
                id=page.pk,
                slug=page.slug,
                title=page.title,
                summary=page.summary,
                body=page.body,
                topic=page.topic,
                status=page.status,
                updated_on=page.updated_on,
                created_at=page.created_at,
                updated_at=page.updated_at,
                history_date=page.updated_at,
                history_type="~",
            )
        ]
    )  # fmt: skip (bulk_create sends no signal: this process learns of it only from the database)
    settings.TMSINFO_GENERATION_CHECK_SECONDS = 0  # the check interval (1 s by default) has passed
    assert "Changed elsewhere" in get(client, "/").content.decode()


def test_review_overdue_appears_on_a_cached_page_when_the_date_changes(client, make_article, reviewer, settings):
    """'Review overdue' appears at midnight. Two time zones 25 hours apart are always on
    different dates: moving the site from one to the other is midnight passing."""
    from django.utils import timezone

    settings.TIME_ZONE = "Pacific/Pago_Pago"  # UTC-11
    due = timezone.localdate()
    make_article(slug="due-today", reviewer=reviewer, reviewed_on=due - dt.timedelta(days=365), next_review_due=due)
    assert "Review overdue" not in get(client, "/tms/due-today/").content.decode()
    settings.TIME_ZONE = "Pacific/Kiritimati"  # UTC+14: already the next day (or the one after)
    assert "Review overdue" in get(client, "/tms/due-today/").content.decode()


# --- a shared cache (Redis) -----------------------------------------------------------------------
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (CI starts redis-server)")
def test_with_redis_pages_and_the_generation_live_in_redis_for_every_node(client, page):
    import redis

    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert caching.cache_is_shared()
    other_node = redis.Redis.from_url(os.environ["REDIS_URL"])  # what another web node sees
    get(client, "/tms/what-is-tms/")
    assert any(b"tmsinfo:page:" in key for key in other_node.keys("*"))
    generation_key = next(key for key in other_node.keys("*") if key.endswith(caching.GENERATION_KEY.encode()))
    before = int(other_node.get(generation_key))
    page.title = "Changed on node A"
    workflow.article_save(article=page, change=workflow.EDITORIAL)
    assert int(other_node.get(generation_key)) > before


def test_an_unreachable_redis_never_takes_the_site_down(client, page, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    response = get(client, "/tms/what-is-tms/")
    assert response.status_code == 200 and "What is TMS?" in response.content.decode()
    page.title = "Saved while Redis is down"
    workflow.article_save(article=page, change=workflow.EDITORIAL)  # saving still works
    assert "Saved while Redis is down" in get(client, "/tms/what-is-tms/").content.decode()


def test_last_modified_is_a_valid_http_date(client, page):
    response = get(client, "/")
    assert len(response["Last-Modified"]) == len(http_date(0))
