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
