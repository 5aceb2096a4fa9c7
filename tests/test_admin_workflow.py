"""The editorial workflow in the admin, one promise per test (issue #4).

Users are real accounts in the groups the data migration creates; every refusal is checked with
a crafted request, not only by what the screen hides.
"""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.redirects.models import Redirect
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from articles import workflow
from articles.models import Article, PageChange, PublishedPage, Reviewer
from articles.readability import safe_messaging_flags, writing_aids

pytestmark = pytest.mark.django_db
ADMIN = f"/{settings.ADMIN_PATH}"
TODAY = timezone.localdate
APPROVED_BODY = "## Key points {#key-points}\n\n- TMS uses magnetic pulses.\n\n## Sessions {#sessions}\n\nSessions last 20 minutes.\n"  # noqa: E501
NEW_BODY = "## Key points {#key-points}\n\n- TMS uses magnetic pulses.\n\n## Sessions {#sessions}\n\nSessions last 3 minutes with theta-burst.\n"  # noqa: E501


def change_url(article):
    return f"{ADMIN}articles/article/{article.pk}/change/"


def sign_off_url(article):
    return f"{ADMIN}articles/article/{article.pk}/sign-off/"


def form_data(article, **changes):
    """What the admin change form posts for `article`, with some fields changed."""
    data = {name: getattr(article, name) for name in ("title", "slug", "summary", "body", "status", "topic", "order")}
    data |= {"updated_on": article.updated_on.isoformat(), "base_version": article.version}
    data |= {"change_kind": workflow.CLINICAL, "public_note": ""}
    data.update(changes)
    return data


def sign_off_data(article, reviewer, **changes):
    data = {
        "reviewer": reviewer.pk,
        "next_review_due": workflow.default_next_review().isoformat(),
        "public_note": "",
        "version": article.version,
        "publish": "Approve and publish",
    }
    data.update(changes)
    return data


def user_in(django_user_model, username, group):
    user = django_user_model.objects.create_user(username, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(django_user_model):
    return user_in(django_user_model, "edna", workflow.EDITORS)


@pytest.fixture
def medical_reviewer(django_user_model, reviewer):
    user = user_in(django_user_model, "rita", workflow.MEDICAL_REVIEWERS)
    reviewer.user = user
    reviewer.save()
    return user


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def signed_off(make_article, reviewer):
    """A published page a clinician signed off."""
    return make_article(
        slug="sessions",
        title="Approved title",
        summary="Approved summary.",
        body=APPROVED_BODY,
        reviewer=reviewer,
        reviewed_on=TODAY() - dt.timedelta(days=30),
        next_review_due=TODAY() + dt.timedelta(days=300),
    )


# 1. Roles -----------------------------------------------------------------------------------
def test_migration_creates_editor_and_reviewer_groups_with_distinct_permissions():
    def perms(name):
        return {f"{p.content_type.app_label}.{p.codename}" for p in Group.objects.get(name=name).permissions.all()}

    assert perms(workflow.EDITORS) == set(workflow.ROLE_PERMISSIONS[workflow.EDITORS])
    assert perms(workflow.MEDICAL_REVIEWERS) == set(workflow.ROLE_PERMISSIONS[workflow.MEDICAL_REVIEWERS])
    assert {workflow.SIGN_OFF_PERM, workflow.PUBLISH_PERM} <= perms(workflow.MEDICAL_REVIEWERS)
    assert not {workflow.SIGN_OFF_PERM, workflow.PUBLISH_PERM} & perms(workflow.EDITORS)


def test_editor_sees_no_sign_off_and_cannot_choose_published(as_user, editor, make_article):
    article = make_article(status=Article.Status.IN_REVIEW)
    html = as_user(editor).get(change_url(article)).content.decode()
    assert "sign-off-link" not in html and "/sign-off/" not in html
    assert 'value="draft"' in html and 'value="published"' not in html


def test_editor_crafted_publish_is_refused(as_user, editor, make_article, reviewer):
    # Even with a current sign-off, an editor may not publish.
    article = make_article(status=Article.Status.IN_REVIEW, reviewer=reviewer, reviewed_on=TODAY())
    response = as_user(editor).post(change_url(article), form_data(article, status="published"))
    assert response.status_code == 200  # the form again, with an error
    article.refresh_from_db()
    assert article.status == Article.Status.IN_REVIEW


def test_editor_cannot_sign_off_or_delete_even_by_crafted_request(as_user, editor, make_article, reviewer):
    article = make_article(status=Article.Status.IN_REVIEW)
    client = as_user(editor)
    assert client.get(sign_off_url(article)).status_code == 403
    assert client.post(sign_off_url(article), sign_off_data(article, reviewer)).status_code == 403
    assert client.post(f"{ADMIN}articles/article/{article.pk}/delete/", {"post": "yes"}).status_code == 403
    article.refresh_from_db()
    assert article.status == Article.Status.IN_REVIEW and article.reviewer is None


def test_review_fields_cannot_be_typed_into_the_article_form(as_user, medical_reviewer, make_article, reviewer):
    article = make_article(status=Article.Status.IN_REVIEW)
    crafted = form_data(article, reviewer=reviewer.pk, reviewed_on=TODAY().isoformat(), reviewed_fingerprint="x")
    assert as_user(medical_reviewer).post(change_url(article), crafted).status_code == 302
    article.refresh_from_db()
    assert article.reviewer is None and article.reviewed_on is None and not article.reviewed_fingerprint


def test_superuser_can_sign_off_as_any_reviewer(as_user, django_user_model, make_article, reviewer):
    article = make_article(status=Article.Status.IN_REVIEW)
    boss = django_user_model.objects.create_superuser("boss")
    response = as_user(boss).post(sign_off_url(article), sign_off_data(article, reviewer))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED and article.reviewer == reviewer


# 2. Status flow ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("old", "new", "allowed"),
    [
        ("draft", "in_review", True),
        ("draft", "published", False),
        ("draft", "archived", False),
        ("in_review", "draft", True),
        ("in_review", "published", True),  # with a current sign-off
        ("published", "archived", True),
        ("published", "draft", False),
        ("archived", "draft", True),
        ("archived", "published", False),
    ],
)
def test_only_the_allowed_status_moves_are_possible(make_article, reviewer, django_user_model, old, new, allowed):
    boss = django_user_model.objects.create_superuser("boss")
    article = make_article(status=old, reviewer=reviewer, reviewed_on=TODAY())
    assert (workflow.move_problem(article, new, boss, old_status=old) is None) is allowed


