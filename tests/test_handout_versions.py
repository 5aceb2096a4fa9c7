"""A printed handout says which version of its page it shows, and a reader who scans it after the
page has changed is told what changed since (articles/versions.py). Canonical addresses, share
links and the sitemap stay clean; addresses with versions the public never read are ignored."""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from articles import caching, workflow
from articles.models import PageChange, PublishedPage

from .qr import decode_svg

pytestmark = pytest.mark.django_db

SIGNED = {"reviewed_on": dt.date(2026, 10, 1), "next_review_due": dt.date(2027, 10, 1)}
NOTICE = "This page has changed since your handout was printed"


@pytest.fixture
def boss(django_user_model):
    user = django_user_model.objects.create_user("boss", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="articles"))
    return user


def printed_version(client, slug: str) -> int:
    """The version a handout printed now carries, read off the handout as a reader would."""
    html = client.get(f"/tms/{slug}/print/").content.decode()
    return int(re.search(rf'<a class="handout-url" href="[^"]*/tms/{slug}/\?v=(\d+)"', html).group(1))


def change_and_sign_off(article, boss, reviewer, *, body_word: str, note: str, kind=workflow.CLINICAL):
    article.body = re.sub(r"Some text about \w+\.", f"Some text about {body_word}.", article.body)
    workflow.article_save(article=article, change=kind, user=boss, note=note)
    if kind == workflow.CLINICAL:
        article.refresh_from_db()
        workflow.sign_off(
            article, reviewer=reviewer, next_review_due=dt.date(2027, 12, 1), user=boss,
            expected_version=article.version, publish=False,
        )  # fmt: skip


def test_handout_address_and_qr_code_carry_the_version_it_was_printed_from(client, make_article, settings):
    settings.SITE_URL = "https://tmsinfo.example"
    make_article(slug="page")
    version = PublishedPage.objects.get(slug="page").version
    html = client.get("/tms/page/print/").content.decode()
    assert f">tmsinfo.example/tms/page/?v={version}</a>" in html
    assert f'src="/tms/page/qr.svg?v={version}"' in html
    qr = client.get(f"/tms/page/qr.svg?v={version}")
    assert decode_svg(qr.content.decode()) == [f"https://tmsinfo.example/tms/page/?v={version}"]
    # The article page, printed from the browser, carries the same address.
    assert f"Read online: https://tmsinfo.example/tms/page/?v={version}" in client.get("/tms/page/").content.decode()


def test_canonical_address_share_links_sitemap_and_feed_stay_without_a_version(client, make_article, settings):
    settings.SITE_URL = "https://tmsinfo.example"
    make_article(slug="page")
    html = client.get("/tms/page/?v=1").content.decode()
    assert '<link rel="canonical" href="https://tmsinfo.example/tms/page/">' in html
    assert 'data-copy="https://tmsinfo.example/tms/page/"' in html and 'src="/tms/page/qr.svg"' in html
    assert "?v=" not in html.split('<section class="share"')[1].split("</section>")[0]
    sitemap = client.get("/sitemap-articles.xml").content.decode()
    assert "<loc>https://tmsinfo.example/tms/page/</loc>" in sitemap and "?v=" not in sitemap
    assert "?v=" not in client.get("/feed/").content.decode()
    assert "?v=" not in client.get("/clinicians/").content.decode()


def test_a_handout_printed_before_a_clinical_change_shows_the_date_and_the_changes_clinical_first(
    client, make_article, reviewer, boss
):
    article = make_article(slug="page", reviewer=reviewer, **SIGNED)
    old = printed_version(client, "page")
    first_public = PublishedPage.history.filter(slug="page").earliest("history_date").history_date
    change_and_sign_off(article, boss, reviewer, body_word="typos", note="Fixed a typo", kind=workflow.EDITORIAL)
    change_and_sign_off(article, boss, reviewer, body_word="seizures", note="Updated the seizure risk")
    assert PublishedPage.objects.get(slug="page").version > old
    html = client.get(f"/tms/page/?v={old}").content.decode()
    assert NOTICE in html
    notice = html.split('<section class="handout-changes')[1].split("</section>")[0]
    assert f"{timezone.localtime(first_public):%-d %B %Y}" in notice  # when it went public, in the site's time zone
    assert notice.index("Updated the seizure risk") < notice.index("Fixed a typo")  # clinical first
    assert html.index(NOTICE) < html.index("<h1>")  # above the page
    assert "Some text about seizures." in html  # and the page is the current one


