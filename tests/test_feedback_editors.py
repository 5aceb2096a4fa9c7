"""Reader feedback for editors: flagged entries first, counts per page and per published
version, marking entries handled, `manage.py review_report`, and deleting entries after 12 months.
Who may see and do what is in tests/test_permissions.py."""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from articles import feedback, workflow
from articles.models import Feedback

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(make_article):
    article = make_article(slug="what-is-tms", title="What is TMS?")
    return article.published_pages.get(language="en")


@pytest.fixture
def editor(client, django_user_model):
    user = django_user_model.objects.create_user("editor", is_staff=True)
    user.groups.add(Group.objects.get(name=workflow.EDITORS))
    client.force_login(user)
    return client


def test_editors_see_flagged_entries_first_then_new_ones(editor, page):
    handled = Feedback.objects.create(article=page.article, version=1, reason="wrong", text="Old", handled=True)
    newer = Feedback.objects.create(article=page.article, version=1, reason="link", text="Dead link")
    flagged = Feedback.objects.create(article=page.article, version=1, reason="other", text="suicide", flagged=True,
                                      received_on=timezone.localdate() - dt.timedelta(days=3))  # fmt: skip
    html = _text(editor.get(reverse("admin:articles_feedback_changelist")))
    rows = re.findall(r'name="_selected_action" value="(\d+)"', html)
    assert rows == [str(flagged.pk), str(newer.pk), str(handled.pk)]
    assert "\u2691 Flagged" in html


def test_editors_see_answers_and_reports_per_page_and_version_and_mark_them_handled(editor, page):
    make = Feedback.objects.create
    make(article=page.article, version=1, helpful=True)
    make(article=page.article, version=1, helpful=True)
    make(article=page.article, version=1, helpful=False, reason="unclear", text="Too long")
    make(article=page.article, version=2, helpful=False)
    make(article=page.article, version=2, reason="link", text="suicide line link", flagged=True)
    rows = {row["version"]: row for row in feedback.by_page_and_version()}
    assert [rows[1][k] for k in ("yes", "no", "reports", "new", "flagged", "reason_unclear")] == [2, 1, 1, 1, 0, 1]
    assert [rows[2][k] for k in ("yes", "no", "reports", "new", "flagged", "reason_link")] == [0, 1, 1, 1, 1, 1]
    assert list(feedback.by_page_and_version())[0]["version"] == 2  # flagged first
    html = _text(editor.get(reverse("admin:articles_feedback_by_page")))
    assert "What is TMS?" in html and "version__exact=2" in html
    entries = list(Feedback.objects.exclude(reason="").values_list("pk", flat=True))
    editor.post(reverse("admin:articles_feedback_changelist"), {"action": "mark_handled", "_selected_action": entries})
    assert feedback.new_problem_reports().count() == 0


def test_review_report_lists_pages_with_new_problem_reports_flagged_first(page, make_article, capsys):
    other = make_article(slug="cost", title="Cost and insurance")
    Feedback.objects.create(article=other, version=1, reason="wrong", text="Prices changed")
    Feedback.objects.create(article=other, version=1, reason="wrong", text="Again")
    Feedback.objects.create(article=page.article, version=1, reason="other", text="suicide", flagged=True)
    Feedback.objects.create(article=page.article, version=1, helpful=True)  # an answer, not a report
    Feedback.objects.create(article=page.article, version=1, reason="link", handled=True)
    call_command("review_report")
    out = capsys.readouterr().out
    listed = out[out.index("New problem reports") :].splitlines()[1:3]
    assert "1 new, 1 FLAGGED" in listed[0] and "/tms/what-is-tms/" in listed[0]
    assert "2 new" in listed[1] and "/tms/cost/" in listed[1]


def test_entries_older_than_12_months_are_deleted_by_the_retention_command(page, capsys):
    today = timezone.localdate()
    for days in (0, 200, 364, 367, 800):
        Feedback.objects.create(article=page.article, version=1, helpful=True, received_on=today - dt.timedelta(days))
    call_command("delete_old_feedback")
    assert "Deleted 2 reader feedback entries" in capsys.readouterr().out
    assert sorted((today - day).days for day in Feedback.objects.values_list("received_on", flat=True)) == [0, 200, 364]


def _text(response) -> str:
    return response.content.decode()