def test_publishing_needs_a_current_sign_off(as_user, medical_reviewer, make_article):
    article = make_article(status=Article.Status.IN_REVIEW)
    response = as_user(medical_reviewer).post(change_url(article), form_data(article, status="published"))
    assert response.status_code == 200
    article.refresh_from_db()
    assert article.status == Article.Status.IN_REVIEW


def test_editor_submits_a_draft_for_review(as_user, editor, make_article):
    article = make_article(status=Article.Status.DRAFT)
    response = as_user(editor).post(change_url(article), form_data(article, status="in_review"))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.IN_REVIEW


# 3. Sign-off pinned to the text ---------------------------------------------------------------
def test_approve_and_publish_records_reviewer_date_next_review_and_fingerprint(
    as_user, medical_reviewer, make_article, reviewer, client
):
    article = make_article(slug="new-page", status=Article.Status.IN_REVIEW)
    page = as_user(medical_reviewer).get(sign_off_url(article)).content.decode()
    assert "Approve and publish" in page and workflow.default_next_review().isoformat() in page
    response = client.post(sign_off_url(article), sign_off_data(article, reviewer))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert (article.reviewer, article.reviewed_on) == (reviewer, TODAY())
    assert article.next_review_due == workflow.add_months(TODAY(), 12)
    assert article.reviewed_fingerprint == article.current_fingerprint() and article.has_current_sign_off
    client.logout()
    assert "Medically reviewed by <strong>Dr Test Person, MD, psychiatrist</strong>" in (
        client.get("/tms/new-page/").content.decode()
    )


def test_the_next_review_date_can_be_chosen(as_user, medical_reviewer, make_article, reviewer):
    article = make_article(status=Article.Status.IN_REVIEW)
    due = TODAY() + dt.timedelta(days=180)
    as_user(medical_reviewer).post(sign_off_url(article), sign_off_data(article, reviewer, next_review_due=due))
    article.refresh_from_db()
    assert article.next_review_due == due


