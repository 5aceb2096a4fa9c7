"""Old addresses keep working (issue 19, item 7).

A renamed page's old address redirects with its query string (tracking parameters, a QR code's
``?section=``), and so do its old handout and QR addresses. A new page or a draft may not take
an address a redirect still uses unless the editor is told and chooses to; the import refuses.
"""

import pytest
from django.contrib.auth.models import Group
from django.contrib.redirects.models import Redirect
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from articles import workflow
from articles.models import Article
from tests.test_content import GOOD, snapshot, write

pytestmark = pytest.mark.django_db
ADD = reverse("admin:articles_article_add")


@pytest.fixture
def editor_client(client, django_user_model):
    user = django_user_model.objects.create_user("edna", is_staff=True)
    user.groups.add(Group.objects.get(name=workflow.EDITORS))
    client.force_login(user)
    return client


@pytest.fixture
def renamed(make_article):
    """A published page first at /tms/sessions/, now at /tms/how-sessions-work/."""
    article = make_article(slug="sessions", title="How sessions work")
    article.slug = "how-sessions-work"
    workflow.article_save(article=article, change=workflow.EDITORIAL)
    return article


def new_page_form(slug: str, **extra) -> dict:
    return {
        "title": "A new page", "slug": slug, "summary": "A summary.", "status": "draft", "topic": "basics",
        "order": "7", "updated_on": "2026-11-01", "body": "## Key points {#key-points}\n\n- A new point.",
        "public_note": "", "base_version": "", **extra,
    }  # fmt: skip


@pytest.mark.parametrize(
    "old,new",
    [
        ("/tms/sessions/?utm_source=leaflet&utm_medium=qr", "/tms/how-sessions-work/?utm_source=leaflet&utm_medium=qr"),
        ("/tms/sessions/?section=key-points", "/tms/how-sessions-work/?section=key-points"),
        ("/tms/sessions/print/", "/tms/how-sessions-work/print/"),
        ("/tms/sessions/print/?utm_campaign=clinic", "/tms/how-sessions-work/print/?utm_campaign=clinic"),
        ("/tms/sessions/qr.svg", "/tms/how-sessions-work/qr.svg"),
        ("/tms/sessions/qr.svg?section=key-points", "/tms/how-sessions-work/qr.svg?section=key-points"),
        ("/tms/sessions", "/tms/how-sessions-work/"),
    ],
)  # fmt: skip
def test_old_addresses_redirect_with_their_query_string(client, renamed, old, new):
    response = client.get(old, follow=False)
    assert (response.status_code, response.get("Location")) == (301, new)
    assert client.get(new).status_code == 200


def test_a_page_renamed_twice_sends_its_first_handout_address_straight_to_the_latest(client, renamed):
    renamed.slug = "sessions-explained"
    workflow.article_save(article=renamed, change=workflow.EDITORIAL)
    response = client.get("/tms/sessions/print/")
    assert (response.status_code, response["Location"]) == (301, "/tms/sessions-explained/print/")
    assert Redirect.objects.count() == 2  # one row per old page address; handout and QR follow it


def test_an_address_no_page_ever_had_still_answers_404(client, renamed):
    assert client.get("/tms/never-existed/print/").status_code == 404
    assert client.get("/tms/never-existed/?utm_source=x").status_code == 404


def test_a_new_page_may_not_take_a_redirected_address_until_the_editor_chooses_to(editor_client, client, renamed):
    response = editor_client.post(ADD, new_page_form("sessions"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "/tms/sessions/ is an old address of another page: it forwards to /tms/how-sessions-work/" in html
    assert 'name="take_redirected_address"' in html and "A new point." in html  # told, offered, nothing lost
    assert not Article.objects.filter(title="A new page").exists()
    assert client.get("/tms/sessions/")["Location"] == "/tms/how-sessions-work/"

    assert editor_client.post(ADD, new_page_form("sessions", take_redirected_address="on")).status_code == 302
    assert Article.objects.get(slug="sessions").title == "A new page"
    assert not Redirect.objects.filter(old_path="/tms/sessions/").exists()


def test_a_draft_renamed_onto_a_redirected_address_is_told_too(editor_client, renamed, make_article):
    draft = make_article(slug="draft-page", status=Article.Status.DRAFT)
    data = {**new_page_form("sessions"), "title": draft.title, "base_version": draft.version, "change_kind": "clinical"}
    response = editor_client.post(reverse("admin:articles_article_change", args=[draft.pk]), data)
    assert response.status_code == 200 and "is an old address of another page" in response.content.decode()
    draft.refresh_from_db()
    assert draft.slug == "draft-page"


def test_the_admin_form_offers_no_checkbox_before_it_is_needed(editor_client):
    assert 'name="take_redirected_address"' not in editor_client.get(ADD).content.decode()


def test_a_renamed_page_may_take_back_its_own_old_address_without_asking(editor_client, renamed):
    data = {**new_page_form("sessions"), "title": renamed.title, "status": "published", "change_kind": "editorial",
            "base_version": renamed.version, "body": renamed.body}  # fmt: skip
    response = editor_client.post(reverse("admin:articles_article_change", args=[renamed.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    renamed.refresh_from_db()
    assert renamed.slug == "sessions"


def test_the_import_refuses_a_file_at_a_redirected_address_and_changes_nothing(tmp_path, renamed, capsys):
    write(tmp_path, "sessions.md", GOOD.format(slug="sessions"))
    write(tmp_path, "fine.md", GOOD.format(slug="fine"))
    before = snapshot()
    with pytest.raises(CommandError):
        call_command("import_content", str(tmp_path))
    assert capsys.readouterr().err.splitlines()[0] == (
        "sessions.md: slug: 'sessions' is an old address of another page (/tms/sessions/ forwards to "
        "/tms/how-sessions-work/); choose another slug, or delete that redirect in the admin first"
    )
    assert snapshot() == before
