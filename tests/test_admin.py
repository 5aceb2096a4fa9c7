import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission

from articles.markdown import present_body
from articles.models import Article

pytestmark = pytest.mark.django_db
ADMIN = f"/{settings.ADMIN_PATH}"


@pytest.fixture
def editor_client(client, django_user_model):
    user = django_user_model.objects.create_user("editor", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="articles"))
    client.force_login(user)
    return client


def test_editor_sees_articles_with_status_topic_and_review_columns(editor_client, make_article, reviewer):
    make_article(title="Listed page", reviewer=reviewer)
    html = editor_client.get(f"{ADMIN}articles/article/").content.decode()
    assert "Listed page" in html
    for column in ("Status", "Topic", "Reviewer", "Reviewed on", "Next review due"):
        assert column in html


def test_editor_edits_an_article_with_the_markdown_editor_and_the_public_page_changes(editor_client, make_article):
    article = make_article(slug="page", title="Old title")
    page = editor_client.get(f"{ADMIN}articles/article/{article.pk}/change/").content.decode()
    assert 'class="markdownx"' in page and "markdownx-preview" in page
    response = editor_client.post(
        f"{ADMIN}articles/article/{article.pk}/change/",
        {
            "title": "New title",
            "slug": "page",
            "summary": "New summary.",
            "status": "published",
            "topic": "basics",
            "order": 1,
            "updated_on": "2026-11-20",
            "body": "## Key points {#key-points}\n\n- Changed.\n\n## New section {#new}\n\nNew words.",
            "base_version": article.version,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    public = editor_client.get("/tms/page/").content.decode()
    assert "<h1>New title</h1>" in public and '<h2 id="new">New section</h2>' in public


def test_preview_endpoint_renders_exactly_what_the_public_page_shows(editor_client, make_article):
    body = (
        "## Key points {#key-points}\n\n- One.\n\n## Hello {#hi}\n\n<script>alert(1)</script>[x](javascript:alert(1)) "
        "[ok](https://example.org/)\n\n| a | b |\n|--|--|\n| 1 | 2 |"
    )
    article = make_article(slug="page", body=body)
    preview = editor_client.post("/markdownx/markdownify/", {"content": body}).content.decode()
    assert "<script" not in preview and "javascript:" not in preview
    # The public page shows the same markup: the key points box, the body with its section links
    # and its table in a scrolling region, all from the stored, sanitized HTML.
    shown = present_body(article.body_html)
    key_points = re.search(r'<section class="key-points".*?</section>', preview, re.DOTALL).group(0)
    article_body = re.search(r'<div class="article-body">.*?</div>\s*\Z', preview, re.DOTALL).group(0)
    assert shown.key_points in key_points and shown.body in article_body and 'class="table-scroll"' in article_body
    public = " ".join(editor_client.get("/tms/page/").content.decode().split())
    assert " ".join(key_points.split()) in public and " ".join(article_body.split()) in public


def test_help_texts_show_addresses_literally(editor_client, make_article):
    article = make_article(slug="page")
    for url in (f"{ADMIN}articles/article/add/", f"{ADMIN}articles/article/{article.pk}/change/"):
        html = editor_client.get(url).content.decode()
        assert "Part of the page address: /tms/&lt;slug&gt;/" in html, url
        assert "/tms//" not in html


def test_preview_endpoint_is_for_staff_only(client, django_user_model):
    assert client.post("/markdownx/markdownify/", {"content": "# x"}).status_code == 404
    client.force_login(django_user_model.objects.create_user("reader"))
    assert client.post("/markdownx/markdownify/", {"content": "# x"}).status_code == 404


def test_image_upload_is_switched_off(editor_client):
    assert editor_client.post("/markdownx/upload/", {}).status_code == 404


def test_admin_search_finds_articles_by_body_text(editor_client, make_article):
    make_article(title="Findable", body="## Key points {#key-points}\n\n- Mentions theta-burst here.")
    make_article(title="Other")
    html = editor_client.get(f"{ADMIN}articles/article/?q=theta-burst").content.decode()
    assert "Findable" in html and ">Other<" not in html


def test_drafts_are_listed_for_editors(editor_client, make_article):
    make_article(title="Draft only", status=Article.Status.DRAFT)
    assert "Draft only" in editor_client.get(f"{ADMIN}articles/article/?status__exact=draft").content.decode()