def test_a_reviewer_signs_only_as_themselves(as_user, medical_reviewer, make_article):
    article = make_article(status=Article.Status.IN_REVIEW)
    someone_else = Reviewer.objects.create(name="Dr Other", credentials="MD")
    response = as_user(medical_reviewer).post(sign_off_url(article), sign_off_data(article, someone_else))
    assert response.status_code == 200
    article.refresh_from_db()
    assert article.reviewer is None and article.status == Article.Status.IN_REVIEW


def test_sign_off_is_refused_when_the_text_changed_after_the_reviewer_opened_it(
    as_user, medical_reviewer, make_article, reviewer
):
    article = make_article(status=Article.Status.IN_REVIEW)
    opened_version = article.version
    article.body += "\nA sentence the reviewer has not read.\n"
    article.save()
    as_user(medical_reviewer).post(sign_off_url(article), sign_off_data(article, reviewer, version=opened_version))
    article.refresh_from_db()
    assert article.reviewer is None and article.status == Article.Status.IN_REVIEW


def test_clinical_edit_keeps_the_approved_text_public_until_signed_off_again(
    as_user, editor, medical_reviewer, signed_off, reviewer, client
):
    response = as_user(editor).post(
        change_url(signed_off),
        form_data(signed_off, title="New title", body=NEW_BODY, change_kind="clinical", public_note="Shorter sessions"),
    )
    assert response.status_code == 302
    signed_off.refresh_from_db()
    assert signed_off.has_pending_changes and not signed_off.has_current_sign_off
    assert "clinical changes waiting" in client.get(change_url(signed_off)).content.decode()
    client.logout()
    public = client.get("/tms/sessions/").content.decode()
    assert "<h1>Approved title</h1>" in public and "20 minutes" in public and "theta-burst" not in public
    assert "Medically reviewed by" in public and "Shorter sessions" not in public
    # The reviewer signs off the new text: now the public reads it, with the new review line.
    as_user(medical_reviewer).post(sign_off_url(signed_off), sign_off_data(signed_off, reviewer))
    client.logout()
    public = client.get("/tms/sessions/").content.decode()
    assert "<h1>New title</h1>" in public and "theta-burst" in public
    assert f'Last reviewed <time datetime="{TODAY().isoformat()}">' in public
    assert "clinical · Shorter sessions" in public


def test_editorial_edit_keeps_the_sign_off_and_goes_public(as_user, editor, signed_off, client):
    fixed = APPROVED_BODY.replace("Sessions last", "Each session lasts")
    as_user(editor).post(change_url(signed_off), form_data(signed_off, body=fixed, change_kind="editorial"))
    signed_off.refresh_from_db()
    assert signed_off.has_current_sign_off and "Each session lasts" in signed_off.body
    client.logout()
    public = client.get("/tms/sessions/").content.decode()
    assert "Each session lasts" in public and "Medically reviewed by" in public


def test_a_change_saved_outside_the_workflow_never_reaches_the_public(signed_off, client):
    signed_off.body = NEW_BODY
    signed_off.save()  # Article.save() alone writes the working copy, never what the public reads
    assert signed_off.has_pending_changes
    public = client.get("/tms/sessions/").content.decode()
    assert "20 minutes" in public and "theta-burst" not in public


def test_putting_back_the_approved_text_ends_the_wait_for_sign_off(signed_off):
    signed_off.body = NEW_BODY
    workflow.article_save(article=signed_off, change=workflow.CLINICAL, note="Shorter sessions")
    signed_off.body = APPROVED_BODY
    workflow.article_save(article=signed_off, change=workflow.CLINICAL)
    assert not signed_off.has_pending_changes and signed_off.has_current_sign_off
    # The note of the change that was put back never goes public, not even at the next sign-off.
    assert not PageChange.objects.filter(article=signed_off, note="Shorter sessions").exists()


def test_public_review_box_never_vouches_for_unreviewed_text(client, make_article):
    make_article(slug="fresh")
    html = client.get("/tms/fresh/").content.decode()
    assert "Awaiting medical review" in html and "Medically reviewed by" not in html


