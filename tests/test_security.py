"""Security promises: headers on every response, production settings that pass Django's deploy
check, bad requests answered with a 4xx page that keeps the footer (never a 500), a configurable
admin path, staff sessions that end, and passwords checked by Django's validators."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from tests.admin_forms import admin_form_data
from tests.test_site import assert_page_keeps_promises

PUBLIC_URLS = ["/", "/help/", "/tms/about-this-site/", "/tms/page-a/"]
ADMIN = f"/{settings.ADMIN_PATH}"
PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "a-long-random-production-like-secret-key-3f9c2b7e1d8a4c6b0e5f9a2d7c1b8e4f",
    "DJANGO_ALLOWED_HOSTS": "tmsinfo.example",
    "DJANGO_DEBUG": "",
    "DJANGO_SECURE_SSL_REDIRECT": "",
    "DJANGO_SECURE_COOKIES": "",
}


@pytest.fixture
def pages(make_article):
    make_article(slug="page-a")
    make_article(slug="about-this-site", topic="about")


def run_django(code: str, **env) -> subprocess.CompletedProcess:
    """Python with the project's settings in a fresh process, under the given environment."""
    full_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tmsinfo.settings", **env}
    full_env = {k: v for k, v in full_env.items() if v != ""}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code], env=full_env, cwd=settings.BASE_DIR,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


# --- Headers -----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", PUBLIC_URLS + ["/tms/no-such-page/"])
def test_every_public_response_sends_the_security_headers(client, pages, url):
    response = client.get(url)
    csp = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe" not in csp
    assert directives["object-src"] == "'none'" and directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'" and directives["form-action"] == "'self'"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    policy = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "browsing-topics"):
        assert f"{feature}=()" in policy


@pytest.mark.django_db
def test_the_admin_works_under_the_same_policy(admin_client):
    response = admin_client.get(f"{ADMIN}articles/article/add/")
    assert response.status_code == 200
    assert "unsafe" not in response["Content-Security-Policy"]


def test_production_settings_pass_the_deploy_check_without_warnings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={**{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}, **PRODUCTION_ENV},
        cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr


def test_production_settings_redirect_to_https_and_send_hsts_ready_for_preload():
    code = (
        "from django.conf import settings as s\n"
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS,"
        " s.SECURE_HSTS_PRELOAD, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY)\n"
        "from django.test import Client\n"
        "r = Client().get('/help/', HTTP_HOST='tmsinfo.example')\n"
        "print(r.status_code, r['Location'])\n"
        "r = Client().get('/healthz', HTTP_HOST='tmsinfo.example', headers={'X-Forwarded-Proto': 'https'})\n"
        "print(r['Strict-Transport-Security'])\n"
    )
    result = run_django(code, **PRODUCTION_ENV, DATABASE_URL="sqlite:///:memory:")
    lines = result.stdout.splitlines()
    assert lines[0] == "True 31536000 True True True True True", result.stdout + result.stderr
    assert lines[1] == "301 https://tmsinfo.example/help/"
    assert lines[2] == "max-age=31536000; includeSubDomains; preload"


# --- Bad requests --------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options"])
@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_only_get_and_head_reach_public_pages_others_get_a_405_page(pages, url, method):
    client = Client(enforce_csrf_checks=True)
    response = getattr(client, method)(url)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert_page_keeps_promises(response.content.decode(), f"{method} {url}")
    assert client.head(url).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("q=" + "x" * 7000, 414),  # oversized
        ("a&" * 1001, 400),  # more fields than Django parses
        ("q=%ff%fe%", 200),  # not UTF-8 and a dangling %: read as replacement characters
        ("q=%00%0d%0a<script>", 200),
        ("=&&==&a=%zz", 200),
    ],
    ids=["oversized", "too-many-fields", "not-utf8", "control-chars", "malformed"],
)
def test_strange_query_strings_get_a_page_with_the_footer_never_a_500(pages, query, status):
    client = Client(raise_request_exception=False)
    for url in PUBLIC_URLS:
        response = client.get(f"{url}?{query}")
        assert response.status_code == status, url
        assert_page_keeps_promises(response.content.decode(), f"{url}?{query[:20]}")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/tms/%ff%fe/", "/%c0%af/", "/tms/caf%e9/", "/tms/%00/", "/" + "a" * 3000 + "/"])
def test_strange_paths_get_a_404_page_with_the_footer(path):
    response = Client(raise_request_exception=False).get(path)
    assert response.status_code == 404
    assert_page_keeps_promises(response.content.decode(), path[:40])


@pytest.mark.django_db
@pytest.mark.parametrize("host", ["evil.example", "localhost.evil.example", "[::1", "bad host", "a" * 300])
def test_unknown_or_malformed_hosts_get_a_400_page_with_the_footer(host):
    response = Client(HTTP_HOST=host, raise_request_exception=False).get("/")
    assert response.status_code == 400
    assert_page_keeps_promises(response.content.decode(), host[:40])


# --- Admin path, sessions, passwords ------------------------------------------------------------


def test_the_admin_path_is_configurable_and_the_old_one_is_gone():
    code = (
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0)\n"
        "from django.test import Client\n"
        "c = Client()\n"
        "r = c.get('/editorial-desk-7f3a/'); print(r.status_code, r['Location'])\n"
        "r = c.get('/editorial-desk-7f3a/login/'); print(r.status_code)\n"
        "print(c.get('/admin/').status_code, c.get('/admin/login/').status_code)\n"
        "print(c.get('/robots.txt').content.decode().count('editorial-desk'))\n"
    )
    result = run_django(
        code, DJANGO_ADMIN_PATH="editorial-desk-7f3a", DJANGO_SECRET_KEY="test-only", DATABASE_URL="sqlite:///:memory:",
        DJANGO_SECURE_SSL_REDIRECT="0", DJANGO_ALLOWED_HOSTS="testserver",
    )  # fmt: skip
    lines = result.stdout.splitlines()
    assert lines[:3] == ["302 /editorial-desk-7f3a/login/?next=/editorial-desk-7f3a/", "200", "404 404"], (
        result.stdout + result.stderr
    )
    assert lines[3] == "0"  # robots.txt does not give the hidden path away


@pytest.mark.django_db
def test_staff_sessions_end_after_the_session_age(client, django_user_model):
    assert settings.SESSION_COOKIE_AGE <= 12 * 60 * 60
    user = django_user_model.objects.create_user("editor", is_staff=True)
    client.force_login(user)
    assert client.get(ADMIN).status_code == 200
    # Once the session age has passed, the next request asks for the password again.
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(ADMIN)
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.django_db
def test_the_login_cookie_is_a_browser_session_cookie(django_user_model):
    django_user_model.objects.create_user("editor", password="correct horse battery staple 42", is_staff=True)
    response = Client().post(f"{ADMIN}login/", {"username": "editor", "password": "correct horse battery staple 42"})
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == "" and cookie["expires"] == ""  # forgotten when the browser closes
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "password",
    ["short1", "password123", "12345678901234", "editor-one-2026"],
    ids=["short", "common", "numeric", "like-username"],
)
def test_weak_passwords_are_refused_when_an_administrator_sets_one(admin_client, password):
    url = f"{ADMIN}auth/user/add/"
    data = admin_form_data(admin_client, url, form_id="user_form", username="editor-one-2026",
                           usable_password="true", password1=password, password2=password)  # fmt: skip
    response = admin_client.post(url, data)
    assert response.status_code == 200  # the form comes back with an error, no user is made
    assert "errornote" in response.content.decode()
