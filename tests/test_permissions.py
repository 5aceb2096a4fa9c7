"""Who may do what: every admin URL, the editor's preview endpoints and every state-changing admin
action, for each kind of visitor; and pages that are not published stay invisible to the public.

Roles: anonymous, a signed-in reader (not staff), staff with no permissions, an editor (the
"Editors" group), a medical reviewer (the "Medical reviewers" group, linked to a reviewer
profile) and a superuser (also linked to a reviewer profile, so they can sign off).
The expectations are written out here, not derived from the groups' permissions, so a change to
what a role may do has to change this file too.
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.urls import reverse
from django.utils import timezone

from articles import workflow
from articles.models import Article, CodeMapEntry, Feedback, PageChange, Reviewer

pytestmark = pytest.mark.django_db
ADMIN = f"/{settings.ADMIN_PATH}"
LOGIN = reverse("admin:login")
ROLES = ["anonymous", "reader", "staff", "editor", "reviewer", "superuser"]
EDITORIAL = {"editor", "reviewer", "superuser"}
# Models whose admin never offers "add" (records written by the system).
NO_ADD = {"axes.accessattempt", "axes.accesslog", "axes.accessfailurelog", "articles.pagechange", "articles.feedback"}


@pytest.fixture
def as_role(client, django_user_model):
    """A client signed in as the role (client.user is the user, None when anonymous)."""

    def login(role: str):
        client.user = None
        if role == "anonymous":
            return client
        flags = {"staff": {"is_staff": True}, "editor": {"is_staff": True}, "reviewer": {"is_staff": True},
                 "superuser": {"is_staff": True, "is_superuser": True}}.get(role, {})  # fmt: skip
        user = django_user_model.objects.create_user(f"{role}-user", **flags)
        group = {"editor": workflow.EDITORS, "reviewer": workflow.MEDICAL_REVIEWERS}.get(role)
        if group:
            user.groups.add(Group.objects.get(name=group))
        if role in ("reviewer", "superuser"):
            Reviewer.objects.create(name=f"Dr {role.title()}", credentials="MD", user=user)
        client.force_login(user)
        client.user = user
        return client

    return login


@pytest.fixture
def objects(make_article, reviewer, django_user_model):
    """One saved object for every model the admin manages, and articles in each workflow state."""
    page = make_article(slug="page", title="Original title")
    page.title = "Retitled"
    workflow.article_save(article=page, change=workflow.CLINICAL)
    gone = make_article(slug="deleted-page", title="Deleted page")
    gone._change_reason = "Deleted"
    gone.delete()
    made = {
        "articles.article": page,
        "articles.reviewer": reviewer,
        "articles.pagechange": PageChange.objects.create(article=page, kind="editorial", note="Fixed a typo"),
        "articles.codemapentry": CodeMapEntry.objects.create(
            system="2.16.840.1.113883.6.90", code="F33", name="Major depressive disorder, recurrent"
        ),
        "articles.feedback": Feedback.objects.create(
            article=page, version=1, reason="wrong", text="The number of sessions is out of date."
        ),
        "auth.user": django_user_model.objects.create_user("someone"),
        "auth.group": Group.objects.create(name="Some group"),
        "sites.site": Site.objects.get_current(),
        "redirects.redirect": Redirect.objects.create(site_id=settings.SITE_ID, old_path="/old/", new_path="/new/"),
        "axes.accessattempt": AccessAttempt.objects.create(
            username="x", ip_address="192.0.2.1", failures_since_start=1
        ),
        "axes.accesslog": AccessLog.objects.create(username="x", ip_address="192.0.2.1"),
        "draft": make_article(slug="draft-page", status=Article.Status.DRAFT),
        "in_review": make_article(slug="review-page", status=Article.Status.IN_REVIEW),
        "first_revision": page.history.order_by("history_id").first(),
        "deleted_revision": workflow.deleted_revisions().get(slug="deleted-page"),
    }
    missing = {m._meta.label_lower for m in admin.site._registry} - set(made) - {"axes.accessfailurelog"}
    assert not missing, f"add an object for {missing} so its admin pages are in the matrix"
    return made


def admin_urls(objects) -> list[tuple[str, str, str]]:
    """(model label, page, url) for every page of every registered model admin, and the
    article admin's own workflow pages."""
    urls = []
    for model in admin.site._registry:
        label, info = model._meta.label_lower, (model._meta.app_label, model._meta.model_name)
        urls.append((label, "changelist", reverse("admin:{}_{}_changelist".format(*info))))
        if label not in NO_ADD:
            urls.append((label, "add", reverse("admin:{}_{}_add".format(*info))))
        if label in objects:
            pk = objects[label].pk
            for page in ("change", "delete", "history"):
                urls.append((label, page, reverse(f"admin:{info[0]}_{info[1]}_{page}", args=[pk])))
    page, first = objects["articles.article"], objects["first_revision"]
    latest = page.history.order_by("-history_id").first()
    urls += [
        ("articles.article", "sign-off", reverse("admin:articles_article_sign_off", args=[page.pk])),
        ("articles.article", "preview", reverse("admin:articles_article_preview", args=[page.pk])),
        ("articles.article", "preview", reverse("admin:articles_article_preview", args=[objects["draft"].pk])),
        (
            "articles.article",
            "compare",
            reverse("admin:articles_article_compare", args=[page.pk])
            + f"?from={first.history_id}&to={latest.history_id}",
        ),
        ("articles.article", "restore", reverse("admin:articles_article_restore", args=[page.pk, first.history_id])),
        ("articles.article", "recover", reverse("admin:articles_article_recover_list")),
        ("articles.feedback", "by-page", reverse("admin:articles_feedback_by_page")),
    ]
    return urls


