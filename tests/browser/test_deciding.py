"""Helping people decide, in a real browser (issue 16): the options page without JavaScript, its
choices printing with it, ticked questions printing on their own, a handout scanned after its page
changed, and axe at phone and desktop widths."""

import io
import re

import pytest
from django.test import Client
from pypdf import PdfReader

from articles import workflow
from articles.models import Article, PublishedPage

from ..qr import decode_svg
from .conftest import axe_violations

COMPARE = "/tms/compare-your-options/"
QUESTIONS = "/tms/questions-to-ask/"
OPTIONS = ["TMS", "New or added antidepressant", "Talk therapy", "ECT", "Esketamine"]
ROWS = [
    "What is it like?", "How well does it work?", "Common side effects", "Serious risks", "Memory",
    "Anesthesia?", "Time it takes", "Driving afterwards", "Cost and insurance", "Who can have it?",
]  # fmt: skip


def printed_text(page) -> str:
    """The page as Chromium prints it to PDF, as text, one space between words."""
    page.emulate_media(media="print")
    pdf = page.pdf(format="Letter")
    page.emulate_media(media="screen")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"[ \t]+", " ", text)


def flat(text: str) -> str:
    return " ".join(text.split())


def scan(qr) -> str:
    """What a phone reads from the QR code image a page shows (the same image, fetched in-process)."""
    return decode_svg(Client().get(qr.get_attribute("src")).content.decode())[0]


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_without_javascript_the_options_page_shows_every_option_row_and_picture_and_prints_the_choices(
    new_page, live_content
):
    page = new_page(java_script_enabled=False)
    page.goto(COMPARE)
    for option in OPTIONS:
        assert page.get_by_role("columnheader", name=option, exact=True).is_visible()
    for row in ROWS:
        assert page.get_by_role("rowheader", name=row, exact=True).is_visible()
    pictures = page.locator(".icon-array").get_by_role("img")
    assert pictures.count() == 7
    for n in range(pictures.count()):  # each drawing's text equivalent is its visible caption too
        name = pictures.nth(n).get_attribute("aria-label")
        assert re.search(r"about \d+ in 100", name)
        assert page.locator("figcaption").get_by_text(name, exact=True).is_visible()

    # The choices work without script, and print with the page, the chosen one marked.
    page.get_by_role("group", name="No anesthesia").get_by_role("radio", name="A lot").check()
    page.get_by_role("group", name="What it costs me").get_by_role("radio", name="Some").check()
    printed = flat(printed_text(page))
    assert "No anesthesia A little Some A lot ✓" in printed
    assert "What it costs me A little Some ✓ A lot" in printed
    assert "The best chance that it works A little Some A lot" in printed  # unchosen: no mark
    assert "Call or text 988" in printed and "not a substitute for professional medical advice" in printed

    # On a phone each question is a card, each answer labelled with its option.
    phone = new_page(java_script_enabled=False, viewport={"width": 320, "height": 640})
    phone.goto(COMPARE)
    assert no_horizontal_scroll(phone)
    card = phone.locator(".table-cards tr").filter(has=phone.get_by_role("rowheader", name="Driving afterwards"))
    labels = card.locator(".cell-label")
    assert [labels.nth(n).inner_text() for n in range(labels.count())] == OPTIONS
    assert all(labels.nth(n).is_visible() for n in range(labels.count()))


def test_ticking_three_questions_and_printing_gives_exactly_those_three(new_page, live_content):
    page = new_page(java_script_enabled=False)  # nothing here needs script; nothing is sent
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(QUESTIONS)
    questions = page.locator(".tick-text").all_inner_texts()
    assert len(questions) >= 20
    everything = flat(printed_text(page))
    assert all(flat(question) in everything for question in questions)  # nothing ticked: all print

    ticked = [questions[0], questions[7], questions[-1]]
    requests.clear()
    for question in ticked:
        page.get_by_role("checkbox", name=question, exact=True).check()
    printed = flat(printed_text(page))
    assert [question for question in questions if flat(question) in printed] == ticked
    assert "Why it matters" not in printed
    version = PublishedPage.objects.get(language="en", slug="questions-to-ask").version
    assert f"{QUESTIONS}?v={version}" in printed  # the page address
    assert "Call or text 988" in printed and "Crisis Text Line" in printed
    assert requests == []  # ticking sent nothing


def test_a_handout_scanned_after_a_clinical_change_shows_the_change_and_a_new_one_shows_none(
    new_page, live_content, settings, live_server
):
    settings.SITE_URL = live_server.url
    page = new_page()
    page.goto("/tms/what-is-tms/print/")
    qr = page.get_by_role("img", name=re.compile("QR code"))
    scanned = scan(qr)
    assert re.fullmatch(rf"{live_server.url}/tms/what-is-tms/\?v=\d+", scanned)

    article = Article.objects.get(language="en", slug="what-is-tms")
    article.body = article.body.replace(
        "## Key points {#key-points}\n", "## Key points {#key-points}\n\n- A new point.\n"
    )
    workflow.article_save(article=article, change=workflow.CLINICAL, note="Added a new key point")

    page.goto(scanned)
    notice = page.get_by_role("region", name="This page has changed since your handout was printed")
    assert notice.is_visible() and notice.get_by_text("Added a new key point").is_visible()
    assert notice.get_by_text("clinical", exact=True).is_visible()
    assert page.get_by_text("A new point.").is_visible()
    later = new_page()  # a clinician printing the handout again (their browser has not kept the old one)
    later.goto("/tms/what-is-tms/print/")
    rescanned = scan(later.get_by_role("img", name=re.compile("QR code")))
    assert rescanned != scanned
    page.goto(rescanned)
    assert page.get_by_role("region", name="This page has changed since your handout was printed").count() == 0


@pytest.mark.parametrize("width", [320, 1280])
def test_axe_finds_nothing_on_the_deciding_pages(new_page, axe, live_content, width):
    page = new_page(viewport={"width": width, "height": 800})
    old = PublishedPage.objects.get(language="en", slug="what-is-tms").version
    article = Article.objects.get(language="en", slug="what-is-tms")
    article.body = article.body.replace(
        "## Key points {#key-points}\n", "## Key points {#key-points}\n\n- A new point.\n"
    )
    workflow.article_save(article=article, change=workflow.CLINICAL, note="Added a new key point")
    paths = [COMPARE, QUESTIONS, "/tms/choosing-a-tms-clinic/", f"/tms/what-is-tms/?v={old}", COMPARE + "print/"]
    for path in paths:
        page.goto(path)
        assert axe_violations(axe, page) == [], f"{path} at {width}px"
        assert no_horizontal_scroll(page), f"{path} at {width}px"
    for path, control in ((QUESTIONS, ".tick-item input"), (COMPARE, ".scale input")):
        page.goto(path)
        page.locator(control).first.check()
        assert axe_violations(axe, page) == [], f"{path} with a box ticked at {width}px"
    assert page.console_errors == []
