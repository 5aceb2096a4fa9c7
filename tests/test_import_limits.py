"""The import refuses hostile files cleanly (issue 19, item 8).

YAML alias expansion, files past the size limit, numbers out of range, over-long fields and
bodies past the renderer's limits each give one clear `file: field: reason` line, quickly and
without reading more than the size limit; the database is unchanged. Slugs follow the admin's
own rule, so every export imports again.
"""

import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from articles import markdown as renderer
from articles.content import MAX_FILE_BYTES, ContentError, export_content, import_content
from articles.models import Article
from tests.test_content import GOOD, snapshot, write

pytestmark = pytest.mark.django_db

LAUGHS = "\n".join(
    ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    + [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 10)]
)
HOSTILE = {
    "billion laughs": (
        GOOD.format(slug="bad").replace("title: \"A page: with a colon\"", LAUGHS + "\ntitle: *a9"),
        "(front matter)", "uses a YAML alias",
    ),
    "a file past the size limit": (
        GOOD.format(slug="bad") + "word " * (MAX_FILE_BYTES // 5), "(file)", "is larger than 512 KB",
    ),
    "an order past what the database holds": (
        GOOD.format(slug="bad").replace("order: 3", "order: 100000000000000000000"), "order", "at most 2,147,483,647",
    ),
    "a negative order": (GOOD.format(slug="bad").replace("order: 3", "order: -1"), "order", "0 or more"),
    "a title that is a list": (
        GOOD.format(slug="bad").replace("title: \"A page: with a colon\"", "title: [a, b]"), "title", "plain text",
    ),
    "a reviewer name of 300 characters": (
        GOOD.format(slug="bad").replace("reviewer:\n", f"reviewer: {'R' * 300}\n")
        .replace("reviewer_credentials:\n", "reviewer_credentials: MD\n")
        .replace("reviewed_on:\n", "reviewed_on: 2026-10-01\n"),
        "reviewer", "is 300 characters; at most 200",
    ),
    "credentials of 201 characters": (
        GOOD.format(slug="bad").replace("reviewer:\n", "reviewer: Dr A\n")
        .replace("reviewer_credentials:\n", f"reviewer_credentials: {'M' * 201}\n")
        .replace("reviewed_on:\n", "reviewed_on: 2026-10-01\n"),
        "reviewer_credentials", "at most 200",
    ),
    "front matter nested 100,000 deep": (
        GOOD.format(slug="bad").replace("title: \"A page: with a colon\"", "title: " + "[" * 100_000),
        "(front matter)", "has 100,000 “[” or “{”",
    ),
    "a body nested 1,000 deep": (GOOD.format(slug="bad") + "- " * 1000 + "x\n", "body", "nested 1000 levels deep"),
    "a body of 5,000 brackets": (GOOD.format(slug="bad") + "[" * 5000 + "\n", "body", "5000 brackets"),
}  # fmt: skip


@pytest.mark.parametrize("case", HOSTILE, ids=HOSTILE.keys())
def test_a_hostile_file_gets_one_clear_line_quickly_and_changes_nothing(tmp_path, make_article, capsys, case):
    make_article(slug="existing", title="Existing")
    before = snapshot()
    text, field, reason = HOSTILE[case]
    write(tmp_path, "good.md", GOOD.format(slug="good"))
    write(tmp_path, "bad.md", text)
    started = time.monotonic()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_content", str(tmp_path))
    assert time.monotonic() - started < 5
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"bad.md: {field}: ") and reason in lines[0], lines
    assert len(lines[0]) < 400
    assert snapshot() == before


@pytest.mark.parametrize("slug", ["a" * 101, "two words", "caf\u00e9", "a/b"])
def test_a_slug_the_admin_would_refuse_is_refused_with_its_reason(tmp_path, slug):
    write(tmp_path, "bad.md", GOOD.format(slug=f'"{slug}"'))
    with pytest.raises(ContentError) as refused:
        import_content(tmp_path)
    (problem,) = refused.value.problems
    assert (problem.file, problem.field) == ("bad.md", "slug") and "not a page address the admin accepts" in str(
        problem
    )
    assert not Article.objects.exists()


def test_every_slug_the_admin_accepts_exports_and_imports_again(tmp_path, make_article):
    for slug in ("Sessions_2", "tms-2027", "a" * 100, "_draft"):
        make_article(slug=slug)
    export_content(tmp_path)
    before = snapshot()
    report = import_content(tmp_path)
    assert len(report.unchanged) == 4 and snapshot() == before


def test_a_body_within_every_check_that_renders_too_long_is_named_and_nothing_is_written(
    tmp_path, make_article, monkeypatch
):
    make_article(slug="existing", title="Existing")
    before = snapshot()
    monkeypatch.setattr(renderer, "RENDER_SECONDS", 0.02)
    write(tmp_path, "fine.md", GOOD.format(slug="fine"))
    write(tmp_path, "slow.md", GOOD.format(slug="slow") + "\n" + ("- " * 12 + "x\n") * 1900)
    with pytest.raises(ContentError) as refused:
        import_content(tmp_path)
    assert [f"{p.file}: {p.field}" for p in refused.value.problems] == ["slow.md: body"]
    assert "too long to render" in str(refused.value)
    assert snapshot() == before