# What each editorial role may open in the admin (everything else: 403).
EDITOR_PAGES = {
    "articles.article": {"changelist", "add", "change", "history", "preview", "compare", "restore", "recover"},
    "articles.reviewer": {"changelist", "change", "history"},  # view only
    "articles.pagechange": {"changelist", "change", "history"},
    # The code map (/connect/) is editors' content: every editorial role keeps it.
    "articles.codemapentry": {"changelist", "add", "change", "delete", "history"},
    # Reader feedback: read it and mark it handled; nobody adds it, only a superuser deletes it.
    "articles.feedback": {"changelist", "change", "history", "by-page"},
}
REVIEWER_PAGES = {
    "articles.article": EDITOR_PAGES["articles.article"] | {"sign-off"},
    "articles.reviewer": {"changelist", "change", "history"},  # view only: profiles are the administrators'
    "articles.pagechange": {"changelist", "change", "history", "delete"},
    "articles.codemapentry": EDITOR_PAGES["articles.codemapentry"],
    "articles.feedback": EDITOR_PAGES["articles.feedback"],
}


def expected_status(role: str, label: str, page: str) -> int | str:
    if role in ("anonymous", "reader"):
        return "login"
    if role == "superuser":
        return 200
    allowed = {"staff": {}, "editor": EDITOR_PAGES, "reviewer": REVIEWER_PAGES}[role]
    return 200 if page in allowed.get(label, set()) else 403


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(LOGIN)


@pytest.mark.parametrize("role", ROLES)
def test_every_admin_page_answers_each_role_as_it_should(as_role, objects, role):
    client = as_role(role)
    wrong = []
    for label, page, url in admin_urls(objects):
        response = client.get(url)
        expected = expected_status(role, label, page)
        ok = is_login_redirect(response) if expected == "login" else response.status_code == expected
        if not ok:
            wrong.append((label, page, url, response.status_code, expected))
    assert wrong == []


@pytest.mark.parametrize("role", ROLES)
def test_admin_index_and_password_change(as_role, role):
    client = as_role(role)
    for url in (ADMIN, reverse("admin:password_change")):
        response = client.get(url)
        if role in ("anonymous", "reader"):
            assert is_login_redirect(response), url
        else:
            assert response.status_code == 200, url


@pytest.mark.parametrize("role", ROLES)
def test_the_markdown_preview_endpoint_is_for_staff_only(as_role, role):
    response = as_role(role).post("/markdownx/markdownify/", {"content": "## Hello"})
    if role in ("anonymous", "reader"):
        assert response.status_code == 404  # not a login redirect: that would name the admin path
    else:
        assert response.status_code == 200 and "<h2" in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_the_writing_aids_endpoint_is_for_those_who_write(as_role, role):
    response = as_role(role).post(reverse("admin:articles_article_writing_aids"), {"body": "Some words."})
    if role in ("anonymous", "reader"):
        assert is_login_redirect(response)
    else:
        assert response.status_code == (200 if role in EDITORIAL else 403)


