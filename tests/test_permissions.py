"""Who may do what: every admin URL, the editor's preview endpoint and every state-changing admin
action, for each kind of visitor; and pages that are not published stay invisible to the public.

Roles: anonymous, a signed-in reader (not staff), staff with no permissions, superuser. The
editorial groups (editors, medical reviewers) join this matrix with the editorial workflow.
"""

import pytest
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.urls import reverse

from articles.models import Article, Reviewer

pytestmark = pytest.mark.django_db
ADMIN = f"/{settings.ADMIN_PATH}"
LOGIN = reverse("admin:login")
ROLES = ["anonymous", "reader", "staff", "superuser"]
# Models whose admin never offers "add" (records written by the system).
NO_ADD = {"axes.accessattempt", "axes.accesslog", "axes.accessfailurelog"}


@pytest.fixture
def as_role(client, django_user_model):
    def login(role: str):
        if role == "anonymous":
            return client
        flags = {"reader": {}, "staff": {"is_staff": True}, "superuser": {"is_staff": True, "is_superuser": True}}
        client.force_login(django_user_model.objects.create_user(f"{role}-user", **flags[role]))
        return client

    return login


@pytest.fixture
def objects(make_article, reviewer, django_user_model):
    """One saved object for every model the admin manages (change, delete and history pages)."""
    made = {
        "articles.article": make_article(slug="page"),
        "articles.reviewer": reviewer,
        "auth.user": django_user_model.objects.create_user("someone"),
        "auth.group": Group.objects.create(name="Some group"),
        "sites.site": Site.objects.get_current(),
        "redirects.redirect": Redirect.objects.create(site_id=settings.SITE_ID, old_path="/old/", new_path="/new/"),
        "axes.accessattempt": AccessAttempt.objects.create(
            username="x", ip_address="192.0.2.1", failures_since_start=1
        ),
        "axes.accesslog": AccessLog.objects.create(username="x", ip_address="192.0.2.1"),
    }
    missing = {m._meta.label_lower for m in admin.site._registry} - set(made) - {"axes.accessfailurelog"}
    assert not missing, f"add an object for {missing} so its admin pages are in the matrix"
    return made


def admin_urls(objects) -> list[tuple[str, str, str]]:
    """(model label, page, url) for every page of every registered model admin."""
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
    return urls


def expected_status(role: str, label: str, page: str) -> int | str:
    if role in ("anonymous", "reader"):
        return "login"
    if role == "staff":
        return 403
    return 200


@pytest.mark.parametrize("role", ROLES)
def test_every_admin_page_answers_each_role_as_it_should(as_role, objects, role):
    client = as_role(role)
    wrong = []
    for label, page, url in admin_urls(objects):
        response = client.get(url)
        expected = expected_status(role, label, page)
        if expected == "login":
            ok = response.status_code == 302 and response["Location"].startswith(LOGIN)
        else:
            ok = response.status_code == expected
        if not ok:
            wrong.append((label, page, response.status_code, expected))
    assert wrong == []


@pytest.mark.parametrize(
    ("role", "index", "password_change"),
    [("anonymous", "login", "login"), ("reader", "login", "login"), ("staff", 200, 200), ("superuser", 200, 200)],
)
def test_admin_index_and_password_change(as_role, role, index, password_change):
    client = as_role(role)
    for url, expected in ((ADMIN, index), (reverse("admin:password_change"), password_change)):
        response = client.get(url)
        if expected == "login":
            assert response.status_code == 302 and response["Location"].startswith(LOGIN), url
        else:
            assert response.status_code == expected, url


@pytest.mark.parametrize(
    ("role", "allowed"), [("anonymous", False), ("reader", False), ("staff", True), ("superuser", True)]
)
def test_the_markdown_preview_endpoint_is_for_staff_only(as_role, role, allowed):
    response = as_role(role).post("/markdownx/markdownify/", {"content": "## Hello"})
    if allowed:
        assert response.status_code == 200 and "<h2" in response.content.decode()
    else:
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)


