"""The Spanish edition (issue 13): its own records and sign-offs, never silently out of date,
section links that map across languages, content files that round-trip, search in Spanish."""

import datetime as dt

import pytest
from django.core.management import call_command

from articles import workflow
from articles.content import ContentError, export_content, import_content
from articles.models import Article, PublishedPage
from tests.conftest import BODY

pytestmark = pytest.mark.django_db

SPANISH_BODY = """## Puntos clave {#key-points}

- La TMS usa pulsos magnéticos.

## ¿Qué es? {#what-is-it}

Un tratamiento para la depresión. Las convulsiones son raras.

## Referencias {#references}

1. Example. https://example.org/
"""


@pytest.fixture
def translate(db):
    """Make a Spanish translation of an English article, through the workflow, up to date with it."""

    def make(english: Article, **fields) -> Article:
        spanish = Article(
            source=english, language="es", title=f"Traducción de {english.title}", summary="Un resumen.",
            body=SPANISH_BODY, status=Article.Status.PUBLISHED, updated_on=dt.date(2026, 12, 1),
        )  # fmt: skip
        for name, value in fields.items():
            setattr(spanish, name, value)
        workflow.follow_source(spanish)
        workflow.mark_translation_current(spanish)
        workflow.article_save(article=spanish, change=workflow.IMPORT)
        return spanish

    return make


def test_a_translation_is_its_own_page_under_es_with_its_own_address(client, make_article, translate):
    english = make_article(slug="what-is-tms", title="What is TMS?")
    translate(english, title="¿Qué es la TMS?")
    html = client.get("/es/tms/what-is-tms/").content.decode()
    assert "<h1>¿Qué es la TMS?</h1>" in html and "pulsos magnéticos" in html
    assert client.get("/tms/what-is-tms/").content.decode().count("<h1>What is TMS?</h1>") == 1
    assert PublishedPage.objects.get(language="es").languages == ["en", "es"]
    assert PublishedPage.objects.get(language="en").languages == ["en", "es"]


def test_a_translation_is_public_only_while_its_english_page_is(client, make_article, translate):
    english = make_article(slug="page")
    translate(english)
    english.status = Article.Status.ARCHIVED
    workflow.article_save(article=english, change=workflow.EDITORIAL)
    assert client.get("/es/tms/page/").status_code == 404
    assert not PublishedPage.objects.exists()


def test_a_translation_follows_its_english_page_to_a_new_address(client, make_article, translate):
    english = make_article(slug="old-name")
    translate(english)
    english.slug = "new-name"
    workflow.article_save(article=english, change=workflow.EDITORIAL)
    assert client.get("/es/tms/new-name/").status_code == 200
    assert client.get("/es/tms/old-name/")["Location"] == "/es/tms/new-name/"
    assert Article.objects.get(language="es").slug == "new-name"


def test_an_english_change_signed_off_marks_the_translation_out_of_date(
    make_article, translate, reviewer, django_user_model
):
    boss = django_user_model.objects.create_superuser("boss")
    english = make_article(slug="page", reviewer=reviewer, reviewed_on=dt.date(2026, 10, 1))
    spanish = translate(english)
    assert not PublishedPage.objects.get(language="es").outdated
    english.body = BODY.replace("Some text about it.", "Some new text about it.")
    workflow.article_save(article=english, change=workflow.CLINICAL, user=boss)
    assert not PublishedPage.objects.get(language="es").outdated  # the English public text has not changed yet
    workflow.sign_off(english, reviewer=reviewer, next_review_due=dt.date(2027, 12, 1), user=boss,
                      expected_version=english.version, publish=True)  # fmt: skip
    assert PublishedPage.objects.get(language="es").outdated
    assert [t.pk for t in workflow.outdated_translations()] == [spanish.pk]
    report = "\n".join(workflow.review_report().lines)
    assert "/es/tms/page/" in report and "Translations out of date" in report
    # Brought up to date: the notice goes.
    workflow.mark_translation_current(spanish)
    workflow.article_save(article=spanish, change=workflow.EDITORIAL, user=boss)
    assert not PublishedPage.objects.get(language="es").outdated


