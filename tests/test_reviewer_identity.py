"""A reviewer's identity is never forged (issue 19, item 3).

Only administrators add or change a reviewer profile (name, credentials, profile link, account);
a medical reviewer can read profiles but not edit their own or anyone else's. Every change to a
profile is kept, with who made it, and administrators see it in the profile's history.
"""

import datetime as dt
import os
import sqlite3
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from articles import workflow
from articles.models import Reviewer

pytestmark = pytest.mark.django_db
PROFILE = {"role": "", "profile_url": "", "conflicts_of_interest": ""}


@pytest.fixture
def medical_reviewer(django_user_model, reviewer):
    user = django_user_model.objects.create_user("rita", is_staff=True)
    user.groups.add(Group.objects.get(name=workflow.MEDICAL_REVIEWERS))
    reviewer.user = user
    reviewer.save()
    return user


@pytest.fixture
def signed_off_pages(make_article, reviewer):
    today = timezone.localdate()
    due = today + dt.timedelta(days=300)
    return [
        make_article(title=title, reviewer=reviewer, reviewed_on=today, next_review_due=due)
        for title in ("What is TMS?", "Side effects")
    ]


def change_url(reviewer) -> str:
    return reverse("admin:articles_reviewer_change", args=[reviewer.pk])


def test_a_medical_reviewer_sees_their_profile_read_only_and_cannot_change_it(client, medical_reviewer, reviewer):
    client.force_login(medical_reviewer)
    page = client.get(change_url(reviewer))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="name"' not in html and 'name="credentials"' not in html and 'name="_save"' not in html
    forged = {"name": "Prof Dr Test Person", "credentials": "MD, PhD, FRCPsych", **PROFILE}
    assert client.post(change_url(reviewer), forged).status_code == 403
    assert client.post(reverse("admin:articles_reviewer_add"), forged).status_code == 403
    reviewer.refresh_from_db()
    assert (reviewer.name, reviewer.credentials) == ("Dr Test Person", "MD, psychiatrist")
    assert not Reviewer.objects.filter(name="Prof Dr Test Person").exists()


def test_no_group_may_add_or_change_reviewer_profiles():
    for group in Group.objects.all():
        codenames = set(group.permissions.values_list("codename", flat=True))
        assert not codenames & {"add_reviewer", "change_reviewer", "delete_reviewer"}, group.name


def test_an_administrators_change_to_a_reviewer_with_published_sign_offs_is_kept_and_shown(
    admin_client, admin_user, reviewer, signed_off_pages
):
    form = admin_client.get(change_url(reviewer)).content.decode()
    assert "2 published page(s) name this reviewer" in form and "What is TMS?" in form
    renamed = {"name": "Dr Test Person-Smith", "credentials": "MD, psychiatrist", **PROFILE}
    response = admin_client.post(change_url(reviewer), renamed, follow=True)
    assert "2 published page(s) now show the changed name" in response.content.decode()
    history = admin_client.get(reverse("admin:articles_reviewer_history", args=[reviewer.pk])).content.decode()
    assert "Dr Test Person-Smith" in history and "Dr Test Person" in history
    assert admin_user.username in history and "Changed name" in history
    before, after = (r.name for r in reviewer.history.order_by("history_id"))
    assert (before, after) == ("Dr Test Person", "Dr Test Person-Smith")
    assert reviewer.history.latest().history_user == admin_user


def test_the_migration_takes_profiles_from_medical_reviewers_and_starts_each_profiles_history(tmp_path):
    db = tmp_path / "site.sqlite3"
    env = {
        **os.environ, "DATABASE_URL": f"sqlite:///{db}", "DJANGO_SECRET_KEY": "test-only", "DJANGO_DEBUG": "",
        "DJANGO_ALLOWED_HOSTS": "testserver",
    }  # fmt: skip

    def manage(*args):
        result = subprocess.run(
            [sys.executable, "manage.py", *args], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True,
            timeout=180,
        )  # fmt: skip
        assert result.returncode == 0, result.stdout + result.stderr

    manage("migrate", "articles", "0005", "--noinput")
    with sqlite3.connect(db) as connection:
        connection.execute(
            "INSERT INTO articles_reviewer (name, credentials, role, profile_url, conflicts_of_interest) "
            "VALUES ('Dr Before', 'MD', '', '', '')"
        )
    manage("migrate", "--noinput")
    with sqlite3.connect(db) as connection:
        granted = {
            row[0]
            for row in connection.execute(
                "SELECT p.codename FROM auth_group g JOIN auth_group_permissions gp ON gp.group_id = g.id "
                "JOIN auth_permission p ON p.id = gp.permission_id WHERE g.name = 'Medical reviewers'"
            )
        }
        history = connection.execute("SELECT name, history_type FROM articles_historicalreviewer").fetchall()
    assert "sign_off_article" in granted and not granted & {"add_reviewer", "change_reviewer"}
    assert history == [("Dr Before", "+")]