@pytest.mark.parametrize("role", ROLES)
def test_image_upload_does_not_exist_for_anyone(as_role, role):
    assert as_role(role).post("/markdownx/upload/", {}).status_code == 404


# --- State-changing actions ----------------------------------------------------------------------


def article_form(article: Article | None, *, slug: str, title: str, status: str) -> dict:
    return {
        "title": title, "slug": slug, "summary": "A summary.", "status": status, "topic": "basics", "order": "1",
        "updated_on": "2026-11-01", "body": "## Key points {#key-points}\n\n- Point.",
        "base_version": str(article.version) if article else "", "change_kind": "clinical", "public_note": "",
    }  # fmt: skip


def sign_off_form(client, article: Article) -> dict:
    mine = Reviewer.objects.filter(user=client.user).first() if client.user else None
    signer = mine or Reviewer.objects.first()
    due = timezone.localdate() + timedelta(days=365)
    return {"reviewer": str(signer.pk), "next_review_due": due.isoformat(), "public_note": "",
            "version": str(article.version), "publish": "Approve and publish"}  # fmt: skip


def _article(o, key="articles.article"):
    return Article.objects.get(pk=o[key].pk)


# name: (url and data for the POST, whether it happened, the roles allowed to do it,
#        the answer to an editorial role that is not allowed: 403, or 200 where the form itself
#        refuses by not offering the choice)
ACTIONS = {
    "add article": (
        lambda c, o: (
            reverse("admin:articles_article_add"), article_form(None, slug="new", title="New", status="draft")
        ),
        lambda o: Article.objects.filter(slug="new").exists(),
        EDITORIAL, 403,
    ),
    "change article text": (
        lambda c, o: (
            reverse("admin:articles_article_change", args=[o["articles.article"].pk]),
            article_form(_article(o), slug="page", title="Changed title", status="published"),
        ),
        lambda o: Article.objects.filter(title="Changed title").exists(),
        EDITORIAL, 403,
    ),
    "submit for review": (
        lambda c, o: (
            reverse("admin:articles_article_change", args=[o["draft"].pk]),
            article_form(_article(o, "draft"), slug="draft-page", title="Draft", status="in_review"),
        ),
        lambda o: _article(o, "draft").status == "in_review",
        EDITORIAL, 403,
    ),
    "sign off and publish": (
        lambda c, o: (
            reverse("admin:articles_article_sign_off", args=[o["in_review"].pk]),
            sign_off_form(c, _article(o, "in_review")),
        ),
        lambda o: _article(o, "in_review").status == "published" and _article(o, "in_review").has_current_sign_off,
        {"reviewer", "superuser"}, 403,
    ),
    "take a published page down": (
        lambda c, o: (
            reverse("admin:articles_article_change", args=[o["articles.article"].pk]),
            {**article_form(_article(o), slug="page", title="Retitled", status="archived"),
             "body": _article(o).body, "summary": _article(o).summary, "updated_on": "2026-11-01"},
        ),
        lambda o: _article(o).status == "archived",
        {"reviewer", "superuser"}, 200,  # an editor is not offered "archived": the form refuses
    ),
    "restore an earlier revision": (
        lambda c, o: (
            reverse("admin:articles_article_restore", args=[o["articles.article"].pk, o["first_revision"].history_id]),
            {},
        ),
        lambda o: _article(o).title == "Original title",
        EDITORIAL, 403,
    ),
    "recover a deleted article": (
        lambda c, o: (reverse("admin:articles_article_recover", args=[o["deleted_revision"].history_id]), {}),
        lambda o: Article.objects.filter(slug="deleted-page").exists(),
        EDITORIAL, 403,
    ),
    "delete article": (
        lambda c, o: (reverse("admin:articles_article_delete", args=[o["articles.article"].pk]), {"post": "yes"}),
        lambda o: not Article.objects.filter(pk=o["articles.article"].pk).exists(),
        {"superuser"}, 403,
    ),
    "bulk delete articles": (
        lambda c, o: (
            reverse("admin:articles_article_changelist"),
            {"action": "delete_selected", "_selected_action": [o["articles.article"].pk], "post": "yes"},
        ),
        lambda o: not Article.objects.filter(pk=o["articles.article"].pk).exists(),
        {"superuser"}, 200,  # the action is not offered: the list comes back, nothing deleted
    ),
    "delete a page history entry": (
        lambda c, o: (reverse("admin:articles_pagechange_delete", args=[o["articles.pagechange"].pk]), {"post": "yes"}),
        lambda o: not PageChange.objects.filter(pk=o["articles.pagechange"].pk).exists(),
        {"reviewer", "superuser"}, 403,
    ),
    "add reviewer": (
        lambda c, o: (reverse("admin:articles_reviewer_add"), {"name": "Dr New", "credentials": "MD"}),
        lambda o: Reviewer.objects.filter(name="Dr New").exists(),
        {"superuser"}, 403,
    ),
    "rename a reviewer": (
        lambda c, o: (
            reverse("admin:articles_reviewer_change", args=[o["articles.reviewer"].pk]),
            {"name": "Dr Forged", "credentials": "MD, FRCP", "role": "", "profile_url": "",
             "conflicts_of_interest": ""},
        ),
        lambda o: Reviewer.objects.filter(name="Dr Forged").exists(),
        {"superuser"}, 403,
    ),
    "edit one's own reviewer profile": (
        lambda c, o: (
            reverse("admin:articles_reviewer_change", args=[Reviewer.objects.get(user=c.user).pk if c.user and
                    Reviewer.objects.filter(user=c.user).exists() else o["articles.reviewer"].pk]),
            {"name": "Dr Upgraded", "credentials": "MD, PhD, Professor", "role": "", "profile_url": "",
             "conflicts_of_interest": ""},
        ),
        lambda o: Reviewer.objects.filter(name="Dr Upgraded").exists(),
        {"superuser"}, 403,
    ),
    "delete reviewer": (
        lambda c, o: (reverse("admin:articles_reviewer_delete", args=[o["articles.reviewer"].pk]), {"post": "yes"}),
        lambda o: not Reviewer.objects.filter(pk=o["articles.reviewer"].pk).exists(),
        {"superuser"}, 403,
    ),
    "make a superuser": (
        lambda c, o: (
            reverse("admin:auth_user_add"),
            {"username": "mallory", "usable_password": "false", "is_superuser": "on", "is_staff": "on"},
        ),
        lambda o: get_user_model().objects.filter(username="mallory").exists(),
        {"superuser"}, 403,
    ),
    "unlock a login": (
        lambda c, o: (reverse("admin:axes_accessattempt_delete", args=[o["axes.accessattempt"].pk]), {"post": "yes"}),
        lambda o: not AccessAttempt.objects.filter(pk=o["axes.accessattempt"].pk).exists(),
        {"superuser"}, 403,
    ),
    "add a code map entry": (
        lambda c, o: (
            reverse("admin:articles_codemapentry_add"),
            {"system": "2.16.840.1.113883.6.96", "code": "370143000", "name": "Major depressive disorder",
             "note": "", "pages-TOTAL_FORMS": "1", "pages-INITIAL_FORMS": "0",
             "pages-0-article": str(o["articles.article"].pk), "pages-0-position": "0"},
        ),
        lambda o: CodeMapEntry.objects.filter(code="370143000", pages__article=o["articles.article"]).exists(),
        EDITORIAL, 403,
    ),
    "mark reader feedback handled": (
        lambda c, o: (
            reverse("admin:articles_feedback_changelist"),
            {"action": "mark_handled", "_selected_action": [o["articles.feedback"].pk]},
        ),
        lambda o: Feedback.objects.get(pk=o["articles.feedback"].pk).handled,
        EDITORIAL, 403,
    ),
    "edit what a reader wrote": (
        lambda c, o: (
            reverse("admin:articles_feedback_change", args=[o["articles.feedback"].pk]),
            {"text": "Words the reader never wrote", "reason": "other", "flagged": "on", "handled": "on"},
        ),
        lambda o: Feedback.objects.filter(text="Words the reader never wrote").exists()
        or Feedback.objects.filter(reason="other").exists() or Feedback.objects.filter(flagged=True).exists(),
        set(), 302,  # nobody: the form saves "handled" only
    ),
    "delete reader feedback": (
        lambda c, o: (reverse("admin:articles_feedback_delete", args=[o["articles.feedback"].pk]), {"post": "yes"}),
        lambda o: not Feedback.objects.filter(pk=o["articles.feedback"].pk).exists(),
        {"superuser"}, 403,
    ),
    "add a redirect": (
        lambda c, o: (
            reverse("admin:redirects_redirect_add"),
            {"site": str(settings.SITE_ID), "old_path": "/tms/x/", "new_path": "https://evil.example/"},
        ),
        lambda o: Redirect.objects.filter(old_path="/tms/x/").exists(),
        {"superuser"}, 403,
    ),
}  # fmt: skip


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("role", ROLES)
def test_state_changing_admin_actions_only_for_those_allowed(as_role, objects, role, action):
    request, happened, allowed, refused_status = ACTIONS[action]
    client = as_role(role)
    url, data = request(client, objects)
    response = client.post(url, data)
    if role in allowed:
        assert response.status_code == 302, response.content.decode()[:3000]
        assert happened(objects)
        return
    if role in ("anonymous", "reader"):
        assert is_login_redirect(response)
    elif role == "staff":
        assert response.status_code == 403
    else:
        assert response.status_code == refused_status
    assert not happened(objects)