def test_a_translation_that_drops_a_section_id_is_refused(make_article, translate):
    english = make_article(slug="page")
    spanish = translate(english)
    spanish.body = SPANISH_BODY.replace(" {#what-is-it}", "")
    with pytest.raises(workflow.TranslationError) as refused:
        workflow.article_save(article=spanish, change=workflow.EDITORIAL)
    assert "what-is-it" in str(refused.value)
    assert "{#what-is-it}" in Article.objects.get(pk=spanish.pk).body


def test_a_translation_must_carry_every_section_id_of_the_english_text_it_follows(make_article):
    english = make_article(slug="page")
    spanish = Article(source=english, language="es", title="T", summary="S.", status="draft",
                      body="## Puntos clave {#key-points}\n\n- Uno.\n", updated_on=dt.date(2026, 12, 1))  # fmt: skip
    workflow.follow_source(spanish)
    workflow.mark_translation_current(spanish)
    with pytest.raises(workflow.TranslationError) as refused:
        workflow.article_save(article=spanish, change=workflow.CLINICAL)
    assert "{#what-is-it}" in str(refused.value) and "{#references}" in str(refused.value)


def test_every_english_section_id_is_on_its_spanish_page_in_the_real_content(site_content):
    for spanish in PublishedPage.objects.filter(language="es"):
        english = PublishedPage.objects.get(language="en", slug=spanish.slug)
        assert english.section_ids <= spanish.section_ids, spanish.slug


def test_every_english_page_has_its_spanish_page_in_the_real_content(site_content):
    english = set(PublishedPage.objects.filter(language="en").values_list("slug", flat=True))
    spanish = set(PublishedPage.objects.filter(language="es").values_list("slug", flat=True))
    assert english == spanish
    assert not PublishedPage.objects.filter(language="es", outdated=True).exists()


def test_spanish_pages_are_on_target_for_reading_ease(site_content):
    """INFLESZ 65 or more ("bastante fácil") is the target; below 55 ("algo difícil") never."""
    scores = dict(Article.objects.filter(language="es").values_list("slug", "reading_ease"))
    assert scores and all(score >= 65 for score in scores.values()), scores


def test_spanish_pages_say_awaiting_review_until_a_bilingual_clinician_signs_off(site_content):
    assert not PublishedPage.objects.filter(language="es").exclude(reviewer_name="").exists()


def test_content_files_with_translations_round_trip(tmp_path, site_content):
    before = {(a.language, a.slug): (a.title, a.body, a.source_fingerprint) for a in Article.objects.all()}
    export_content(tmp_path)
    assert (tmp_path / "es" / "what-is-tms.md").exists()
    Article.objects.filter(source__isnull=False).delete()
    Article.objects.all().delete()
    import_content(tmp_path)
    after = {(a.language, a.slug): (a.title, a.body, a.source_fingerprint) for a in Article.objects.all()}
    assert after == before
    again = tmp_path / "again"
    export_content(again)
    for path in [*tmp_path.glob("*.md"), *tmp_path.glob("es/*.md")]:
        assert (again / path.relative_to(tmp_path)).read_text() == path.read_text(), path


def test_a_translation_without_an_english_page_is_refused_by_the_import(tmp_path):
    (tmp_path / "es").mkdir()
    (tmp_path / "es" / "lonely.md").write_text(
        "---\ntitle: Sola\nslug: lonely\nsummary: S.\nstatus: published\nreviewer:\nreviewer_credentials:\n"
        "reviewed_on:\nnext_review_due:\nupdated_on: 2026-12-01\ntranslation_of:\n  updated_on: 2026-12-01\n"
        f"  fingerprint: {'a' * 64}\n---\n{SPANISH_BODY}"
    )
    with pytest.raises(ContentError) as refused:
        import_content(tmp_path)
    assert "es/lonely.md: slug: there is no English page 'lonely'" in str(refused.value)
    assert not Article.objects.exists()


# --- search in Spanish ---------------------------------------------------------------------------------
def _found(client, query: str) -> list[str]:
    import re

    return re.findall(r'<h2><a href="/es/tms/([\w-]+)/">', client.get("/es/search/", {"q": query}).content.decode())


