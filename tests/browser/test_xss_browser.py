"""In a real browser, no hostile text saved through the admin or the content import runs: every
resulting public page, its staff preview and the admin's live preview open with no dialog, no console error (a CSP
report of a blocked inline script would mean the sanitizer let one through) and no request
leaving the site."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from articles.content import import_content
from articles.models import Article
from tests.test_xss import CASES, body_for, save_through_admin, signing_superuser, write_content_files

STORED = ("title", "summary", "body_html", "toc")
CHUNK = 15  # vectors per preview update (markdownx waits 500 ms after each change)
SHOWN_IN_FRAME = """() => document.querySelector('iframe.markdownx-frame').contentDocument.querySelector('main')
    .innerHTML === document.querySelector('.markdownx-preview').innerHTML"""


@pytest.fixture
def hostile_articles(transactional_db, django_user_model, tmp_path):
    """Every vector as title, summary and body, saved through the admin and imported from files.
    Both paths store exactly the same fields, so the browser opens each distinct page once."""
    client = Client()
    client.force_login(signing_superuser(django_user_model))
    through_admin = [save_through_admin(client, n, vector) for n, vector in CASES]
    slugs = write_content_files(tmp_path / "content")
    import_content(tmp_path / "content")
    imported = {a.slug: a for a in Article.objects.filter(slug__in=slugs)}
    for article, slug in zip(through_admin, slugs, strict=True):
        assert [getattr(article, f) for f in STORED] == [getattr(imported[slug], f) for f in STORED], slug
    return {"articles": through_admin, "session": client.cookies[settings.SESSION_COOKIE_NAME].value}


def watch_for_escapes(page, live_server):
    """Record any request that leaves the live server (a listener, not a route: routing every
    request through the test would triple the time per page)."""
    page.left_site = []
    page.on("request", lambda r: r.url.startswith(f"{live_server.url}/") or page.left_site.append(r.url))


def collected(page) -> list[str]:
    """What the page did since the last call: dialogs, console errors, requests leaving the site."""
    problems = [f"dialog: {d}" for d in page.dialogs] + [f"console: {e}" for e in page.console_errors]
    problems += [f"request left the site: {u}" for u in page.left_site]
    page.dialogs.clear()
    page.console_errors.clear()
    page.left_site.clear()
    return problems


def test_no_hostile_text_runs_on_a_public_page_or_in_the_admin_preview(new_page, live_server, hostile_articles):
    page = new_page()
    watch_for_escapes(page, live_server)
    problems = {}
    for url in ["/"] + [a.get_absolute_url() for a in hostile_articles["articles"]]:
        response = page.goto(url)
        if found := ([] if response.status == 200 else [f"status {response.status}"]) + collected(page):
            problems[url] = found

    # The admin editor: its live preview shows what the markdownx endpoint returns for the text.
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": hostile_articles["session"], "url": live_server.url}]
    )
    for article in hostile_articles["articles"]:  # the staff preview page of each article
        response = page.goto(reverse("admin:articles_article_preview", args=[article.pk]))
        if found := ([] if response.status == 200 else [f"status {response.status}"]) + collected(page):
            problems[f"staff preview of {article.slug}"] = found

    article = hostile_articles["articles"][0]
    page.goto(f"/{settings.ADMIN_PATH}articles/article/{article.pk}/change/")
    preview = page.locator(".markdownx-preview")  # what markdownx received, shown in the frame beside the text
    page.frame_locator("iframe.markdownx-frame").get_by_text("Before the payload.").wait_for()
    for start in range(0, len(CASES), CHUNK):
        chunk = CASES[start : start + CHUNK]
        before = preview.inner_html()
        with page.expect_response(lambda r: "/markdownx/markdownify/" in r.url):
            page.locator("textarea#id_body").fill("\n\n".join(body_for(v) for _, v in chunk))
        page.wait_for_function("old => document.querySelector('.markdownx-preview').innerHTML !== old", arg=before)
        page.wait_for_function(SHOWN_IN_FRAME)
        if found := collected(page):
            problems[f"preview of vectors {start}-{start + len(chunk) - 1}"] = found
    assert problems == {}
