"""Hostile text saved through the admin and through the content import never reaches a page as
live markup: not in the stored body HTML, not in the title or summary, not in the preview."""

import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.urls import reverse

from articles.content import import_content
from articles.markdown import RESERVED_IDS, markdownify, present_body, render_markdown
from articles.models import Article, Reviewer
from tests.admin_forms import admin_form_data
from tests.test_site import assert_page_keeps_promises
from tests.xss_checks import fragment_problems, page_problems
from tests.xss_vectors import (
    CSS,
    DANGEROUS_URLS,
    EMBEDDING_TAGS,
    EVENT_HANDLERS,
    MARKDOWN_LINKS,
    MUTATION,
    SCRIPT_TAGS,
    SVG_AND_MATHML,
    VECTORS,
)

ADD_URL = f"/{settings.ADMIN_PATH}articles/article/add/"
CASES = list(enumerate(VECTORS))
IDS = [f"{n:03d}" for n, _ in CASES]


def body_for(vector: str) -> str:
    return f"## Key points {{#key-points}}\n\n- Before the payload.\n\n{vector}\n\nAfter the payload.\n"


def as_title(vector: str) -> str:
    return " ".join(vector.split())[:200] or "x"


def as_summary(vector: str) -> str:
    return " ".join(vector.split())[:160] or "x"


def signing_superuser(django_user_model):
    """A superuser (no password: hashing one costs a second, and force_login needs none) who is
    also a reviewer, so they can sign off."""
    user = django_user_model.objects.create_user("root", is_staff=True, is_superuser=True)
    Reviewer.objects.create(name="Dr Test Signer", credentials="MD", user=user)
    return user


@pytest.fixture
def superuser_client(client, django_user_model):
    client.force_login(signing_superuser(django_user_model))
    return client


def save_through_admin(client, n: int, vector: str) -> Article:
    """Real POSTs of the admin's forms, as the editorial workflow goes: the add form with the
    vector as title, summary and body, sent for review; then the sign-off form, approve and
    publish (the client's user must be allowed to sign off)."""
    slug = f"xss-admin-{n}"
    data = admin_form_data(
        client,
        ADD_URL,
        title=as_title(vector),
        slug=slug,
        summary=as_summary(vector),
        body=body_for(vector),
        status=Article.Status.IN_REVIEW,
        topic="basics",
        order=str(n),
        updated_on="2026-11-01",
    )
    response = client.post(ADD_URL, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    article = Article.objects.get(slug=slug)
    sign_off = reverse("admin:articles_article_sign_off", args=[article.pk])
    response = client.post(sign_off, admin_form_data(client, sign_off, form_id=None, publish="Approve and publish"))
    assert response.status_code == 302, response.content.decode()[:3000]
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    return article


def write_content_files(directory: Path, prefix: str = "xss-import") -> list[str]:
    """One content file per vector: the vector as title, summary and body."""
    directory.mkdir(parents=True, exist_ok=True)
    slugs = []
    for n, vector in CASES:
        slug = f"{prefix}-{n}"
        meta = {
            "title": as_title(vector),
            "slug": slug,
            "summary": as_summary(vector),
            "topic": "basics",
            "order": n,
            "status": "published",
            "reviewer": None,
            "reviewer_credentials": None,
            "reviewed_on": None,
            "next_review_due": None,
            "updated_on": "2026-11-01",
        }
        front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000)
        (directory / f"{slug}.md").write_text(f"---\n{front}---\n{body_for(vector)}", encoding="utf-8")
        slugs.append(slug)
    return slugs


def page_and_stored_problems(client, article: Article) -> list[str]:
    problems = [f"stored: {p}" for p in fragment_problems(article.body_html)]
    for page in article.published_pages.all():
        for part in ("key_points", "main", "references"):
            problems += [f"published {part}: {p}" for p in fragment_problems(getattr(page, part))]
    response = client.get(article.get_absolute_url())
    if response.status_code != 200:
        return [*problems, f"page status {response.status_code}"]
    html = response.content.decode()
    problems += [f"page: {p}" for p in page_problems(html)]
    try:
        assert_page_keeps_promises(html, article.slug)
    except AssertionError as exc:
        problems.append(f"page structure broken: {exc}")
    return problems


