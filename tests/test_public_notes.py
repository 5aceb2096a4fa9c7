"""Public notes tell the truth (issue 19, item 4): once readers can see a page-history entry, its
date and kind cannot be rewritten; a correction is a new entry."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from articles import workflow
from articles.models import PageChange

pytestmark = pytest.mark.django_db
SHOWN = '<time datetime="2027-03-12">12 Mar 2027</time> · clinical · Added theta-burst timing'


@pytest.fixture
def editor_client(client, django_user_model):
    user = django_user_model.objects.create_user("edna", is_staff=True)
    user.groups.add(Group.objects.get(name=workflow.EDITORS))
    client.force_login(user)
    return client


def entry(article, *, public: bool) -> PageChange:
    return PageChange.objects.create(
        article=article, date=dt.date(2027, 3, 12), kind="clinical", note="Added theta-burst timing", public=public
    )


def test_an_editor_cannot_rewrite_the_date_or_kind_of_a_public_entry(editor_client, client, make_article):
    article = make_article(slug="page")
    shown = entry(article, public=True)
    url = reverse("admin:articles_pagechange_change", args=[shown.pk])
    form = editor_client.get(url).content.decode()
    assert 'name="date"' not in form and 'name="kind"' not in form
    rewrite = {"date": "2027-06-01", "kind": "editorial", "note": "Added theta-burst timing"}
    assert editor_client.post(url, rewrite).status_code == 302
    shown.refresh_from_db()
    assert (shown.date, shown.kind) == (dt.date(2027, 3, 12), "clinical")
    client.logout()
    assert SHOWN in client.get("/tms/page/").content.decode()


def test_an_entry_readers_cannot_see_yet_can_still_be_put_right(editor_client, make_article):
    waiting = entry(make_article(slug="page"), public=False)
    url = reverse("admin:articles_pagechange_change", args=[waiting.pk])
    rewrite = {"date": "2027-06-01", "kind": "editorial", "note": "Fixed the dosage table"}
    assert editor_client.post(url, rewrite).status_code == 302
    waiting.refresh_from_db()
    assert (waiting.date, waiting.kind, waiting.note) == (dt.date(2027, 6, 1), "editorial", "Fixed the dosage table")
