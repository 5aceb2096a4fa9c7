"""What readers see is one record: every public address reads the published page, never the
working copy (issue 12; docs/published-record.md).

One page in each state a page can be in, made through the workflow as editors make them; then
every public address a visitor or a machine can reach (found by following links from the home
page, the sitemaps and the feed, plus the addresses printed on handouts) is read without logging
in. No title, summary, text, section id or date that a clinician has not approved may appear.
"""

import datetime as dt
import re
from collections import deque
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from articles import workflow
from articles.content import export_content
from articles.models import Article, PageChange, PublishedPage, Reviewer
from tests.conftest import BODY

pytestmark = pytest.mark.django_db

PENDING_BODY = BODY.replace(
    "Some text about it.", "Some text about it.\n\n## Zebra section {#zebra-section}\n\nZebrawords."
)
# What only text no clinician approved contains: none of it may reach the public.
UNAPPROVED = (
    "Draft zebra title", "Draftsecret", "Review zebra title", "Reviewsecret", "Archived zebra title",
    "Archivedsecret", "Pending zebra title", "A pending zebra summary", "Zebrawords", "zebra-section",
    "2026-11-29", "29 November 2026", "29 Nov 2026", "2026-11-29T",
)  # fmt: skip
SEED_URLS = ["/", "/help/", "/search/", "/clinicians/", "/feed/", "/sitemap.xml", "/robots.txt"]


def secret_body(word: str) -> str:
    return BODY.replace("Some text about it.", f"Some text about {word}.")


@pytest.fixture
def pages_in_every_state(make_article, reviewer, django_user_model):
    boss = django_user_model.objects.create_superuser("boss")
    make_article(slug="draft", title="Draft zebra title", body=secret_body("Draftsecret"), status="draft")
    make_article(slug="in-review", title="Review zebra title", body=secret_body("Reviewsecret"), status="in_review")
    make_article(slug="never-reviewed", title="Never reviewed page", status="published")
    signed = {"reviewer": reviewer, "reviewed_on": dt.date(2026, 10, 1), "next_review_due": dt.date(2027, 10, 1)}
    make_article(slug="signed-off", title="Signed off page", **signed)
    pending = make_article(slug="pending", title="Approved page title", summary="The approved summary.", **signed)
    pending.title, pending.summary, pending.body = "Pending zebra title", "A pending zebra summary.", PENDING_BODY
    pending.updated_on = dt.date(2026, 11, 29)
    workflow.article_save(article=pending, change=workflow.CLINICAL, user=boss, note="Zebra note")
    archived = make_article(slug="archived", title="Archived zebra title", body=secret_body("Archivedsecret"))
    archived.status = Article.Status.ARCHIVED
    workflow.article_save(article=archived, change=workflow.EDITORIAL, user=boss)
    renamed = make_article(slug="old-name", title="Renamed page")
    renamed.slug = "new-name"
    workflow.article_save(article=renamed, change=workflow.EDITORIAL, user=boss)
    return pending


def _links(body: str, content_type: str) -> list[str]:
    if "xml" in content_type:
        return re.findall(r"<loc>([^<]+)</loc>", body) + re.findall(r'<link[^>]+href="([^"]+)"', body)
    return re.findall(r'(?:href|src)="([^"#]*)', body)


def crawl(client) -> dict[str, tuple[int, str]]:
    """Every public address reachable from SEED_URLS: path -> (status, body)."""
    seen: dict[str, tuple[int, str]] = {}
    queue = deque(SEED_URLS)
    while queue and len(seen) < 500:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url)
        body = "" if response.streaming else response.content.decode("utf-8", "replace")
        seen[url] = (response.status_code, body)
        if response.status_code in (301, 302):
            queue.append(response["Location"])
        for link in _links(body, response.get("Content-Type", "")):
            link = link.replace("&amp;", "&")
            parts = urlsplit(link)
            if parts.netloc and f"{parts.scheme}://{parts.netloc}" != settings.SITE_URL:
                continue
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if path.startswith("/") and not path.startswith(("//", f"/{settings.ADMIN_PATH}", "/static/")):
                queue.append(path)
    return seen


def test_no_public_address_shows_text_a_clinician_has_not_approved(client, pages_in_every_state):
    seen = crawl(client)
    # The crawl reached every kind of public address, with each public page in it.
    for slug in ("never-reviewed", "signed-off", "pending", "new-name"):
        for path in (f"/tms/{slug}/", f"/tms/{slug}/print/", f"/tms/{slug}/qr.svg"):
            assert seen.get(path, (0,))[0] == 200, path
    assert any(path.startswith("/tms/pending/qr.svg?section=") for path in seen)
    assert {"/sitemap-articles.xml", "/sitemap-topics.xml", "/topics/basics/"} <= set(seen)
    for path, (status, body) in seen.items():
        for secret in UNAPPROVED:
            assert secret not in body, f"{path} ({status}) shows unapproved text: {secret!r}"
    # What readers of the pending page get: the approved text and its date, all the way through.
    page = seen["/tms/pending/"][1]
    assert "<h1>Approved page title</h1>" in page and "The approved summary." in page
    assert '<time datetime="2026-11-01">1 November 2026</time>' in page
    assert '<script type="application/ld+json">' in page and '"dateModified":"2026-11-01"' in page


def test_search_never_finds_words_only_unapproved_text_contains(client, pages_in_every_state):
    for word in ("zebrawords", "draftsecret", "reviewsecret", "archivedsecret", "zebra"):
        html = client.get("/search/", {"q": word}).content.decode()
        assert "No pages found" in html, word