# 4. History and restore -----------------------------------------------------------------------
def test_every_save_keeps_a_revision_with_who_and_what(as_user, editor, make_article):
    article = make_article(title="First")
    as_user(editor).post(change_url(article), form_data(article, title="Second"))
    latest = article.history.order_by("-history_id").first()
    assert article.history.count() == 2
    assert latest.title == "Second" and latest.history_user == editor
    assert "Clinical change" in latest.history_change_reason


def test_history_lists_revisions_and_compares_any_two_readably(as_user, editor, make_article):
    article = make_article(title="First", body="## A {#a}\n\nOld sentence here.\n")
    client = as_user(editor)
    client.post(change_url(article), form_data(article, title="Second", body="## A {#a}\n\nNew sentence here.\n"))
    article.refresh_from_db()
    client.post(change_url(article), form_data(article, title="Third"))
    history = client.get(f"{ADMIN}articles/article/{article.pk}/history/").content.decode()
    assert history.count('name="from"') == 3 and "edna" in history
    first, _, third = article.history.order_by("history_id")
    diff = client.get(
        f"{ADMIN}articles/article/{article.pk}/history/compare/?from={first.history_id}&to={third.history_id}"
    ).content.decode()
    assert "First" in diff and "Third" in diff
    assert '<div class="diff-del"><del><span class="visually-hidden">removed: </span>Old sentence here.</del>' in diff
    assert '<div class="diff-add"><ins><span class="visually-hidden">added: </span>New sentence here.</ins>' in diff


def test_an_earlier_revision_can_be_restored(as_user, editor, make_article):
    article = make_article(title="Good title", body="## A {#a}\n\nGood text.\n")
    client = as_user(editor)
    client.post(change_url(article), form_data(article, title="Bad title", body="## A {#a}\n\nBad text.\n"))
    good = article.history.order_by("history_id").first()
    restore_url = f"{ADMIN}articles/article/{article.pk}/history/{good.history_id}/restore/"
    assert "Good text." in client.get(restore_url).content.decode()
    assert client.post(restore_url).status_code == 302
    article.refresh_from_db()
    assert article.title == "Good title" and "Good text." in article.body_html
    assert article.history.count() == 3  # restoring is itself a revision


def test_a_deleted_article_can_be_recovered(as_user, django_user_model, make_article, reviewer, client):
    article = make_article(slug="gone", title="Gone page", reviewer=reviewer, reviewed_on=TODAY())
    boss = django_user_model.objects.create_superuser("boss")
    as_user(boss).post(f"{ADMIN}articles/article/{article.pk}/delete/", {"post": "yes"})
    assert not Article.objects.filter(slug="gone").exists()
    listing = client.get(f"{ADMIN}articles/article/recover/").content.decode()
    assert "Gone page" in listing
    deleted = workflow.deleted_revisions().get()
    assert client.post(f"{ADMIN}articles/article/recover/{deleted.history_id}/").status_code == 302
    recovered = Article.objects.get(slug="gone")
    assert recovered.title == "Gone page" and recovered.reviewer == reviewer and recovered.is_public
    client.logout()
    page = client.get("/tms/gone/")
    assert page.status_code == 200 and "Some text about it." in page.content.decode()  # rendered again
    assert "/tms/gone/" in client.get("/search/?q=gone").content.decode()  # and found again


def test_an_editor_recovers_a_published_page_as_a_draft(as_user, editor, make_article):
    article = make_article(slug="gone")
    article.delete()
    deleted = workflow.deleted_revisions().get()
    as_user(editor).post(f"{ADMIN}articles/article/recover/{deleted.history_id}/")
    assert Article.objects.get(slug="gone").status == Article.Status.DRAFT