@pytest.mark.parametrize("role", ROLES)
def test_image_upload_does_not_exist_for_anyone(as_role, role):
    assert as_role(role).post("/markdownx/upload/", {}).status_code == 404


# --- State-changing actions ----------------------------------------------------------------------


def article_form(slug: str, title: str) -> dict:
    return {
        "title": title, "slug": slug, "summary": "A summary.", "status": "draft", "topic": "basics", "order": "1",
        "updated_on": "2026-11-01", "body": "## Key points {#key-points}\n\n- Point.",
    }  # fmt: skip


ACTIONS = {
    "add article": (
        lambda o: (reverse("admin:articles_article_add"), article_form("new-page", "New page")),
        lambda o: Article.objects.filter(slug="new-page").exists(),
    ),
    "change article": (
        lambda o: (
            reverse("admin:articles_article_change", args=[o["articles.article"].pk]),
            article_form("page", "Changed title"),
        ),
        lambda o: Article.objects.filter(title="Changed title").exists(),
    ),
    "delete article": (
        lambda o: (reverse("admin:articles_article_delete", args=[o["articles.article"].pk]), {"post": "yes"}),
        lambda o: not Article.objects.filter(pk=o["articles.article"].pk).exists(),
    ),
    "bulk delete articles": (
        lambda o: (
            reverse("admin:articles_article_changelist"),
            {"action": "delete_selected", "_selected_action": [o["articles.article"].pk], "post": "yes"},
        ),
        lambda o: not Article.objects.filter(pk=o["articles.article"].pk).exists(),
    ),
    "add reviewer": (
        lambda o: (reverse("admin:articles_reviewer_add"), {"name": "Dr New", "credentials": "MD"}),
        lambda o: Reviewer.objects.filter(name="Dr New").exists(),
    ),
    "delete reviewer": (
        lambda o: (reverse("admin:articles_reviewer_delete", args=[o["articles.reviewer"].pk]), {"post": "yes"}),
        lambda o: not Reviewer.objects.filter(pk=o["articles.reviewer"].pk).exists(),
    ),
    "make a superuser": (
        lambda o: (
            reverse("admin:auth_user_add"),
            {"username": "mallory", "usable_password": "false", "is_superuser": "on", "is_staff": "on"},
        ),
        lambda o: get_user("mallory") is not None,
    ),
    "unlock a login": (
        lambda o: (reverse("admin:axes_accessattempt_delete", args=[o["axes.accessattempt"].pk]), {"post": "yes"}),
        lambda o: not AccessAttempt.objects.filter(pk=o["axes.accessattempt"].pk).exists(),
    ),
    "add a redirect": (
        lambda o: (
            reverse("admin:redirects_redirect_add"),
            {"site": str(settings.SITE_ID), "old_path": "/tms/x/", "new_path": "https://evil.example/"},
        ),
        lambda o: Redirect.objects.filter(old_path="/tms/x/").exists(),
    ),
}


def get_user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username=username).first()


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("role", ROLES)
def test_state_changing_admin_actions_only_for_those_allowed(as_role, objects, role, action):
    request, happened = ACTIONS[action]
    url, data = request(objects)
    response = as_role(role).post(url, data)
    if role == "superuser":
        assert response.status_code == 302, response.content.decode()[:2000]
        assert happened(objects)
    else:
        expected = 403 if role == "staff" else 302
        assert response.status_code == expected
        if role != "staff":
            assert response["Location"].startswith(LOGIN)
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
    if role in ("anonymous", "reader"):
        assert response.status_code == 404
        assert "Hidden page" not in response.content.decode()
    else:
        assert response.status_code == 200  # the staff preview, with a banner
        assert "not visible to the public" in response.content.decode()
        assert "no-store" in response["Cache-Control"]
    assert "Hidden page" not in client.get("/").content.decode()