def test_a_handout_printed_at_the_current_version_shows_no_notice(client, make_article, reviewer, boss):
    article = make_article(slug="page", reviewer=reviewer, **SIGNED)
    change_and_sign_off(article, boss, reviewer, body_word="seizures", note="Updated the seizure risk")
    current = printed_version(client, "page")
    response = client.get(f"/tms/page/?v={current}")
    assert response.status_code == 200 and NOTICE not in response.content.decode()


def test_a_change_still_waiting_for_sign_off_is_not_a_change_since(client, make_article, reviewer, boss):
    article = make_article(slug="page", reviewer=reviewer, **SIGNED)
    old = printed_version(client, "page")
    article.body = article.body.replace("Some text about it.", "Some unapproved words.")
    workflow.article_save(article=article, change=workflow.CLINICAL, user=boss, note="Waiting note")
    assert printed_version(client, "page") == old  # the public still reads the approved text
    html = client.get(f"/tms/page/?v={old}").content.decode()
    assert NOTICE not in html and "Waiting note" not in html


@pytest.mark.parametrize("value", ["999", "0", "-1", "abc", "1.0", "", "1e3", "９", "1" * 20])
def test_unknown_future_or_malformed_versions_show_the_plain_page_and_are_not_kept_in_the_cache(
    client, make_article, value
):
    make_article(slug="page")
    response = client.get("/tms/page/", {"v": value})
    assert response.status_code == 200 and NOTICE not in response.content.decode()
    assert "private" in response["Cache-Control"]  # so the page cache holds one copy per real version
    assert client.get("/tms/page/qr.svg", {"v": value}).status_code == 404


def test_known_versions_are_cached_pages_of_their_own(client, make_article, reviewer, boss):
    article = make_article(slug="page", reviewer=reviewer, **SIGNED)
    old = printed_version(client, "page")
    change_and_sign_off(article, boss, reviewer, body_word="seizures", note="Updated the seizure risk")
    for _ in range(2):
        response = client.get(f"/tms/page/?v={old}")
        assert "public" in response["Cache-Control"] and NOTICE in response.content.decode()
    assert caching.recent.get(caching.page_key(response.wsgi_request, caching.generation.prefix())) is not None


def test_each_page_history_entry_records_the_version_it_went_public_with(make_article, reviewer, boss):
    article = make_article(slug="page", reviewer=reviewer, **SIGNED)
    article.body = article.body.replace("Some text about it.", "New words.")
    workflow.article_save(article=article, change=workflow.CLINICAL, user=boss, note="Clinical note")
    waiting = PageChange.objects.get(note="Clinical note")
    assert not waiting.public and waiting.version is None
    article.refresh_from_db()
    workflow.sign_off(
        article, reviewer=reviewer, next_review_due=dt.date(2027, 12, 1), user=boss,
        expected_version=article.version, publish=False,
    )  # fmt: skip
    waiting.refresh_from_db()
    assert waiting.public and waiting.version == PublishedPage.objects.get(slug="page").version


def test_entries_made_public_before_versions_were_recorded_are_not_listed_as_changes_since(
    client, make_article, reviewer, boss
):
    article = make_article(slug="page", reviewer=reviewer, **SIGNED)
    PageChange.objects.create(article=article, kind="clinical", note="An old entry", public=True, version=None)
    old = printed_version(client, "page")
    change_and_sign_off(article, boss, reviewer, body_word="seizures", note="Updated the seizure risk")
    html = client.get(f"/tms/page/?v={old}").content.decode()
    notice = html.split('<section class="handout-changes')[1].split("</section>")[0]
    assert "Updated the seizure risk" in notice and "An old entry" not in notice


def test_a_handout_printed_before_the_page_moved_follows_it_and_keeps_its_version(client, make_article, reviewer, boss):
    article = make_article(slug="old-name", reviewer=reviewer, **SIGNED)
    old = printed_version(client, "old-name")
    article.slug = "new-name"
    workflow.article_save(article=article, change=workflow.EDITORIAL, user=boss)
    change_and_sign_off(article, boss, reviewer, body_word="seizures", note="Updated the seizure risk")
    response = client.get(f"/tms/old-name/?v={old}")
    assert response.status_code == 301 and response["Location"] == f"/tms/new-name/?v={old}"
    assert NOTICE in client.get(response["Location"]).content.decode()
    assert client.get("/tms/old-name/").status_code == 301  # without a query, as before
    assert client.get("/tms/never-was/?v=1").status_code == 404
