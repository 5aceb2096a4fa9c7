"""Site-wide promises: every public HTML response carries the crisis lines and the disclaimer."""

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

DISCLAIMER = "not a substitute for professional medical advice"
CRISIS = 'href="tel:988">Call or text 988</a>'


def assert_page_keeps_promises(html: str, where: str):
    assert DISCLAIMER in html, f"{where}: no medical disclaimer"
    assert CRISIS in html, f"{where}: no 988 line"
    assert 'href="/help/">Get help now</a>' in html, f"{where}: no 'Get help now' link"
    assert len(re.findall(r"<h1[\s>]", html)) == 1, f"{where}: not exactly one <h1>"
    assert '<html lang="en">' in html and 'href="#main"' in html and '<main id="main"' in html, where


def public_urls(articles):
    return ["/", "/help/"] + [a.get_absolute_url() for a in articles]


@pytest.mark.django_db
def test_every_public_page_keeps_the_promises(client, site_content, make_article):
    if not any(a.slug == "about-this-site" for a in site_content):
        make_article(slug="about-this-site", topic="about")
    for url in public_urls(site_content):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_page_keeps_promises(response.content.decode(), url)


@pytest.mark.django_db
def test_404_page_keeps_the_promises(client):
    response = client.get("/tms/no-such-page/")
    assert response.status_code == 404
    assert_page_keeps_promises(response.content.decode(), "404")


@pytest.mark.django_db
def test_the_footer_follows_the_configured_region_and_error_address(client, settings):
    # The footer is rendered once per process and configuration (articles/templatetags/site.py).
    settings.CRISIS_REGION, settings.DEBUG = "UK", False
    footer = client.get("/tms/first-missing-page/").content.decode().split('<footer class="site-footer">')[1]
    assert "Samaritans" in footer and "tel:988" not in footer
    settings.CRISIS_REGION, settings.REPORT_ERROR_URL = "US", "mailto:errors@example.org"
    footer = client.get("/tms/second-missing-page/").content.decode().split('<footer class="site-footer">')[1]
    assert CRISIS in footer and "Samaritans" not in footer and 'href="mailto:errors@example.org"' in footer


@pytest.mark.django_db
def test_400_page_keeps_the_promises():
    response = Client(HTTP_HOST="evil.example").get("/")
    assert response.status_code == 400
    assert_page_keeps_promises(response.content.decode(), "400")


@pytest.mark.django_db
def test_403_page_keeps_the_promises():
    response = Client(enforce_csrf_checks=True).post(f"/{settings.ADMIN_PATH}login/", {"username": "x"})
    assert response.status_code == 403
    assert_page_keeps_promises(response.content.decode(), "403")


def run_with_database_down(code: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tmsinfo.settings",
        "DATABASE_URL": "postgres://nobody:nothing@127.0.0.1:9/unreachable?connect_timeout=2",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DJANGO_SECRET_KEY": "test-only",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_DEBUG": "",
    }
    prelude = (
        "import django; django.setup(); from django.test import Client\nc = Client(raise_request_exception=False)\n"
    )
    return subprocess.run(
        [sys.executable, "-c", prelude + code], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip


def test_500_page_carries_crisis_lines_without_database():
    result = run_with_database_down("r = c.get('/'); print(r.status_code); print(r.content.decode())")
    status, _, html = result.stdout.partition("\n")
    assert status == "500", result.stdout + result.stderr
    assert "Something went wrong" in html
    assert_page_keeps_promises(html, "500")


def test_healthz_is_503_without_database():
    result = run_with_database_down("r = c.get('/healthz'); print(r.status_code, r['Cache-Control'])")
    assert result.stdout.startswith("503"), result.stdout + result.stderr
    assert "no-cache" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SECRET_KEY", "DJANGO_DEBUG")}
    env["DJANGO_SETTINGS_MODULE"] = "tmsinfo.settings"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


@pytest.mark.django_db
def test_no_model_change_is_missing_a_migration():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_robots_txt_keeps_crawlers_out_of_the_admin(client):
    body = client.get("/robots.txt").content.decode()
    assert f"Disallow: /{settings.ADMIN_PATH}" in body
