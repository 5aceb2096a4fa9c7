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
    assert [p.name for p in checked] == sorted(p.name for p in CONTENT.glob("*.md"))


@pytest.mark.django_db
def test_streamed_import_writes_every_page_and_a_second_run_changes_nothing():
    first = import_content(CONTENT)
    assert len(first.created) == len(list(CONTENT.glob("*.md"))) == Article.objects.count()
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
