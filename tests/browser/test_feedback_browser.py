"""Reader feedback in a real browser.

Without JavaScript, against the production server (the container entrypoint, gunicorn with its
config, Redis as the shared cache, behind "our" proxy): a reader answers "No", picks a reason and
writes a message with an email address in it. The stored entry has the marker instead of the
address; the reader's address and browser appear nowhere: not in any table, log line or Redis key.
The sixth post in an hour from that reader is refused, counted in Redis.

With JavaScript, on the live server: "Report a problem" beside a section opens the form with that
section chosen, and every answer, the crisis lines first for a reader in danger, appears in place.
"""

import json
import socket
import sqlite3
import time
import urllib.error
import urllib.request
from urllib.parse import urlencode, urlsplit

import pytest

from tests.test_connect_privacy import database_text, redis_contents, redis_url  # noqa: F401 (a fixture)
from tests.test_production import free_port, serve_production

from .conftest import axe_violations

ARTICLE = "/tms/risks-and-side-effects/"
READER_ADDRESS = "203.0.113.77"  # what our proxy says the reader's address is (X-Forwarded-For)
READER_BROWSER = "Mozilla/5.0 (Linux; Android 14) TMSInfoPrivacyProbe/4.2"
EMAIL = "maria.lopez.private@example.org"


