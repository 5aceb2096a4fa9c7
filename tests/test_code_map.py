"""The code map is content: kept by editors in the admin, in history, and in content/code-map.yaml,
imported and exported with the pages under the same rules (check everything first, one
``file: field: reason`` line per problem, nothing written when there is one)."""

import shutil

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from articles import workflow
from articles.content import ContentError, export_content, import_content
from articles.models import Article, CodeMapEntry, CodeMapPage
from tests.conftest import CONTENT_DIR
from tests.test_content import GOOD, write

pytestmark = pytest.mark.django_db
ICD10CM = "2.16.840.1.113883.6.90"
MAP = "code-map.yaml"


def stored_map() -> list[tuple]:
    return [
        (e.system, e.code, e.name, e.note, tuple(p.article.slug for p in e.pages.all()))
        for e in CodeMapEntry.objects.prefetch_related("pages__article").order_by("system", "code")
    ]


def test_the_shipped_map_imports_and_exports_back_to_the_same_file(tmp_path):
    report = import_content(CONTENT_DIR)
    assert report.code_map.created and not report.code_map.updated
    export_content(tmp_path)
    assert (tmp_path / MAP).read_text(encoding="utf-8") == (CONTENT_DIR / MAP).read_text(encoding="utf-8")
    again = import_content(tmp_path)
    assert again.code_map.created == again.code_map.updated == again.code_map.removed == []


def test_every_page_the_shipped_map_names_is_a_published_page():
    import_content(CONTENT_DIR)
    named = set(CodeMapPage.objects.values_list("article__slug", flat=True))
    assert named and named <= set(Article.objects.published().values_list("slug", flat=True))


BAD_MAP = """\
- system: ICD-10-CM
  code: F33
  name: Major depressive disorder, recurrent
  pages: [good]
- system: ICD-11
  code: 6A70
  name: Single episode depressive disorder
  pages: [good]
- system: ICD-10-CM
  code: 33.1
  name: Not a code
  pages: []
- system: ICD-10-CM
  code: f33
  name: The same code again
  pages: [good]
- system: CPT
  code: "90868"
  name: TMS treatment, later session
  pages: [good, no-such-page]
- system: SNOMED CT
  code: "370143000"
  pages: [good]
  colour: blue
"""


def test_a_bad_map_stops_the_import_with_one_line_per_problem_and_changes_nothing(tmp_path, make_article):
    make_article(slug="existing")
    before_pages = list(Article.objects.values_list("slug", flat=True))
    write(tmp_path, "good.md", GOOD.format(slug="good"))
    write(tmp_path, MAP, BAD_MAP)
    with pytest.raises(ContentError) as excinfo:
        import_content(tmp_path)
    lines = [str(p) for p in excinfo.value.problems]
    expected = [
        "code-map.yaml: entry 2 system: 'ICD-11' is not one of",
        "code-map.yaml: entry 3 code: '33.1' is not written the way ICD-10-CM writes its codes",
        "code-map.yaml: entry 4 code: ICD-10-CM F33 is already entry 1",
        "code-map.yaml: entry 6 name: missing key",
        "code-map.yaml: entry 6 colour: unknown key",
        "code-map.yaml: (CPT 90868) pages: 'no-such-page' is not a page in this folder or the database",
    ]
    for start in expected:
        assert any(line.startswith(start) for line in lines), (start, lines)
    assert len(lines) == len(expected), lines
    assert list(Article.objects.values_list("slug", flat=True)) == before_pages  # not even good.md
    assert not CodeMapEntry.objects.exists()


def test_the_command_prints_the_problems_and_imports_nothing(tmp_path, capsys):
    write(tmp_path, "good.md", GOOD.format(slug="good"))
    write(tmp_path, MAP, "- system: CPT\n  code: nope\n  name: x\n  pages: []\n")
    with pytest.raises(Exception, match="nothing was imported"):
        call_command("import_content", str(tmp_path))
    assert "code-map.yaml: entry 1 code: 'nope' is not written the way CPT writes its codes" in capsys.readouterr().err
    assert not Article.objects.exists()


