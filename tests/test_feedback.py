"""Readers tell us what is wrong: "Was this page helpful?" and "Report a problem", answered with
help for anyone in distress, private by design, and never at the cost of fast, cacheable pages.

Posts go through the real middleware stack with the test client, sent as a browser sends a form
(``application/x-www-form-urlencoded`` with an ``Origin`` header). The journey in a real browser
without JavaScript, against gunicorn and Redis, is in tests/browser/test_feedback_browser.py.
"""

import datetime as dt
import logging
import re
from urllib.parse import urlencode

import pytest
from django.core.cache import caches
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from articles import feedback, workflow
from articles.models import Feedback
from tests.test_site import CRISIS, assert_page_keeps_promises, run_with_database_down

pytestmark = pytest.mark.django_db
URL = reverse("articles:feedback")
SITE = "http://testserver"
EMAIL = "worried.reader@example.org"


def post(client, data: dict, *, origin: str | None = SITE, **headers):
    """A form post as a browser sends it (and an Origin header, as every current browser does)."""
    if origin is not None:
        headers["Origin"] = origin
    return client.post(URL, urlencode(data, doseq=True), content_type=feedback.FORM_CONTENT_TYPES[0], headers=headers)


def text_of(response) -> str:
    return response.content.decode()


@pytest.fixture
def page(make_article):
    article = make_article(slug="what-is-tms", title="What is TMS?")
    return article.published_pages.get(language="en")


def vote(page, answer: str) -> dict:
    return {"page": page.article_id, "version": page.version, "helpful": answer}


def report(page, **fields) -> dict:
    return {"page": page.article_id, "version": page.version, "section": "", "reason": "wrong", "text": "", **fields}


# --- the form on every article page ----------------------------------------------------------------
def test_every_article_page_ends_with_was_this_page_helpful_and_a_short_problem_form(client, page):
    html = text_of(client.get("/tms/what-is-tms/"))
    box = html[html.index('<section class="feedback" id="feedback"') :]
    assert "Was this page helpful?" in box
    assert 'name="helpful" value="yes"' in box and 'name="helpful" value="no"' in box
    assert f'action="{URL}"' in box and 'method="post"' in box
    assert "Report a problem with this page" in box
    reasons = re.findall(r'name="reason" value="([a-z]+)"', box)
    assert reasons == ["unclear", "wrong", "link", "missing", "other"]
    assert 'maxlength="500"' in box
    # "We can't reply" comes above the text box, from the crisis module; the promise under the form.
    no_reply = box.index("We can't reply to messages.")
    assert no_reply < box.index("<textarea") < box.index('class="feedback-privacy"')
    assert '<a href="tel:988">call or text 988</a>' in box
    assert "csrfmiddlewaretoken" not in html  # no token: the page stays cacheable


def test_the_no_reply_line_follows_the_configured_region(client, page, settings):
    settings.CRISIS_REGION = "UK"
    box = text_of(client.get("/tms/what-is-tms/")).split('id="feedback"')[1]
    assert '<a href="tel:116123">call Samaritans on 116 123</a>' in box and "tel:988" not in box


def test_the_handout_and_the_staff_preview_have_no_feedback_box(client, page, make_article, admin_client):
    assert 'id="feedback"' not in text_of(client.get("/tms/what-is-tms/print/"))
    make_article(slug="a-draft", status="draft")
    preview = text_of(admin_client.get("/tms/a-draft/"))
    assert "not visible to the public" in preview and 'id="feedback"' not in preview


def test_a_report_a_problem_link_for_a_section_opens_the_form_with_that_section_chosen(client, page):
    html = text_of(client.get("/tms/what-is-tms/?section=what-is-it"))
    assert '<details class="feedback-report" open>' in html
    assert '<option value="what-is-it" selected>What is it?</option>' in html
    other = text_of(client.get("/tms/what-is-tms/?section=not-a-section"))
    assert '<details class="feedback-report">' in other and '<option value="" selected>' in other


