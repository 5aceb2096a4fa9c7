"""The admin and the markdown editor work under the site's Content-Security-Policy: every admin
page opens in a real browser with no console error (a blocked inline script or style would
show up there)."""

from django.conf import settings
from django.test import Client

from tests.test_permissions import admin_urls


def test_every_admin_page_runs_under_the_csp_without_errors(transactional_db, new_page, live_server, objects):
    client = Client()
    client.force_login(objects["auth.user"].__class__.objects.create_user("boss", is_staff=True, is_superuser=True))
    page = new_page()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
          "url": live_server.url}]
    )  # fmt: skip
    errors = {}
    for label, kind, url in [("admin", "index", f"/{settings.ADMIN_PATH}"), *admin_urls(objects)]:
        response = page.goto(url)
        page.wait_for_load_state("load")
        if response.status != 200 or page.console_errors or page.dialogs:
            errors[f"{label} {kind}"] = [response.status, *page.console_errors, *page.dialogs]
        page.console_errors.clear()
    assert errors == {}