def test_spanish_search_finds_words_with_or_without_accents_and_by_stem(client, make_article, translate):
    english = make_article(slug="page")
    translate(english)
    for query in ("depresión", "depresion", "DEPRESION", "convulsión", "convulsiones", "pulso", "magnetico"):
        assert _found(client, query) == ["page"], query
    assert _found(client, "xilófono") == []


def test_spanish_search_reads_only_spanish_pages_and_english_search_only_english(client, make_article, translate):
    english = make_article(slug="page", body=BODY.replace("Some text about it.", "Seizures are rare."))
    translate(english)
    assert _found(client, "seizures") == []
    html = client.get("/search/", {"q": "convulsiones"}).content.decode()
    assert "No pages found" in html


def test_spanish_search_marks_the_matched_words(client, make_article, translate):
    translate(make_article(slug="page"))
    html = client.get("/es/search/", {"q": "depresion"}).content.decode()
    assert "<mark>depresión</mark>" in html


def test_spanish_search_says_more_than_when_it_finds_more_pages_than_it_shows(
    client, make_article, translate, monkeypatch
):
    from articles import search

    monkeypatch.setattr(search, "PAGE_SIZE", 2)
    monkeypatch.setattr(search, "MAX_PAGES", 1)
    monkeypatch.setattr(search, "COUNTED", 3)
    for n in range(3):
        translate(make_article(slug=f"page-{n}"))
    html = client.get("/es/search/", {"q": "convulsiones"}).content.decode()
    assert "Se encontraron más de 2 páginas para <strong>“convulsiones”</strong>." in html
    html = client.get("/es/search/", {"q": "convulsiones xilófono"}).content.decode()
    assert "Más de 2 páginas tienen algunas." in html


def test_the_spanish_edition_is_exported_with_its_english_source(tmp_path, make_article, translate):
    english = make_article(slug="page")
    translate(english)
    call_command("export_content", str(tmp_path), verbosity=0)
    text = (tmp_path / "es" / "page.md").read_text()
    assert "translation_of:\n" in text and english.fingerprint in text and "topic:" not in text


# --- what readers see -------------------------------------------------------------------------------
def test_the_spanish_page_says_plainly_when_its_english_page_has_moved_on(
    client, make_article, translate, reviewer, django_user_model
):
    boss = django_user_model.objects.create_superuser("boss")
    english = make_article(slug="page", reviewer=reviewer, reviewed_on=dt.date(2026, 10, 1))
    translate(english, source_updated_on=dt.date(2026, 11, 1))
    assert "Esta traducción corresponde" not in client.get("/es/tms/page/").content.decode()
    english.body = BODY.replace("Some text about it.", "Some new text about it.")
    workflow.article_save(article=english, change=workflow.CLINICAL, user=boss)
    workflow.sign_off(english, reviewer=reviewer, next_review_due=dt.date(2027, 12, 1), user=boss,
                      expected_version=english.version, publish=True)  # fmt: skip
    html = client.get("/es/tms/page/").content.decode()  # the very next request
    assert "Esta traducción corresponde a una versión anterior de la página en inglés, del" in html
    assert 'href="/tms/page/" hreflang="en">Lea la página actual en inglés</a>' in html
    assert "Esta traducción corresponde" in client.get("/es/tms/page/print/").content.decode()


def _alternates(html: str) -> dict[str, str]:
    import re

    return dict(re.findall(r'<link rel="alternate" hreflang="([\w-]+)" href="([^"]+)">', html))


def test_hreflang_alternates_are_reciprocal_and_only_for_published_translations(client, make_article, translate):
    translated = make_article(slug="translated")
    translate(translated)
    make_article(slug="english-only")
    english, spanish = (
        client.get("/tms/translated/").content.decode(),
        client.get("/es/tms/translated/").content.decode(),
    )
    assert (
        _alternates(english)
        == _alternates(spanish)
        == {
            "en-US": "http://127.0.0.1:8000/tms/translated/",
            "es-US": "http://127.0.0.1:8000/es/tms/translated/",
            "x-default": "http://127.0.0.1:8000/tms/translated/",
        }
    )
    assert _alternates(client.get("/tms/english-only/").content.decode()) == {}
    assert _alternates(client.get("/").content.decode())["es-US"] == "http://127.0.0.1:8000/es/"