def test_the_footer_report_an_error_opens_the_site_feedback_form(client, page, settings):
    html = text_of(client.get("/"))
    assert f'<a href="{URL}">Report an error</a>' in html
    form = client.get(URL)
    assert form.status_code == 200 and not form.cookies
    assert_page_keeps_promises(text_of(form), "the site feedback form")
    assert 'name="reason"' in text_of(form) and 'name="section"' not in text_of(form)


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_the_feedback_address_takes_only_get_and_post(client, method):
    response = getattr(client, method)(URL, headers={"Origin": SITE})
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD, POST"
    assert_page_keeps_promises(text_of(response), f"{method} {URL}")


# --- what is stored -----------------------------------------------------------------------------
def test_yes_is_kept_with_the_page_its_version_and_the_date_and_nothing_about_the_reader(client, page):
    response = post(client, vote(page, "yes"), user_agent="PatientPhone/9.9", x_forwarded_for="203.0.113.9")
    assert response.status_code == 200
    assert_page_keeps_promises(text_of(response), "thank-you page")
    assert "Thank you" in text_of(response) and 'href="/tms/what-is-tms/"' in text_of(response)
    entry = Feedback.objects.get()
    assert (entry.article_id, entry.language, entry.version, entry.helpful) == (
        page.article_id,
        "en",
        page.version,
        True,
    )
    assert entry.received_on == timezone.localdate() and type(entry.received_on) is dt.date
    # No column could hold anything about the reader.
    assert {f.name for f in Feedback._meta.get_fields()} == {
        "id", "article", "language", "version", "helpful", "section", "reason", "text", "received_on", "flagged",
        "handled",
    }  # fmt: skip


def test_no_then_the_short_form_make_one_entry_with_the_email_replaced_by_a_marker(client, page):
    asked = post(client, vote(page, "no"))
    assert asked.status_code == 200 and "What was wrong?" in text_of(asked)
    token = re.search(r'name="after" value="([^"]+)"', text_of(asked)).group(1)
    text = f"The number of sessions looks out of date. Email me at {EMAIL} or call 555-123-4567."
    thanks = post(client, report(page, after=token, section="what-is-it", reason="wrong", text=text))
    assert thanks.status_code == 200 and "Thank you" in text_of(thanks)
    entry = Feedback.objects.get()
    assert (entry.helpful, entry.section, entry.reason) == (False, "what-is-it", "wrong")
    assert entry.text == (
        "The number of sessions looks out of date. Email me at [email removed] or call [phone number removed]."
    )
    assert EMAIL not in text_of(thanks)


def test_a_report_without_an_answer_and_feedback_about_the_whole_site_are_kept_too(client, page):
    assert post(client, report(page, reason="link", section="references")).status_code == 200
    assert post(client, {"reason": "other", "text": "The search does not find 'deep TMS'."}).status_code == 200
    on_page, whole_site = Feedback.objects.order_by("pk")
    assert (on_page.helpful, on_page.reason, on_page.section) == (None, "link", "references")
    assert on_page.article_id == page.article_id
    assert whole_site.article is None and whole_site.version is None and whole_site.reason == "other"


def test_feedback_on_an_earlier_published_version_is_kept_under_that_version(client, page):
    seen = page.version
    article = page.article
    article.summary = "A new summary."
    workflow.article_save(article=article, change=workflow.CLINICAL)
    page.refresh_from_db()
    assert page.version != seen
    assert post(client, {**vote(page, "no"), "version": seen}).status_code == 200
    assert post(client, vote(page, "yes")).status_code == 200
    assert sorted(Feedback.objects.values_list("version", "helpful")) == sorted([(seen, False), (page.version, True)])


# --- pages stay cacheable ------------------------------------------------------------------------
def test_an_article_has_the_same_cache_headers_before_and_after_feedback_and_no_cookie(
    client, page, django_assert_num_queries
):
    before = client.get("/tms/what-is-tms/")
    sent = [post(client, vote(page, "yes")), post(client, report(page, text="Typo in the second line."))]
    after = client.get("/tms/what-is-tms/")
    for name in ("Cache-Control", "ETag", "Last-Modified", "Vary"):
        assert before.get(name) == after.get(name), name
    assert "public" in after["Cache-Control"]
    for response in (before, after, *sent):
        assert not response.cookies and "Set-Cookie" not in response
    assert not client.cookies
    assert all(response["Cache-Control"] == "no-store" for response in sent)  # answers are never cached
    with django_assert_num_queries(0):  # still served from the page cache: feedback changed no page
        assert client.get("/tms/what-is-tms/").status_code == 200