# 5. No lost work ------------------------------------------------------------------------------
def test_second_editors_stale_save_is_refused_showing_what_changed_and_keeping_their_text(
    client, django_user_model, make_article
):
    article = make_article(body="## A {#a}\n\nThe first text.\n")
    first = user_in(django_user_model, "first", workflow.EDITORS)
    second = user_in(django_user_model, "second", workflow.EDITORS)
    opened = form_data(article)  # both open the same version
    client.force_login(first)
    client.post(change_url(article), opened | {"body": "## A {#a}\n\nThe first editor's text.\n"})
    client.force_login(second)
    response = client.post(change_url(article), opened | {"body": "## A {#a}\n\nThe second editor's text.\n"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this article" in html and "first" in html
    assert "The first editor&#x27;s text." in html  # what changed
    textarea = re.search(r'<textarea name="body"[^>]*>(.*?)</textarea>', html, re.DOTALL).group(1)
    assert "The second editor&#x27;s text." in textarea  # their own text, still in the form
    article.refresh_from_db()
    assert "first editor" in article.body
    # Having seen the change, the second editor merges and saves: it goes through.
    merged = "## A {#a}\n\nThe first editor's text.\n\nThe second editor's text.\n"
    base = response.context["adminform"].form.data["base_version"]
    assert client.post(change_url(article), opened | {"body": merged, "base_version": base}).status_code == 302
    article.refresh_from_db()
    assert article.body.strip() == merged.strip()


# 6. Public page history ---------------------------------------------------------------------------
def test_public_note_shows_dated_with_its_kind_on_the_page(as_user, editor, make_article, client):
    article = make_article(slug="page")
    as_user(editor).post(
        change_url(article), form_data(article, summary="Better.", change_kind="editorial", public_note="Fixed a link")
    )
    client.logout()
    html = client.get("/tms/page/").content.decode()
    assert f'<time datetime="{TODAY().isoformat()}">{TODAY():%-d %b %Y}</time> · editorial · Fixed a link' in html


def test_page_history_entries_are_listed_newest_first(client, make_article):
    article = make_article(slug="page")
    PageChange.objects.create(article=article, date=dt.date(2027, 3, 12), kind="clinical", note="Added A", public=True)
    PageChange.objects.create(article=article, date=dt.date(2027, 5, 1), kind="editorial", note="Fixed B", public=True)
    PageChange.objects.create(article=article, date=dt.date(2027, 6, 1), kind="clinical", note="Hidden", public=False)
    html = client.get("/tms/page/").content.decode()
    assert html.index("Fixed B") < html.index('"2027-03-12">12 Mar 2027</time> · clinical · Added A')
    assert "Hidden" not in html


# 7. Slugs never break -----------------------------------------------------------------------------
def test_a_slug_changed_twice_leaves_permanent_redirects_from_both_old_links(as_user, editor, make_article, client):
    article = make_article(slug="first-name")
    as_user(editor).post(change_url(article), form_data(article, slug="second-name"))
    article.refresh_from_db()
    client.post(change_url(article), form_data(article, slug="third-name"))
    client.logout()
    for old in ("/tms/first-name/", "/tms/second-name/"):
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, "/tms/third-name/"), old
    assert client.get("/tms/third-name/").status_code == 200
    assert Redirect.objects.count() == 2


def test_going_back_to_an_old_slug_removes_its_redirect(make_article, client):
    article = make_article(slug="one")
    article.slug = "two"
    workflow.article_save(article=article, change=workflow.EDITORIAL)
    article.slug = "one"
    workflow.article_save(article=article, change=workflow.EDITORIAL)
    assert client.get("/tms/one/").status_code == 200
    assert client.get("/tms/two/")["Location"] == "/tms/one/"


# 8. Review due ------------------------------------------------------------------------------------
@pytest.fixture
def due_pages(make_article, reviewer):
    today = TODAY()
    make_article(title="Overdue page", reviewer=reviewer, reviewed_on=today - dt.timedelta(days=400),
                 next_review_due=today - dt.timedelta(days=2))  # fmt: skip
    make_article(title="Due soon page", reviewer=reviewer, reviewed_on=today - dt.timedelta(days=340),
                 next_review_due=today + dt.timedelta(days=20))  # fmt: skip
    make_article(title="Not due page", reviewer=reviewer, reviewed_on=today,
                 next_review_due=today + dt.timedelta(days=200))  # fmt: skip


def test_admin_index_lists_reviews_due_within_30_days_or_overdue(as_user, editor, due_pages):
    html = as_user(editor).get(ADMIN).content.decode()
    assert "Overdue page" in html and "Due soon page" in html and "Not due page" not in html
    assert html.index("Overdue page") < html.index("Due soon page")


def test_review_report_prints_the_list_and_fails_when_something_is_overdue(due_pages, capsys):
    with pytest.raises(CommandError) as excinfo:
        call_command("review_report")
    assert excinfo.value.returncode == 1
    out = capsys.readouterr().out
    assert "OVERDUE" in out and "Overdue page" in out and "Due soon page" in out and "Not due page" not in out


def test_review_report_succeeds_when_nothing_is_overdue(make_article, reviewer, capsys):
    make_article(title="Due soon page", reviewer=reviewer, reviewed_on=TODAY(),
                 next_review_due=TODAY() + dt.timedelta(days=10))  # fmt: skip
    call_command("review_report")
    assert "Due soon page" in capsys.readouterr().out


# 9. Writing aids ------------------------------------------------------------------------------------
def test_change_form_shows_word_count_reading_time_grade_and_safe_messaging_flags(as_user, editor, make_article):
    article = make_article(body="## A {#a}\n\nHer uncle committed suicide last year. We talk about it.\n")
    html = as_user(editor).get(change_url(article)).content.decode()
    assert "words" in html and "min to read" in html and "reading grade" in html and "target 8" in html
    assert "“committed suicide”" in html and "died by suicide" in html


@pytest.mark.parametrize(
    "phrase", ["committed suicide", "commit suicide", "Successful suicide", "completed suicide", "failed attempt"]
)
def test_safe_messaging_check_flags_the_phrase_and_its_line_with_an_alternative(phrase):
    flags = safe_messaging_flags(f"## A {{#a}}\n\nShe {phrase} here.\n")
    assert [(flag.found, flag.line) for flag in flags] == [(phrase, 3)] and flags[0].instead


def test_safe_wording_is_not_flagged():
    assert safe_messaging_flags("He died by suicide. She survived a suicide attempt and got help.") == []


def test_word_count_and_reading_time_count_the_words_readers_see():
    aids = writing_aids("## Heading {#h}\n\n" + "Short words are read fast. " * 90)
    assert aids.words == 1 + 5 * 90 and aids.minutes == 3
    assert aids.grade is not None and not aids.above_target


def test_writing_aids_are_warnings_not_blocks(as_user, editor, make_article):
    article = make_article()
    body = "## A {#a}\n\nA successful suicide is not a phrase to use.\n"
    assert as_user(editor).post(change_url(article), form_data(article, body=body)).status_code == 302


def test_live_writing_aids_endpoint_is_for_editors_only(as_user, editor, client, django_user_model):
    url = f"{ADMIN}articles/article/writing-aids/"
    assert client.post(url, {"body": "x"}).status_code == 302  # to the login page
    reader = django_user_model.objects.create_user("reader", is_staff=True)
    assert as_user(reader).post(url, {"body": "x"}).status_code == 403
    html = as_user(editor).post(url, {"body": "He committed suicide."}).content.decode()
    assert "died by suicide" in html


# 10. Preview -------------------------------------------------------------------------------------------
def test_staff_preview_shows_the_working_text_as_the_public_page_will(as_user, editor, signed_off, client):
    signed_off.body = NEW_BODY
    workflow.article_save(article=signed_off, change=workflow.CLINICAL)
    html = as_user(editor).get(f"{ADMIN}articles/article/{signed_off.pk}/preview/").content.decode()
    assert "theta-burst" in html and "Preview of the text as edited" in html
    assert "site-footer" in html or "988" in html  # the public page, footer and all
    client.logout()
    assert client.get(f"{ADMIN}articles/article/{signed_off.pk}/preview/").status_code == 302


# Admin under the site's content security policy -----------------------------------------------
def test_admin_pages_keep_the_strict_content_security_policy(as_user, editor, make_article):
    article = make_article()
    response = as_user(editor).get(change_url(article))
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_text_awaiting_sign_off_never_reaches_search_feed_or_clinicians(signed_off, client):
    signed_off.title = "Unapproved title"
    signed_off.body = NEW_BODY
    workflow.article_save(article=signed_off, change=workflow.CLINICAL)
    assert PublishedPage.objects.get(article=signed_off).title == "Approved title"
    unapproved_only = client.get("/search/?q=theta-burst").content.decode()
    assert "Approved title" not in unapproved_only and "Unapproved title" not in unapproved_only
    approved = client.get("/search/?q=minutes").content.decode()
    assert "Approved title" in approved and "Unapproved" not in approved
    for url in ("/feed/", "/clinicians/", "/"):
        html = client.get(url).content.decode()
        assert "Approved title" in html and "Unapproved title" not in html, url
