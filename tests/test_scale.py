"""Scale promises that hold at any size (the 10,000-article figures come from make bench)."""

from pathlib import Path

import pytest
from django.conf import settings

from articles.content import import_content, load_directory
from articles.models import Article

CONTENT = Path(settings.BASE_DIR) / "content"


def test_checking_a_content_folder_keeps_paths_not_bodies():
    """Import checks every file first without holding them all: memory stays flat at 10,000 files."""
    checked = load_directory(CONTENT, keep=False)
    assert checked and all(isinstance(item, Path) for item in checked)
    english, spanish = sorted(CONTENT.glob("*.md")), sorted(CONTENT.glob("es/*.md"))
    assert checked == english + spanish  # the English pages first: a translation needs its page


@pytest.mark.django_db
def test_streamed_import_writes_every_page_and_a_second_run_changes_nothing():
    first = import_content(CONTENT)
    assert len(first.created) == len(list(CONTENT.glob("**/*.md"))) == Article.objects.count()
    again = import_content(CONTENT)
    assert again.created == again.updated == [] and len(again.unchanged) == Article.objects.count()


@pytest.mark.django_db
def test_home_and_related_lists_stay_short_however_many_pages_there_are(client, make_article):
    from articles.views import HOME_PAGES_PER_TOPIC, RELATED_PAGES

    for n in range(HOME_PAGES_PER_TOPIC + 5):
        make_article(slug=f"basics-{n:02d}", title=f"Basics page {n:02d}", topic="basics", order=n)
    home = client.get("/").content.decode()
    assert home.count('href="/tms/basics-') == HOME_PAGES_PER_TOPIC
    assert f'<a href="/topics/basics/">See all {HOME_PAGES_PER_TOPIC + 5} pages on' in home  # the rest, a click away
    article = client.get("/tms/basics-10/").content.decode()
    related = article.split('id="related-heading"', 1)[1].split("</nav>", 1)[0]
    assert related.count("<li>") == RELATED_PAGES
    assert 'href="/tms/basics-09/"' in related and 'href="/tms/basics-11/"' in related  # its neighbours


@pytest.mark.django_db
def test_a_large_import_renders_in_worker_processes_exactly_as_a_save_does(tmp_path, monkeypatch):
    """Past PARALLEL_FROM files the bodies are rendered by worker processes while the previous
    batch is written; every page must come out as if it had been saved on its own."""
    from articles import content
    from articles.derived import PARALLEL_FROM
    from articles.search import query_parse, search_articles

    monkeypatch.setattr(content, "IMPORT_BATCH", 16)  # several batches, so they overlap
    sources = sorted(CONTENT.glob("*.md"))
    slugs = []
    for n in range(PARALLEL_FROM + 10):
        source = sources[n % len(sources)]
        _, front, body = source.read_text(encoding="utf-8").split("---\n", 2)
        slugs.append(f"many-{n:03d}-{source.stem}")
        front = front.replace(f"slug: {source.stem}\n", f"slug: {slugs[-1]}\n")
        own = f"Page number {n} has the word zebra{n} of its own.\n\n"
        (tmp_path / f"{slugs[-1]}.md").write_text(f"---\n{front}---\n{own}{body}", encoding="utf-8")
    report = import_content(tmp_path)
    assert sorted(report.created) == sorted(slugs) == sorted(Article.objects.values_list("slug", flat=True))
    fields = ("body_html", "toc", "plain_text", "word_count", "reading_grade")
    for article in Article.objects.all():
        stored = [getattr(article, name) for name in fields]
        article.render()
        assert stored == [getattr(article, name) for name in fields], article.slug
    for n in (0, len(slugs) - 1):
        assert [hit.slug for hit in search_articles(query_parse(f"zebra{n}")).hits] == [slugs[n]]
