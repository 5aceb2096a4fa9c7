"""Admin sign-in: five wrong passwords pause sign-in with a clear message; the pause ends by
itself after the cool-off time, or at once when an administrator unlocks the account."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client

pytestmark = pytest.mark.django_db
LOGIN = f"/{settings.ADMIN_PATH}login/"
PASSWORD = "correct horse battery staple 42"


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_user("editor", password=PASSWORD, is_staff=True)


def sign_in(client, password, username="editor"):
    return client.post(LOGIN, {"username": username, "password": password, "next": f"/{settings.ADMIN_PATH}"})


def fail_five_times(client):
    for attempt in range(1, 6):
        response = sign_in(client, f"wrong-{attempt}")
        assert SESSION_KEY not in client.session
    return response


def test_four_wrong_passwords_still_allow_a_correct_one(client, editor):
    for attempt in range(4):
        response = sign_in(client, f"wrong-{attempt}")
        assert response.status_code == 200 and "correct username and password" in response.content.decode()
    assert sign_in(client, PASSWORD).status_code == 302
    assert client.session[SESSION_KEY] == str(editor.pk)


def test_five_wrong_passwords_pause_sign_in_with_a_clear_message(client, editor):
    response = fail_five_times(client)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many failed sign-in attempts" in html and "15 minutes" in html
    assert "administrator" in html  # says how to get unlocked sooner

    # Even the right password is refused while the pause lasts.
    response = sign_in(client, PASSWORD)
    assert response.status_code == 429
    assert SESSION_KEY not in client.session


def test_the_pause_also_holds_from_another_address(editor):
    fail_five_times(Client(REMOTE_ADDR="203.0.113.5"))
    elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    assert sign_in(elsewhere, PASSWORD).status_code == 429
    assert SESSION_KEY not in elsewhere.session


def test_guessing_many_usernames_from_one_address_is_paused_too(client, editor):
    for n in range(5):
        sign_in(client, "wrong", username=f"guess-{n}")
    assert sign_in(client, PASSWORD).status_code == 429


def test_the_pause_ends_after_the_cool_off_time(client, editor):
    fail_five_times(client)
    # Let the cool-off time pass: the attempts now date from before it.
    earlier = settings.AXES_COOLOFF_TIME + timedelta(minutes=1)
    for attempt in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=attempt.attempt_time - earlier)
    assert sign_in(client, PASSWORD).status_code == 302
    assert client.session[SESSION_KEY] == str(editor.pk)


def test_an_administrator_unlocks_the_account_in_the_admin(client, editor, django_user_model):
    fail_five_times(client)
    admin_client = Client()
    admin_client.force_login(django_user_model.objects.create_user("boss", is_staff=True, is_superuser=True))
    changelist = f"/{settings.ADMIN_PATH}axes/accessattempt/"
    listing = admin_client.get(changelist).content.decode()
    assert "editor" in listing
    response = admin_client.post(
        changelist,
        {
            "action": "delete_selected",
            "_selected_action": [a.pk for a in AccessAttempt.objects.all()],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert sign_in(client, PASSWORD).status_code == 302
    assert client.session[SESSION_KEY] == str(editor.pk)


def test_a_successful_sign_in_clears_earlier_failures(client, editor):
    for attempt in range(4):
        sign_in(client, f"wrong-{attempt}")
    assert sign_in(client, PASSWORD).status_code == 302
    client.logout()
    for attempt in range(4):
        sign_in(client, f"wrong-again-{attempt}")
    assert sign_in(client, PASSWORD).status_code == 302