def test_the_file_is_the_whole_map_unless_only_new_pages_are_asked_for(tmp_path):
    write(tmp_path, "good.md", GOOD.format(slug="good"))
    write(tmp_path, MAP, "- {system: ICD-10-CM, code: F33, name: Recurrent, pages: [good]}\n")
    import_content(tmp_path)
    CodeMapEntry.objects.filter(code="F33").update(name="Edited in the admin")
    extra = CodeMapEntry.objects.create(system=ICD10CM, code="F32", name="Added in the admin")
    only_new = import_content(tmp_path, only_new=True)
    assert only_new.code_map.kept == ["ICD-10-CM F33"] and CodeMapEntry.objects.filter(pk=extra.pk).exists()
    assert CodeMapEntry.objects.get(code="F33").name == "Edited in the admin"
    full = import_content(tmp_path)
    assert full.code_map.updated == ["ICD-10-CM F33"] and full.code_map.removed == ["ICD-10-CM F32"]
    assert stored_map() == [(ICD10CM, "F33", "Recurrent", "", ("good",))]
    assert CodeMapEntry.history.filter(code="F32", history_type="-").exists()  # history keeps what was removed


def test_a_folder_without_a_map_leaves_the_map_alone(tmp_path):
    shutil.copy(CONTENT_DIR / "what-is-tms.md", tmp_path)
    CodeMapEntry.objects.create(system=ICD10CM, code="F33", name="Kept")
    report = import_content(tmp_path)
    assert report.code_map is None and CodeMapEntry.objects.filter(name="Kept").exists()


# --- the admin ------------------------------------------------------------------------------------
def editor(client, django_user_model):
    user = django_user_model.objects.create_user("map-editor", is_staff=True)
    user.groups.add(Group.objects.get(name=workflow.EDITORS))
    client.force_login(user)
    return user


def entry_form(code: str, articles, **fields) -> dict:
    data = {"system": ICD10CM, "code": code, "name": "Major depressive disorder, recurrent", "note": "", **fields}
    data |= {"pages-TOTAL_FORMS": str(len(articles)), "pages-INITIAL_FORMS": "0"}
    for n, article in enumerate(articles):
        data |= {f"pages-{n}-article": str(article.pk), f"pages-{n}-position": str(n)}
    return data


def test_an_editor_keeps_the_map_in_the_admin_and_history_records_who(client, django_user_model, make_article):
    user = editor(client, django_user_model)
    first, second = make_article(slug="first"), make_article(slug="second")
    response = client.post(reverse("admin:articles_codemapentry_add"), entry_form("f331", [second, first]))
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = CodeMapEntry.objects.get()
    assert entry.code == "F33.1"  # written the one way /connect/ looks it up
    assert [p.article.slug for p in entry.pages.all()] == ["second", "first"]
    assert entry.history.get().history_user == user
    assert CodeMapPage.history.filter(history_user=user).count() == 2
    change = client.get(reverse("admin:articles_codemapentry_change", args=[entry.pk])).content.decode()
    assert "Answers now with" in change and "Page " in change  # the published pages it answers with today


def test_the_admin_refuses_a_code_that_is_not_written_like_one(client, django_user_model):
    editor(client, django_user_model)
    response = client.post(reverse("admin:articles_codemapentry_add"), entry_form("F3", []))
    assert response.status_code == 200
    assert "not written the way ICD-10-CM writes its codes" in response.content.decode()
    assert not CodeMapEntry.objects.exists()


def test_the_integrators_guide_lists_every_code_in_the_shipped_map():
    import yaml

    guide = (CONTENT_DIR.parent / "docs" / "connect.md").read_text(encoding="utf-8")
    for entry in yaml.safe_load((CONTENT_DIR / MAP).read_text(encoding="utf-8")):
        assert f"`{entry['code']}`" in guide, entry["code"]
