"""The editorial journeys in a real browser: an editor drafts and submits, a reviewer approves and
publishes, the public sees the new review line; two editors collide and nothing is lost."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from articles import workflow
from articles.models import Article, PageChange, Reviewer

from .conftest import axe_violations

ADMIN = f"/{settings.ADMIN_PATH}"
BODY = "## Key points {#key-points}\n\n- TMS uses magnetic pulses.\n\n## Sessions {#sessions}\n\nA session is short.\n"


@pytest.fixture
def users(transactional_db, django_user_model):

    def make(username, group):
        user = django_user_model.objects.create_user(username, is_staff=True)
        user.groups.add(Group.objects.get(name=group))
        return user

    editor = make("edna", workflow.EDITORS)
    other_editor = make("otto", workflow.EDITORS)
    reviewer_user = make("rita", workflow.MEDICAL_REVIEWERS)
    Reviewer.objects.create(name="Dr Rita Example", credentials="MD, psychiatrist", user=reviewer_user)
    return {"editor": editor, "other_editor": other_editor, "reviewer": reviewer_user}


@pytest.fixture
def logged_in(new_page, live_server):
    """A page in its own browser context, logged in as `user` (session cookie from force_login)."""

    def make(user):
        client = Client()
        client.force_login(user)
        page = new_page()
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
        return page

    return make


def make_article(**fields):
    values = {
        "slug": "sessions",
        "title": "How sessions work",
        "summary": "What happens in a session.",
        "body": BODY,
        "topic": "basics",
        "order": 1,
        "status": Article.Status.DRAFT,
    }
    article = Article(**(values | fields))
    article.full_clean()
    workflow.article_save(article=article, change=workflow.IMPORT)
    return article


def test_editor_drafts_an_article_and_submits_it_for_review(users, logged_in):
    page = logged_in(users["editor"])
    page.goto(f"{ADMIN}articles/article/add/")
    page.locator("#id_title").press_sequentially("Magnets and mood")
    expect(page.locator("#id_slug")).to_have_value("magnets-and-mood")  # filled in from the title
    page.locator("#id_summary").fill("How magnetic pulses can lift low mood.")
    page.locator("#id_body").fill(BODY)
    page.locator("#id_topic").select_option("basics")
    expect(page.locator("#id_status option")).to_have_text(["Draft", "In review"])
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    article = Article.objects.get(slug="magnets-and-mood")
    assert article.status == Article.Status.DRAFT

    page.locator("#id_status").select_option("in_review")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    expect(page.locator("#result_list")).to_contain_text("In review")
    article.refresh_from_db()
    assert article.status == Article.Status.IN_REVIEW
    assert page.console_errors == []  # nothing blocked by the content security policy


def test_reviewer_approves_and_publishes_and_the_public_page_shows_the_reviewer(users, logged_in, new_page):
    article = make_article(status=Article.Status.IN_REVIEW)
    page = logged_in(users["reviewer"])
    page.goto(f"{ADMIN}articles/article/{article.pk}/change/")
    page.get_by_role("link", name="Approve and publish").click()
    expect(page.locator(".approved-text")).to_contain_text("A session is short.")
    expect(page.locator("#id_next_review_due")).to_have_value(workflow.default_next_review().isoformat())
    page.get_by_role("button", name="Approve and publish").click()
    expect(page.locator(".messagelist")).to_contain_text("signed off and published")
    assert page.console_errors == []

    reader = new_page()
    reader.goto("/tms/sessions/")
    review = reader.get_by_role("complementary", name="Medical review")
    expect(review).to_contain_text("Medically reviewed by Dr Rita Example, MD, psychiatrist")
    expect(review).to_contain_text(f"Last reviewed {timezone.localdate():%-d %B %Y}")


def test_two_editors_collide_and_the_second_keeps_their_text_and_merges(users, logged_in):
    article = make_article()
    first, second = logged_in(users["editor"]), logged_in(users["other_editor"])
    for page in (first, second):
        page.goto(f"{ADMIN}articles/article/{article.pk}/change/")

    first.locator("#id_body").fill(BODY + "\nThe first editor adds this.\n")
    first.get_by_role("button", name="Save and continue editing").click()
    expect(first.locator(".messagelist")).to_contain_text("was changed successfully")

    mine = BODY + "\nThe second editor adds that.\n"
    second.locator("#id_body").fill(mine)
    second.get_by_role("button", name="Save and continue editing").click()
    conflict = second.locator(".conflict")
    expect(conflict).to_contain_text("someone else changed this article")
    expect(conflict).to_contain_text("edna")
    expect(conflict.locator(".diff-add").filter(has_text="The first editor adds this.")).to_have_count(1)
    assert "The second editor adds that." in second.locator("#id_body").input_value()
    assert "The second editor" not in Article.objects.get(pk=article.pk).body  # not saved over the first

    second.locator("#id_body").fill(BODY + "\nThe first editor adds this.\n\nThe second editor adds that.\n")
    second.get_by_role("button", name="Save and continue editing").click()
    expect(second.locator(".messagelist")).to_contain_text("was changed successfully")
    body = Article.objects.get(pk=article.pk).body
    assert "The first editor adds this." in body and "The second editor adds that." in body
    assert first.console_errors == [] and second.console_errors == []


def test_writing_aids_update_while_typing(users, logged_in):
    article = make_article()
    page = logged_in(users["editor"])
    page.goto(f"{ADMIN}articles/article/{article.pk}/change/")
    expect(page.locator("#writing-aids")).to_contain_text("no phrases to reconsider")
    page.locator("#id_body").press_sequentially(" He committed suicide.", delay=5)
    expect(page.locator("#writing-aids")).to_contain_text("died by suicide")
    assert page.console_errors == []


# How the key points box looks: the public page's style sheet, wherever it is shown.
KEY_POINTS_LOOK = """box => {
    const look = el => { const s = getComputedStyle(el);
        return [s.backgroundColor, s.color, s.borderLeft, s.borderTopLeftRadius, s.padding, s.fontSize, s.fontFamily];
    };
    return [look(box), look(box.querySelector('h2')), look(box.querySelector('li'))];
}"""
FRAME_SCROLL = (
    "f => { const v = f.contentDocument.scrollingElement; return v.scrollTop / (v.scrollHeight - v.clientHeight); }"
)


def test_editor_sees_the_page_beside_the_text_update_while_typing_in_the_public_style(users, logged_in, new_page):
    more = "".join(f"\n## Part {n} {{#part-{n}}}\n\nA paragraph of plain words about part {n}.\n" for n in range(30))
    article = make_article(status=Article.Status.PUBLISHED, body=BODY + more)
    page = logged_in(users["editor"])
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{ADMIN}articles/article/{article.pk}/change/")
    editor, frame = page.locator("#id_body"), page.locator("iframe.markdownx-frame")
    preview = page.frame_locator("iframe.markdownx-frame")
    expect(preview.locator(".key-points")).to_contain_text("TMS uses magnetic pulses.")

    editor.focus()
    page.keyboard.press("Control+End")
    page.keyboard.type("\n## Typed just now {#typed}\n\nWords the editor has just typed.\n")
    expect(preview.get_by_role("heading", name="Typed just now")).to_be_visible()  # updated, and scrolled to it
    expect(preview.get_by_text("Words the editor has just typed.")).to_be_visible()
    text, shown = editor.bounding_box(), frame.bounding_box()
    assert shown["x"] >= text["x"] + text["width"] and abs(shown["y"] - text["y"]) < 2  # beside the text
    assert shown["height"] == text["height"]

    editor.evaluate("t => { t.scrollTop = 0; t.dispatchEvent(new Event('scroll')); }")
    page.wait_for_function(f"() => ({FRAME_SCROLL})(document.querySelector('iframe.markdownx-frame')) === 0")
    editor.evaluate(
        "t => { t.scrollTop = (t.scrollHeight - t.clientHeight) / 2; t.dispatchEvent(new Event('scroll')); }"
    )
    assert 0.45 < frame.evaluate(FRAME_SCROLL) < 0.55  # the preview scrolls with the text

    # The key points box as readers see it at the preview's width: the public style sheet's.
    reader = new_page(viewport={"width": round(frame.evaluate("f => f.clientWidth")), "height": 900})
    reader.goto(article.get_absolute_url())
    assert preview.locator(".key-points").evaluate(KEY_POINTS_LOOK) == reader.locator(".key-points").evaluate(
        KEY_POINTS_LOOK
    )

    page.set_viewport_size({"width": 800, "height": 900})  # a narrow screen: the preview below the text
    text, shown = editor.bounding_box(), frame.bounding_box()
    assert shown["y"] >= text["y"] + text["height"] and shown["width"] == text["width"]
    assert page.console_errors == []  # nothing blocked by the content security policy


def test_old_links_with_a_section_anchor_land_on_the_section_after_a_slug_change(transactional_db, page):
    article = make_article(status=Article.Status.PUBLISHED, updated_on=dt.date(2026, 11, 1))
    article.slug = "how-sessions-work"
    workflow.article_save(article=article, change=workflow.EDITORIAL)
    page.goto("/tms/sessions/#sessions")
    assert page.url.endswith("/tms/how-sessions-work/#sessions")
    expect(page.locator("h2#sessions")).to_be_visible()


def test_public_page_history_is_accessible(transactional_db, page, axe):
    article = make_article(status=Article.Status.PUBLISHED, updated_on=dt.date(2026, 11, 1))
    PageChange.objects.create(article=article, date=dt.date(2027, 3, 12), kind="clinical", note="Added A", public=True)
    page.goto("/tms/sessions/")
    history = page.get_by_role("region", name="Page history")
    expect(history).to_contain_text("12 Mar 2027 · clinical · Added A")
    assert axe_violations(axe, page) == []