# --- What the public never sees ------------------------------------------------------------------


@pytest.mark.parametrize("status", ["draft", "in_review", "archived"])
@pytest.mark.parametrize("role", ROLES)
def test_unpublished_pages_are_invisible_to_the_public_and_previews_are_never_cached(
    as_role, make_article, role, status
):
    article = make_article(slug="hidden", title="Hidden page", status=status)
    client = as_role(role)
    response = client.get(article.get_absolute_url())
    if role in ("anonymous", "reader", "staff"):  # staff without article permissions see no drafts either
        assert response.status_code == 404
        assert "Hidden page" not in response.content.decode()
    else:
        assert response.status_code == 200  # the staff preview, with a banner
        assert "not visible to the public" in response.content.decode()
        assert "no-store" in response["Cache-Control"]
    assert "Hidden page" not in client.get("/").content.decode()


@pytest.mark.parametrize("role", ["anonymous", "reader"])
def test_a_clinical_edit_waiting_for_sign_off_is_invisible_to_the_public(as_role, make_article, reviewer, role):
    page = make_article(slug="signed", title="Approved title", reviewer=reviewer, reviewed_on=timezone.localdate())
    assert page.has_current_sign_off
    editor = as_role("editor")
    url = reverse("admin:articles_article_change", args=[page.pk])
    data = article_form(page, slug="signed", title="Unreviewed claim", status="published")
    assert editor.post(url, data).status_code == 302
    editor.logout()
    public = as_role(role).get(page.get_absolute_url()).content.decode()
    assert "Unreviewed claim" not in public and "Approved title" in public


# --- the groups themselves ---------------------------------------------------------------------------
def _group_permissions() -> dict[str, set[str]]:
    return {
        group.name: {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        for group in Group.objects.filter(name__in=workflow.ROLE_PERMISSIONS).prefetch_related("permissions")
    }


@pytest.mark.django_db(transaction=True)
def test_the_editor_and_reviewer_groups_come_back_after_a_flush_and_an_administrators_changes_stay():
    from django.core.management import call_command

    expected = {name: set(perms) for name, perms in workflow.ROLE_PERMISSIONS.items()}
    assert _group_permissions() == expected  # as the data migrations left them
    call_command("flush", "--noinput", verbosity=0)
    assert _group_permissions() == expected
    editors = Group.objects.get(name=workflow.EDITORS)
    editors.permissions.remove(*editors.permissions.filter(codename="change_feedback"))
    call_command("migrate", verbosity=0)
    assert _group_permissions()[workflow.EDITORS] == expected[workflow.EDITORS] - {"articles.change_feedback"}