# --- refused posts: a clear message, nothing stored ---------------------------------------------------
REFUSALS = {
    "cross-site origin": ({"origin": "https://evil.example"}, {}, 403, "not sent from a page of this website"),
    "cross-site fetch": ({"origin": None, "sec_fetch_site": "cross-site"}, {}, 403, "not sent from a page"),
    "no origin at all": ({"origin": None}, {}, 403, "not sent from a page"),
    "honeypot filled": ({}, {"website": "http://spam.example"}, 400, "a field that should stay empty"),
    "10 kB text": ({}, {"text": "x" * 10_000}, 413, "too long to send"),
    "600 characters": ({}, {"text": "y" * 600}, 400, "500 characters or fewer. It has 600"),
    "unknown reason": ({}, {"reason": "spam"}, 400, "Please check your message"),
    "section not on the page": ({}, {"section": "no-such-section"}, 400, "Please check your message"),
    "unknown version": ({}, {"version": "999"}, 400, "could not read this message"),
    "unknown page": ({}, {"page": "999999"}, 400, "could not find the page"),
    "nothing to say": ({}, {"reason": "", "text": ""}, 400, "choose what the problem is"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(REFUSALS))
def test_refused_posts_say_why_in_the_site_page_and_store_nothing(client, page, case):
    headers, fields, status, message = REFUSALS[case]
    response = post(client, {**report(page, text="The dose table is confusing."), **fields}, **headers)
    assert response.status_code == status
    html = text_of(response)
    assert message in html.replace("&#x27;", "'"), html[html.index("<main") :][:1500]
    assert_page_keeps_promises(html, case)
    assert Feedback.objects.count() == 0


@pytest.mark.parametrize("case", ["honeypot filled", "600 characters", "section not on the page"])
def test_a_refused_message_comes_back_in_the_form_so_nothing_is_lost(client, page, case):
    _, fields, _, _ = REFUSALS[case]
    text = fields.get("text", "The dose table is confusing.")
    html = text_of(post(client, {**report(page), **fields, "text": text}))
    assert f">{text}</textarea>" in html
    assert 'name="website" value=""' in html  # the honeypot comes back empty


def test_the_sixth_post_in_an_hour_from_one_client_is_refused_and_others_can_still_post(client, page):
    for _ in range(5):
        assert post(client, vote(page, "yes")).status_code == 200
    refused = post(client, report(page, text="Sixth message."))
    assert refused.status_code == 429 and refused["Retry-After"] == "3600"
    assert "several messages in the last hour" in text_of(refused) and ">Sixth message.</textarea>" in text_of(refused)
    assert_page_keeps_promises(text_of(refused), "429")
    assert Feedback.objects.count() == 5
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert post(other, vote(page, "yes")).status_code == 200


def test_a_flood_of_refused_posts_never_reaches_the_database(client, page, django_assert_num_queries):
    for _ in range(5):
        post(client, vote(page, "yes"))
    with django_assert_num_queries(0):
        assert post(client, vote(page, "yes"), origin="https://evil.example").status_code == 403
        assert post(client, report(page, text="z" * 9000)).status_code == 413
        assert post(client, vote(page, "yes")).status_code == 429


def test_the_count_per_client_is_a_salted_hash_that_changes_every_day_and_holds_no_address(client, page):
    post(client, vote(page, "yes"), x_forwarded_for="203.0.113.9")
    request = RequestFactory().post(URL, REMOTE_ADDR="127.0.0.1")
    today, tomorrow = timezone.localdate(), timezone.localdate() + dt.timedelta(days=1)
    assert feedback.client_key(request, today=today) != feedback.client_key(request, today=tomorrow)
    counts = caches["feedback"]
    assert counts.get(f"posts:{feedback.client_key(request)}") == 1
    held = repr(dict(getattr(counts, "_cache", {})))  # the memory cache's keys (Redis: the browser test looks)
    assert "posts:" in held or "_cache" not in vars(counts)
    assert "127.0.0.1" not in held and "203.0.113.9" not in held


# --- people in distress -----------------------------------------------------------------------------
def test_a_message_about_wanting_to_die_gets_the_crisis_lines_first_and_is_flagged(client, page):
    response = post(client, report(page, reason="other", text="I read all of this and I just want to die."))
    html = text_of(response)
    main = html[html.index("<main") :]
    assert re.search(r"<h1[^>]*>If you need help now</h1>", main)
    crisis_lines = main.index('class="crisis-lines crisis-lines-large"')
    assert crisis_lines < main.index("Thank you for telling us")
    assert CRISIS in main[: crisis_lines + 400]
    assert_page_keeps_promises(html, "thank-you page for someone in danger")
    assert Feedback.objects.get().flagged


def test_an_ordinary_message_gets_a_plain_thank_you(client, page):
    html = text_of(post(client, report(page, reason="link", text="The link in reference 2 is dead.")))
    assert "If you need help now</h1>" not in html and "crisis-lines-large" not in html
    assert not Feedback.objects.get().flagged


def test_a_refused_message_that_mentions_suicide_still_leads_with_the_crisis_lines(client, page):
    main = text_of(post(client, report(page, text="I keep thinking about suicide", website="x"))).split("<main")[1]
    assert main.index("crisis-lines-large") < main.index("Your message was not sent")
    assert Feedback.objects.count() == 0


def test_with_javascript_the_answer_is_the_same_without_the_page_around_it(client, page):
    answer = post(client, report(page, text="Hard to follow."), x_feedback_inline="1")
    assert answer.status_code == 200
    assert "<html" not in text_of(answer) and '<h2 id="feedback-heading" tabindex="-1">Thank you' in text_of(answer)
    danger = text_of(post(client, report(page, text="No quiero vivir"), x_feedback_inline="1"))
    assert danger.index("crisis-lines-large") < danger.index("Thank you")
    asked = text_of(post(client, vote(page, "no"), x_feedback_inline="1"))
    assert 'name="after"' in asked and 'id="feedback-section"' in asked


def test_the_privacy_promise_under_the_form_is_the_one_on_the_about_page(client, site_content):
    form = text_of(client.get(URL))
    promise = re.search(r'<p class="feedback-privacy">([^<]+)</p>', form).group(1)
    assert "12 months" in promise and "IP address" in promise and "email address or phone number" in promise
    about = text_of(client.get("/about/", follow=True))
    assert promise in about.split('class="article-body"')[1].split('id="feedback"')[0]


# --- nothing about the reader in the logs -------------------------------------------------------
def test_no_message_address_or_browser_reaches_the_logs(client, page, caplog):
    caplog.set_level(logging.DEBUG)
    private = {"user_agent": "PatientPhone/9.9", "x_forwarded_for": "203.0.113.9", "referer": SITE + "/tms/x/?q=z"}
    for data in (report(page, text="SECRET-WORDS-1"), report(page, text="SECRET-WORDS-2", reason="bad")):
        post(client, data, **private)
    post(client, report(page, text="SECRET-WORDS-3"), origin="https://evil.example", **private)
    logged = caplog.text + "".join(repr(record.__dict__) for record in caplog.records)
    for secret in ("SECRET-WORDS", "PatientPhone", "203.0.113.9", "127.0.0.1"):
        assert secret not in logged, secret


def test_a_post_while_the_database_is_down_gets_the_500_page_and_logs_nothing_the_reader_sent():
    code = (
        "r = c.post('/feedback/', 'reason=wrong&text=SECRET-WORDS', content_type='application/x-www-form-urlencoded',"
        " headers={'Origin': 'http://testserver', 'User-Agent': 'PatientPhone/9.9'}, REMOTE_ADDR='203.0.113.9')\n"
        "print(r.status_code); print(r.content.decode())"
    )
    result = run_with_database_down(code)
    status, _, html = result.stdout.partition("\n")
    assert status == "500", result.stdout + result.stderr
    assert_page_keeps_promises(html, "500 after a feedback post")
    assert "Internal Server Error: /feedback/" in result.stderr  # the error is logged, without the post
    for secret in ("SECRET-WORDS", "PatientPhone", "203.0.113.9"):
        assert secret not in result.stderr, secret
