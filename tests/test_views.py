import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from articles.models import Article

pytestmark = pytest.mark.django_db


def test_home_lists_published_pages_by_topic_in_reading_order(client, make_article):
    make_article(slug="second", title="Second basics", topic="basics", order=2)
    make_article(slug="first", title="First basics", topic="basics", order=1)
    make_article(slug="evidence", title="An evidence page", topic="evidence", order=1)
    make_article(slug="hidden", title="A hidden draft", status=Article.Status.DRAFT)
    html = client.get("/").content.decode()
    assert html.index("First basics") < html.index("Second basics") < html.index("An evidence page")
    assert "A hidden draft" not in html


@pytest.mark.parametrize("status", [Article.Status.DRAFT, Article.Status.IN_REVIEW, Article.Status.ARCHIVED])
def test_unpublished_pages_are_not_public(client, make_article, status):
    make_article(slug="secret", status=status)
    assert client.get("/tms/secret/").status_code == 404


def test_staff_can_preview_a_draft_clearly_marked_and_uncached(client, make_article, django_user_model):
    make_article(slug="secret", title="Draft title", status=Article.Status.DRAFT)
    staff = django_user_model.objects.create_user("editor", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_article"))  # an editor
    client.force_login(staff)
    response = client.get("/tms/secret/")
    assert response.status_code == 200
    assert "Preview." in response.content.decode() and "not visible to the public" in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_logged_in_non_staff_cannot_preview(client, make_article, django_user_model):
    make_article(slug="secret", status=Article.Status.DRAFT)
    client.force_login(django_user_model.objects.create_user("reader"))
    assert client.get("/tms/secret/").status_code == 404


def test_article_shows_title_summary_contents_and_body(client, make_article):
    make_article(slug="page", title="What is TMS?", summary="A plain summary.")
    html = client.get("/tms/page/").content.decode()
    assert "<h1>What is TMS?</h1>" in html
    assert "A plain summary." in html
    assert '<a href="#what-is-it">What is it?</a>' in html  # contents list links to the section
    assert '<h2 id="what-is-it">' in html


def test_unreviewed_page_says_awaiting_review_and_names_nobody(client, make_article):
    make_article(slug="page")
    html = client.get("/tms/page/").content.decode()
    assert "Awaiting medical review" in html
    assert "Medically reviewed by" not in html
    assert '<time datetime="2026-11-01">' in html  # last updated


def test_reviewed_page_shows_who_and_when(client, make_article, reviewer):
    today = timezone.localdate()
    make_article(slug="page", reviewer=reviewer, reviewed_on=today - dt.timedelta(days=10),
                 next_review_due=today + dt.timedelta(days=300))  # fmt: skip
    html = client.get("/tms/page/").content.decode()
    assert "Medically reviewed by <strong>Dr Test Person, MD, psychiatrist</strong>" in html
    assert f'Last reviewed <time datetime="{(today - dt.timedelta(days=10)).isoformat()}">' in html
    assert f'Next review due <time datetime="{(today + dt.timedelta(days=300)).isoformat()}">' in html
    assert "Awaiting medical review" not in html and "Review overdue" not in html


def test_page_past_its_review_date_says_review_overdue(client, make_article, reviewer):
    today = timezone.localdate()
    make_article(slug="page", reviewer=reviewer, reviewed_on=today - dt.timedelta(days=400),
                 next_review_due=today - dt.timedelta(days=1))  # fmt: skip
    assert "Review overdue" in client.get("/tms/page/").content.decode()


def test_help_page_has_tappable_crisis_lines(client):
    html = client.get("/help/").content.decode()
    assert '<a class="crisis-action" href="tel:988">Call or text 988</a>' in html
    assert 'href="sms:741741?body=HOME"' in html
    assert 'href="tel:911"' in html
    assert "findahelpline.com" in html


def test_about_shows_the_editorial_policy_article(client, make_article):
    make_article(slug="about-this-site", title="About this site", topic="about")
    response = client.get("/about/", follow=True)
    assert response.redirect_chain == [("/tms/about-this-site/", 301)]
    assert response.status_code == 200 and "<h1>About this site</h1>" in response.content.decode()


@pytest.mark.parametrize(
    ("path", "target"),
    [("/about/", "/tms/about-this-site/"), ("/about/?utm_source=qr&x=1", "/tms/about-this-site/?utm_source=qr&x=1")],
)
def test_about_is_a_permanent_redirect_to_the_one_address_keeping_the_query(client, make_article, path, target):
    """A printed /about/ link keeps working; the page itself has one address."""
    make_article(slug="about-this-site", topic="about")
    response = client.get(path)
    assert response.status_code == 301 and response["Location"] == target


def test_site_links_point_at_the_about_page_itself_not_at_its_old_address(client, make_article):
    make_article(slug="page")
    html = client.get("/tms/page/").content.decode()
    assert 'href="/tms/about-this-site/"' in html  # the footer
    assert 'href="/tms/about-this-site/#medical-review"' in html  # "How pages are reviewed"
    assert 'href="/about/' not in html


def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["database"] == "ok"


def test_public_pages_refuse_post(client, make_article):
    make_article(slug="page")
    assert client.post("/tms/page/").status_code == 405
