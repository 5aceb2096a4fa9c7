"""The smaller holes (issue 19, item 9), one promise each:

links that begin "/\\" or "//" leave the site as external links do; headings with "&" read right
in the contents list; the admin's "View on site" opens the site's own address; a stranger asking
for the editor's preview endpoint learns nothing about a custom admin path; Permissions-Policy
and X-Frame-Options are on every response, static files, cached pages and redirects included;
staff without article permissions cannot read unpublished pages.
"""

import re

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.urls import reverse

from articles import workflow
from articles.models import Article
from tests.test_security import run_django

pytestmark = pytest.mark.django_db
OFF_SITE = ["/\\evil.example/", "//evil.example/", "///evil.example/", "/\\/evil.example/", " //evil.example/"]


def links(html: str) -> dict[str, str]:
    """href -> the whole <a> start tag, for the links in the page's body."""
    body = html.split('<div class="article-body">', 1)[1].split("</article>", 1)[0]
    return {re.search(r'href="([^"]*)"', tag).group(1): tag for tag in re.findall(r"<a [^>]*>", body)}


def test_links_a_browser_reads_as_another_host_are_treated_as_external(client, make_article):
    body = "## Links {#links}\n\n" + " ".join(f"[x{n}](<{href}>)" for n, href in enumerate(OFF_SITE))
    make_article(slug="page", body=body + " [home](/tms/what-is-tms/)\n")
    found = links(client.get("/tms/page/").content.decode())
    for href in OFF_SITE:
        assert 'rel="noopener noreferrer"' in found[href.strip()], (href, found)
    assert "rel=" not in found["/tms/what-is-tms/"]


def test_headings_with_an_ampersand_read_right_in_the_contents_list(client, make_article):
    make_article(slug="page", body="## Key points {#key-points}\n\n- A.\n\n## Risks & benefits {#risks}\n\nText.\n")
    html = client.get("/tms/page/").content.decode()
    assert '<li><a href="#risks">Risks &amp; benefits</a></li>' in html and "&amp;amp;" not in html


def test_view_on_site_opens_the_page_at_the_sites_own_address(admin_client, make_article, settings):
    settings.SITE_URL = "https://tmsinfo.example"
    article = make_article(slug="page")
    html = admin_client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert 'href="https://tmsinfo.example/tms/page/" class="viewsitelink"' in html


def test_a_stranger_asking_for_the_preview_endpoint_learns_nothing_about_a_custom_admin_path():
    code = (
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0)\n"
        "from django.test import Client\n"
        "for c in (Client(), Client(enforce_csrf_checks=True)):\n"
        "    for r in (c.get('/markdownx/markdownify/'), c.post('/markdownx/markdownify/', {'content': 'x'})):\n"
        "        print(r.status_code, 'backstage-7f3a' in (r.content.decode() + r.get('Location', '')))\n"
    )
    result = run_django(
        code, DJANGO_ADMIN_PATH="backstage-7f3a", DJANGO_SECRET_KEY="test-only", DATABASE_URL="sqlite:///:memory:",
        DJANGO_SECURE_SSL_REDIRECT="0", DJANGO_ALLOWED_HOSTS="testserver",
    )  # fmt: skip
    answers = result.stdout.splitlines()
    assert answers[:3] == ["404 False"] * 3, result.stdout + result.stderr
    assert answers[3] in ("404 False", "403 False")  # without a CSRF token: refused before the view


def assert_headers(response, what: str):
    assert response["X-Frame-Options"] == "DENY", what
    assert "camera=()" in response.get("Permissions-Policy", ""), what


def test_every_response_carries_permissions_policy_and_x_frame_options(client, make_article):
    article = make_article(slug="sessions")
    article.slug = "how-sessions-work"
    workflow.article_save(article=article, change=workflow.EDITORIAL)
    css = staticfiles_storage.url("css/site.css")
    first = client.get("/tms/how-sessions-work/")
    responses = {
        "a static file": client.get(css),
        "a page": first,
        "the same page from the page cache": client.get("/tms/how-sessions-work/"),
        "a 304 from the page cache": client.get("/tms/how-sessions-work/", HTTP_IF_NONE_MATCH=first["ETag"]),
        "a renamed page's redirect": client.get("/tms/sessions/?utm_source=leaflet"),
        "the favicon redirect": client.get("/favicon.ico"),
        "a 404": client.get("/tms/no-such-page/"),
        "the health check": client.get("/healthz"),
    }
    statuses = {what: response.status_code for what, response in responses.items()}
    assert statuses == {
        "a static file": 200, "a page": 200, "the same page from the page cache": 200,
        "a 304 from the page cache": 304, "a renamed page's redirect": 301, "the favicon redirect": 302,
        "a 404": 404, "the health check": 200,
    }  # fmt: skip
    for what, response in responses.items():
        assert_headers(response, what)


@pytest.mark.parametrize("path", ["/tms/draft-page/", "/tms/draft-page/print/"])
def test_staff_without_article_permissions_cannot_read_unpublished_pages(client, django_user_model, make_article, path):
    make_article(slug="draft-page", title="Secret draft", status=Article.Status.DRAFT)
    client.force_login(django_user_model.objects.create_user("clerk", is_staff=True))
    response = client.get(path)
    assert response.status_code == 404 and "Secret draft" not in response.content.decode()