def test_a_section_only_the_pending_text_has_has_no_qr_code_or_address(client, pages_in_every_state):
    assert client.get("/tms/pending/qr.svg?section=zebra-section").status_code == 404
    assert client.get("/tms/pending/qr.svg?section=what-is-it").status_code == 200
    assert "<title>QR code: Approved page title</title>" in client.get("/tms/pending/qr.svg").content.decode()


def test_pages_that_are_not_public_answer_404(client, pages_in_every_state):
    for slug in ("draft", "in-review", "archived"):
        for path in (f"/tms/{slug}/", f"/tms/{slug}/print/", f"/tms/{slug}/qr.svg"):
            assert client.get(path).status_code == 404, path
    assert client.get("/tms/old-name/")["Location"] == "/tms/new-name/"


def test_only_the_workflow_writes_what_the_public_reads(client, pages_in_every_state):
    article = Article.objects.get(slug="never-reviewed")
    article.title = "Zebra saved around the workflow"
    article.save()  # Article.save() alone: the working copy changes, the public page does not
    assert "Zebra saved around the workflow" not in client.get("/tms/never-reviewed/").content.decode()
    workflow.article_save(article=article, change=workflow.EDITORIAL)
    assert "Zebra saved around the workflow" in client.get("/tms/never-reviewed/").content.decode()


def test_signing_off_the_pending_change_publishes_it_with_its_note(client, pages_in_every_state, reviewer):
    pending = pages_in_every_state
    boss = pending.history.filter(history_user__isnull=False).first().history_user
    workflow.sign_off(
        pending, reviewer=reviewer, next_review_due=dt.date(2027, 12, 1), user=boss,
        expected_version=pending.version, publish=True,
    )  # fmt: skip
    html = client.get("/tms/pending/").content.decode()
    assert "<h1>Pending zebra title</h1>" in html and "Zebrawords" in html and "Zebra note" in html
    assert client.get("/tms/pending/qr.svg?section=zebra-section").status_code == 200


def test_the_public_review_line_names_who_signed_off_even_after_their_profile_changes(client, make_article):
    named = Reviewer.objects.create(name="Dr Alma Signer", credentials="MD, psychiatrist")
    make_article(slug="signed", reviewer=named, reviewed_on=dt.date(2026, 10, 1), next_review_due=dt.date(2027, 10, 1))
    named.name, named.credentials = "Dr Someone Else", "PhD"
    named.save()
    html = client.get("/tms/signed/").content.decode()
    assert "Medically reviewed by <strong>Dr Alma Signer, MD, psychiatrist</strong>" in html
    assert "Someone Else" not in html


def test_restoring_the_approved_text_does_not_publish_the_discarded_change_s_note(pages_in_every_state, client):
    pending = pages_in_every_state
    approved = pending.history.order_by("history_id").first()
    workflow.restore_revision(pending, approved, user=None)
    assert not pending.has_pending_changes
    assert not PageChange.objects.filter(note="Zebra note").exists()
    assert "Zebra note" not in client.get("/tms/pending/").content.decode()


def test_no_public_page_reads_more_rows_than_it_shows(client, pages_in_every_state, django_assert_max_num_queries):
    for path in ("/", "/tms/pending/", "/tms/pending/print/", "/tms/pending/qr.svg", "/topics/basics/",
                 "/clinicians/", "/search/?q=page", "/feed/", "/sitemap-articles.xml"):  # fmt: skip
        with django_assert_max_num_queries(10):
            assert client.get(path).status_code == 200, path


# --- The migration: existing sites keep every page, text and note ----------------------------------
FIXTURE = Path(__file__).parent / "fixtures" / "pre_snapshot"


def test_export_before_and_after_the_migration_gives_byte_identical_files(tmp_path, transactional_db):
    """tests/fixtures/pre_snapshot holds articles as the schema before migration 0006 stored them
    (one page in each state, a clinical change awaiting sign-off among them) and the files the
    export of that time wrote from them."""
    import json

    executor = MigrationExecutor(connection)
    executor.migrate([("articles", "0005_revisions_keep_written_text")])
    old = executor.loader.project_state([("articles", "0005_revisions_keep_written_text")]).apps
    old.get_model("articles", "Reviewer").objects.create(id=1, name="Dr Ada Example", credentials="MD, psychiatrist")
    OldArticle = old.get_model("articles", "Article")
    for row in json.loads((FIXTURE / "articles.json").read_text()):
        OldArticle.objects.create(**row)
    old_changes = old.get_model("articles", "PageChange").objects
    old_changes.create(article_id=3, date=dt.date(2026, 12, 1), kind="clinical", note="Pending note", public=False)
    old_changes.create(article_id=2, date=dt.date(2026, 12, 1), kind="editorial", note="Fixed a typo", public=True)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    export_content(tmp_path)
    expected = sorted(p.name for p in (FIXTURE / "export").glob("*.md"))
    assert sorted(p.name for p in tmp_path.glob("*.md")) == expected
    for name in expected:
        assert (tmp_path / name).read_bytes() == (FIXTURE / "export" / name).read_bytes(), name
    pending = PublishedPage.objects.get(slug="pending-change")
    assert pending.title == "Approved title" and "New section" not in pending.main
    assert set(PublishedPage.objects.values_list("slug", flat=True)) == {
        "never-reviewed",
        "signed-off",
        "pending-change",
    }
    assert Article.objects.get(slug="pending-change").has_pending_changes
    assert set(PageChange.objects.values_list("note", "public")) == {("Pending note", False), ("Fixed a typo", True)}
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