def test_every_page_links_to_itself_in_the_other_language_or_to_the_other_edition(client, make_article, translate):
    translate(make_article(slug="translated"))
    make_article(slug="english-only")
    assert (
        'href="/es/tms/translated/" hreflang="es-US" lang="es">Español</a>'
        in client.get("/tms/translated/").content.decode()
    )
    assert (
        'href="/tms/translated/" hreflang="en-US" lang="en">English</a>'
        in client.get("/es/tms/translated/").content.decode()
    )
    assert 'href="/es/" hreflang="es-US" lang="es">Información en español</a>' in (
        client.get("/tms/english-only/").content.decode()
    )
    assert 'href="/es/help/" hreflang="es-US" lang="es">Español</a>' in client.get("/help/").content.decode()


def test_a_later_page_of_results_links_to_the_other_edition_s_first_page(client, make_article):
    """The editions page their lists apart: page 2 of English results may not exist in Spanish."""
    for n in range(12):
        make_article(slug=f"page-{n}", title=f"Seizure page {n}")
    html = client.get("/search/?q=seizure&page=2").content.decode()
    assert "(page 2 of 2)" in html
    assert 'href="/es/search/?q=seizure" hreflang="es-US" lang="es">Español</a>' in html
    assert 'rel="alternate" hreflang' not in html  # no counterpart to name
    assert 'rel="alternate" hreflang="es-US"' in client.get("/search/?q=seizure").content.decode()


def test_the_sitemap_lists_both_editions_with_reciprocal_alternates(client, make_article, translate):
    import xml.etree.ElementTree as ET

    translate(make_article(slug="translated"))
    make_article(slug="english-only")
    ns = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    root = ET.fromstring(client.get("/sitemap-articles.xml").content)
    urls = {u.findtext("sm:loc", namespaces=ns): {a.get("hreflang"): a.get("href") for a in u.findall("x:link", ns)}
            for u in root.findall("sm:url", ns)}  # fmt: skip
    base = "http://127.0.0.1:8000"
    assert set(urls) == {f"{base}/tms/translated/", f"{base}/es/tms/translated/", f"{base}/tms/english-only/"}
    expected = {"en-US": f"{base}/tms/translated/", "es-US": f"{base}/es/tms/translated/"}
    assert (
        urls[f"{base}/tms/translated/"]
        == urls[f"{base}/es/tms/translated/"]
        == {**expected, "x-default": f"{base}/tms/translated/"}
    )
    assert urls[f"{base}/tms/english-only/"] == {}


def test_there_is_a_spanish_feed(client, make_article, translate):
    translate(make_article(slug="translated"), title="Una página traducida")
    feed = client.get("/es/feed/").content.decode()
    assert 'xml:lang="es-US"' in feed and "Una página traducida" in feed and "/es/tms/translated/" in feed
    assert "Una página traducida" not in client.get("/feed/").content.decode()


def test_every_link_between_spanish_pages_opens_a_spanish_page_and_section_that_exist():
    import re
    from pathlib import Path

    from django.conf import settings

    from articles.content import load_directory
    from articles.markdown import render_markdown

    files = [f for f in load_directory(Path(settings.BASE_DIR) / "content") if f.meta["language"] == "es"]
    ids = {f.meta["slug"]: {e["id"] for e in render_markdown(f.body).toc} for f in files}
    checked = 0
    for f in files:
        for href in re.findall(r'href="([^"]+)"', render_markdown(f.body).html):
            if href.startswith("/tms/"):
                pytest.fail(f"es/{f.path.name}: {href} leaves the Spanish edition")
            match = re.fullmatch(r"/es/tms/([\w-]+)/(?:#([\w-]+))?", href)
            if match:
                slug, section = match.groups()
                assert slug in ids, f"es/{f.path.name}: no Spanish page {href}"
                assert not section or section in ids[slug], f"es/{f.path.name}: no section {href}"
                checked += 1
    assert checked > 50