@pytest.fixture
def production(tmp_path, redis_url):  # noqa: F811 (the fixture imported above)
    """gunicorn as the container runs it, behind one proxy of ours (DJANGO_TRUSTED_PROXIES=1)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with serve_production(
        tmp_path, port, TMSINFO_IMPORT_CONTENT="1", REDIS_URL=redis_url, DJANGO_TRUSTED_PROXIES="1",
        TMSINFO_SITE_URL=base, DJANGO_LOG_LEVEL="DEBUG",
    ) as log:  # fmt: skip
        yield base, log, tmp_path / "site.sqlite3", redis_url


def request(url: str, data: dict | None = None, **headers) -> tuple[int, dict, bytes]:
    body = urlencode(data).encode() if data is not None else None
    req = urllib.request.Request(url, data=body, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_without_javascript_no_a_reason_and_a_message_are_kept_without_anything_about_the_reader(browser, production):
    base, log, database, redis = production
    before = request(base + ARTICLE)
    context = browser.new_context(
        base_url=base, java_script_enabled=False, user_agent=READER_BROWSER,
        extra_http_headers={"X-Forwarded-For": READER_ADDRESS},
    )  # fmt: skip
    try:
        page = context.new_page()
        page.goto(ARTICLE)
        page.locator("#feedback").get_by_role("button", name="No").click()
        page.get_by_role("heading", level=1, name="Thank you. What was wrong?").wait_for()
        page.get_by_label("Which part of the page?").select_option(label="What are the common side effects?")
        page.get_by_label("Something is wrong or out of date").check()
        page.get_by_label("What should we know? (optional)").fill(
            f"The table on headaches does not match reference 3. Please email me at {EMAIL}."
        )
        page.get_by_role("button", name="Send").click()
        page.get_by_role("heading", level=1, name="Thank you for telling us").wait_for()
        assert page.get_by_role("link", name="Call or text 988").count() == 1  # the footer, as on every page
        assert context.cookies() == []
    finally:
        context.close()

    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT helpful, section, reason, text, language, version FROM articles_feedback").fetchall()
    assert rows == [
        (0, "common-side-effects", "wrong",
         "The table on headaches does not match reference 3. Please email me at [email removed].", "en", 1),
    ]  # fmt: skip

    # The article is cached as before: the same headers, no cookie.
    after = request(base + ARTICLE)
    for name in ("Cache-Control", "ETag", "Vary"):
        assert before[1].get(name) == after[1].get(name), name
    assert "Set-Cookie" not in before[1] and "Set-Cookie" not in after[1]

    # The same reader, three more posts: the sixth in the hour is refused (counted in Redis).
    same_reader = {"Origin": base, "User-Agent": READER_BROWSER, "X-Forwarded-For": READER_ADDRESS}
    answers = [
        request(base + "/feedback/", {"reason": "other", "text": f"Post {n}"}, **same_reader) for n in (3, 4, 5, 6)
    ]
    assert [status for status, _, _ in answers] == [200, 200, 200, 429]
    assert b"several messages in the last hour" in answers[-1][2]
    assert request(base + "/feedback/", {"reason": "other", "text": "Post"}, Origin=base,
                   **{"X-Forwarded-For": "198.51.100.20"})[0] == 200  # another reader  # fmt: skip

    # A malformed request: gunicorn refuses it and logs no address.
    with socket.create_connection(("127.0.0.1", urlsplit(base).port)) as raw:
        raw.sendall(b"NOT A REQUEST\r\n\r\n")
        raw.recv(1024)
    time.sleep(0.5)  # let the worker flush its log lines

    logged = log.read_text()
    posts = [json.loads(line) for line in logged.splitlines() if '"method": "POST"' in line]
    assert len(posts) == 7 and all(set(entry) == {"time", "method", "path", "status", "bytes", "ms"} for entry in posts)
    assert "Invalid request from ip=[removed]" in logged
    stored = database_text(database)
    cached = redis_contents(redis)
    assert b"tmsinfo-feedback" in cached  # the counts are in Redis, under hashes
    for trace in (READER_ADDRESS, "198.51.100.20", "TMSInfoPrivacyProbe", EMAIL, "maria.lopez"):
        assert trace not in logged, f"log: {trace}"
        assert trace not in stored, f"database: {trace}"
        assert trace.encode() not in cached, f"Redis: {trace}"
    assert "127.0.0.1" not in stored  # not even the proxy's address


def test_with_javascript_the_reader_stays_on_the_page_and_a_reader_in_danger_gets_help_first(
    new_page, live_server, live_content, axe
):
    from articles.models import Feedback

    page = new_page()
    page.goto(ARTICLE)
    # "Report a problem" beside a section's "#" link: the form opens with that section, in place.
    page.get_by_role("link", name="Report a problem with the section How likely is a seizure?").click()
    assert page.url.endswith(ARTICLE)
    assert page.locator("details.feedback-report").evaluate("el => el.open")
    section = page.get_by_label("Which part of the page?")
    assert section.input_value() == "seizure-risk" and section.evaluate("el => el === document.activeElement")
    assert axe_violations(axe, page) == []
    page.get_by_label("It is hard to understand").check()
    page.get_by_role("button", name="Send").click()
    page.locator("#feedback").get_by_role("heading", name="Thank you for telling us").wait_for()
    assert page.url.endswith(ARTICLE)

    # A reader who came from a shared link to a section, answers "No", and is in danger.
    assert page.console_errors == []
    page = new_page()
    page.goto(ARTICLE + "#common-side-effects")
    page.locator("#feedback").get_by_role("button", name="No").click()
    page.locator("#feedback").get_by_role("heading", name="Thank you. What was wrong?").wait_for()
    assert page.get_by_label("Which part of the page?").input_value() == "common-side-effects"
    page.get_by_label("Something else").check()
    page.get_by_label("What should we know? (optional)").fill("Nothing helps. I don't want to live anymore.")
    page.get_by_role("button", name="Send").click()
    crisis = page.locator("#feedback").get_by_role("heading", name="If you need help now")
    crisis.wait_for()
    assert crisis.evaluate("el => el === document.activeElement")  # read out first
    box = page.locator("#feedback").inner_text()
    assert box.index("Call or text 988") < box.index("Thank you for telling us")
    assert page.url.endswith(ARTICLE + "#common-side-effects")
    assert axe_violations(axe, page) == []
    assert page.console_errors == []

    entries = list(Feedback.objects.order_by("pk").values_list("helpful", "section", "reason", "flagged"))
    assert entries == [(None, "seizure-risk", "unclear", False), (False, "common-side-effects", "other", True)]