def test_the_corpus_has_at_least_150_distinct_vectors_in_every_family():
    assert len(set(VECTORS)) >= 150
    for family in (SCRIPT_TAGS, EVENT_HANDLERS, DANGEROUS_URLS, MARKDOWN_LINKS, EMBEDDING_TAGS, SVG_AND_MATHML):
        assert len(family) >= 10
    assert len(CSS) >= 5 and len(MUTATION) >= 10


@pytest.mark.parametrize(("n", "vector"), CASES, ids=IDS)
def test_sanitizer_leaves_nothing_live(n, vector):
    rendered = render_markdown(body_for(vector))
    assert fragment_problems(rendered.html) == [], (vector, rendered.html)
    assert "Before the payload." in rendered.html
    preview = markdownify(body_for(vector))  # the admin preview: the same HTML, as the page shows it
    assert fragment_problems(preview) == [] and present_body(rendered.html).body in preview
    for entry in rendered.toc:  # every contents entry points at an id the body really has
        assert f'id="{entry["id"]}"' in rendered.html


@pytest.mark.django_db
@pytest.mark.parametrize(("n", "vector"), CASES, ids=IDS)
def test_vector_saved_through_the_admin_reaches_no_page_as_markup(superuser_client, client, n, vector):
    article = save_through_admin(superuser_client, n, vector)
    assert article.title == as_title(vector).strip()  # kept as typed: it is text, escaped on output
    assert article.has_current_sign_off  # the public reads exactly this text
    preview = superuser_client.get(reverse("admin:articles_article_preview", args=[article.pk]))
    assert preview.status_code == 200
    assert page_problems(preview.content.decode()) == [], vector
    client.logout()
    assert page_and_stored_problems(client, article) == [], vector


@pytest.mark.django_db
def test_every_vector_imported_from_content_files_reaches_no_page_as_markup(client, tmp_path):
    slugs = write_content_files(tmp_path)
    report = import_content(tmp_path)
    assert sorted(report.created) == sorted(slugs)
    problems = {}
    for (_, vector), slug in zip(CASES, slugs, strict=True):
        found = page_and_stored_problems(client, Article.objects.get(slug=slug))
        if found:
            problems[vector] = found
    assert problems == {}


def test_every_id_the_templates_use_is_reserved_from_the_body():
    templates, template_ids = Path(settings.BASE_DIR) / "templates", set()
    for path in templates.rglob("*.html"):
        if path.relative_to(templates).parts[0] != "admin":  # public pages only
            template_ids |= set(re.findall(r'\bid="([^"{}]+)"', path.read_text()))
    missing = template_ids - RESERVED_IDS
    assert not missing, f"add {sorted(missing)} to articles.markdown.RESERVED_IDS"


def test_editor_ids_cannot_take_the_page_templates_ids_and_the_contents_list_follows():
    rendered = render_markdown("## Main {#main}\n\n## Odd {#</style>}\n\n## Fine {#fine}\n")
    assert 'id="main"' not in rendered.html and '<h2 id="section-main">' in rendered.html
    assert [e["id"] for e in rendered.toc] == ["section-main", "fine"]


def test_body_cannot_borrow_the_sites_classes_but_footnotes_keep_theirs():
    html = render_markdown('<div class="site-footer skip-link">x</div>\n\nNote[^1]\n\n[^1]: Source.').html
    assert "site-footer" not in html and "skip-link" not in html
    assert 'class="footnote-ref"' in html and 'class="footnote"' in html


def test_protocol_relative_links_are_treated_as_external():
    html = render_markdown("[x](//example.org/page)").html
    assert 'rel="noopener noreferrer"' in html
