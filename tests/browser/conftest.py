"""Real-browser tests: Playwright driving Debian's chromium against pytest-django's live server.

Without chromium the browser tests are skipped (make test says so); in CI (CI=true) a missing
browser is a failure, so a green CI always means the browser tests ran.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from articles.content import import_content

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


def _no_static_handler(app):
    """Serve /static/ the way production does (whitenoise, hashed names from collectstatic)."""
    return app


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, but without Django's finder-based static handler, and
    answering one request at a time: the in-memory SQLite test database is one connection
    shared with the server thread, and concurrent requests on it fail at random."""
    from django.core.servers.basehttp import WSGIServer
    from django.test.testcases import LiveServerThread
    from pytest_django.live_server_helper import LiveServer

    class OneAtATimeServer(WSGIServer):
        def __init__(self, *args, connections_override=None, **kwargs):
            super().__init__(*args, **kwargs)  # the server thread itself holds the shared connection

    class OneAtATimeLiveServerThread(LiveServerThread):
        server_class = OneAtATimeServer

    server = LiveServer("localhost", start=False)
    server.thread = OneAtATimeLiveServerThread(
        "localhost", static_handler=_no_static_handler, connections_override=server.thread.connections_override
    )
    server.thread.daemon = True
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI: chromium not found at {CHROMIUM}; the browser tests must run in CI.")
        pytest.skip("chromium is not installed: browser test skipped (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def live_content(transactional_db):
    """The real content/ folder in the live server's database."""
    import_content(Path(settings.BASE_DIR) / "content")


@pytest.fixture
def new_page(browser, live_server):
    """Make pages in fresh browser contexts; collects console errors and dialogs on each page."""
    contexts = []

    def make(**context_options):
        context = browser.new_context(base_url=live_server.url, **context_options)
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []
        page.dialogs = []
        page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
        page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))

        def on_dialog(dialog):
            page.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture(scope="session")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_violations(
    axe, page, rules: list[str] | None = None, skip: tuple[str, ...] = (), within: str = ""
) -> list[str]:
    """axe-core at WCAG 2.2 A and AA (less the rules in `skip`), or only the given rules, on the
    whole page or only `within` the elements a CSS selector matches: one line per violation.

    axe is put into the page once per page load, so checking one loaded page again (another
    width, another colour scheme) costs only the check itself."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe.axe_script)
    options = {
        "runOnly": {"type": "rule", "values": rules} if rules else {"type": "tag", "values": WCAG_TAGS},
        "rules": {rule: {"enabled": False} for rule in skip},
        "resultTypes": ["violations"],
    }
    script = "([within, options]) => axe.run(within ? {include: [[within]]} : document, options)"
    found = page.evaluate(script, [within, options])
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes: {[n['target'] for n in v['nodes']][:5]})"
        for v in found["violations"]
    ]


# The permissions matrix's objects (one per admin-managed model), for browser tests of the admin.
from tests.test_permissions import objects  # noqa: E402, F401
