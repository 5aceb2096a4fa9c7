"""The reading experience in a real browser: keyboard use, small screens, printing, search,
copy-link and QR codes, with JavaScript on and off, in light and dark mode."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from articles.models import Article, PublishedPage, Reviewer

from ..qr import decode_gray
from .conftest import axe_violations

ARTICLE = "/tms/risks-and-side-effects/"


@pytest.fixture
def site_url(settings, live_server):
    """Canonical addresses point at the live server, so links and QR codes can be followed."""
    settings.SITE_URL = live_server.url
    return live_server.url


def tab_to(page, predicate: str, limit: int = 80) -> None:
    """Press Tab until the focused element satisfies a JS predicate on `el`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return !!({predicate}); }})()"):
            return
    raise AssertionError(f"Tab never reached an element where {predicate}")


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.parametrize("width", [1280, 390])
def test_keyboard_path_from_home_to_a_section_link_and_copy_link(new_page, live_content, site_url, width):
    page = new_page(permissions=["clipboard-read", "clipboard-write"], viewport={"width": width, "height": 800})
    page.goto("/")
    tab_to(page, "el.textContent.trim() === 'Risks and side effects of TMS'")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{ARTICLE}")

    tab_to(page, "el.classList.contains('section-link') && el.getAttribute('href') === '#common-side-effects'")
    link = page.get_by_role("link", name="Link to section: What are the common side effects?")
    assert link.evaluate("el => el === document.activeElement")
    assert link.evaluate("el => getComputedStyle(el).opacity") == "1"  # revealed on focus
    box = link.bounding_box()
    assert 0 <= box["x"] and box["x"] + box["width"] <= width  # on screen, not off to the side

    page.keyboard.press("Tab")
    button = page.get_by_role("button", name="Copy link to section: What are the common side effects?")
    assert button.evaluate("el => el === document.activeElement")
    assert button.evaluate("el => getComputedStyle(el).opacity") == "1"
    page.keyboard.press("Enter")
    page.get_by_role("status").filter(has_text="Link copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == f"{site_url}{ARTICLE}#common-side-effects"

    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")  # following the section link moves to the section
    assert page.url.endswith("#common-side-effects")
    assert page.console_errors == []


def test_page_copy_link_button_copies_the_canonical_address(new_page, live_content, site_url):
    page = new_page(permissions=["clipboard-read", "clipboard-write"])
    page.goto(ARTICLE)
    page.locator(".share").get_by_role("button", name="Copy link").click()
    page.get_by_role("status").filter(has_text="Link copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == f"{site_url}{ARTICLE}"


@pytest.mark.parametrize("path", ["/", ARTICLE, "/tms/glossary/", "/search/?q=seizure", "/help/", "/clinicians/",
                                  "/topics/evidence/", ARTICLE + "print/", "/no-such-page/"])  # fmt: skip
def test_no_horizontal_scroll_at_320_pixels(new_page, live_content, path):
    page = new_page(viewport={"width": 320, "height": 640})
    page.goto(path)
    assert no_horizontal_scroll(page), path
    assert page.get_by_role("link", name="Get help now").first.is_visible()


def test_print_view_has_address_qr_code_review_line_and_crisis_lines(new_page, live_content, site_url):
    page = new_page()
    page.emulate_media(media="print")
    page.goto(ARTICLE + "print/")
    handout = page.locator("main")
    assert handout.get_by_role("heading", level=1).inner_text() == "Risks and side effects of TMS"
    # The printed address and the QR code carry the version printed (articles/versions.py).
    version = PublishedPage.objects.get(slug="risks-and-side-effects").version
    printed = f"{ARTICLE}?v={version}"
    assert handout.get_by_role("link", name=re.sub(r"^https?://", "", site_url) + printed).first.is_visible()
    assert page.get_by_text("Awaiting medical review").first.is_visible()  # the honest review line
    assert handout.get_by_role("heading", name="Key points").is_visible()
    assert handout.locator(".key-points li").first.is_visible()
    assert handout.get_by_role("heading", name="What are the common side effects?").is_visible()  # the body
    assert page.get_by_role("heading", name="If you need help now").is_visible()
    assert page.get_by_role("heading", name="Medical disclaimer").is_visible()
    assert page.get_by_role("link", name="Call or text 988").first.is_visible()
    assert page.get_by_text("not a substitute for professional medical advice").is_visible()
    assert not page.get_by_role("navigation", name="Main").count()
    assert not page.get_by_role("button", name="Print this handout").is_visible()

    qr = page.get_by_role("img", name=re.compile("QR code"))
    qr.scroll_into_view_if_needed()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    # What a phone camera reads from the QR code as the browser draws it.
    pixels = qr.evaluate("""img => {
        const size = 240, canvas = document.createElement('canvas');
        canvas.width = canvas.height = size;
        const ctx = canvas.getContext('2d');
        ctx.drawImage(img, 0, 0, size, size);
        const rgba = ctx.getImageData(0, 0, size, size).data, gray = [];
        for (let i = 0; i < rgba.length; i += 4) gray.push(rgba[i]);
        return gray;
    }""")
    assert decode_gray(bytes(pixels), 240, 240) == [f"{site_url}{printed}"]
    assert page.console_errors == []


def pdf_page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


# The smallest font size, in CSS pixels, of any text the page shows (9 pt is 12 px).
SMALLEST_TEXT_PX = """() => {
    const sizes = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const el = node.parentElement;
        if (!node.textContent.trim() || !el.getClientRects().length) continue;
        if (el.closest('.visually-hidden')) continue;
        sizes.push(parseFloat(getComputedStyle(el).fontSize));
    }
    return Math.min(...sizes);
}"""


@pytest.mark.parametrize("signed_off", [False, True], ids=["as-imported", "signed-off-and-overdue"])
def test_every_handout_prints_on_two_pages_or_fewer_in_type_no_smaller_than_9pt(new_page, live_content, signed_off):
    if signed_off:  # the longest review line a handout can carry
        today = timezone.localdate()
        reviewer = Reviewer.objects.create(
            name="Dr Alexandra Longname-Example", credentials="MD, board-certified psychiatrist"
        )
        review = {"reviewed_on": today - timedelta(days=400), "next_review_due": today - timedelta(days=30)}
        Article.objects.update(reviewer=reviewer, **review)
        PublishedPage.objects.update(reviewer_name=reviewer.name, reviewer_credentials=reviewer.credentials, **review)
    page = new_page()
    page.emulate_media(media="print")
    slugs = sorted(Article.objects.published().values_list("slug", flat=True))
    content = Path(__file__).resolve().parents[2] / "content"
    assert set(slugs) >= {path.stem for path in content.glob("*.md") if "\nstatus: published" in path.read_text()}
    too_long, too_small = [], []
    for slug in slugs:
        page.goto(f"/tms/{slug}/print/")
        if signed_off:
            assert page.get_by_text("Review overdue").is_visible()
        for paper in ("Letter", "A4"):
            if (pages := pdf_page_count(page.pdf(format=paper))) > 2:
                too_long.append(f"{slug} on {paper}: {pages} pages")
        if (smallest := page.evaluate(SMALLEST_TEXT_PX)) < 12:
            too_small.append(f"{slug}: {smallest * 0.75}pt")
    assert not too_long, too_long
    assert not too_small, too_small


def test_a_typical_handout_has_10pt_body_text(new_page, live_content):
    page = new_page()
    page.emulate_media(media="print")
    page.goto("/tms/what-is-tms/print/")
    size = page.locator(".handout-body p").first.evaluate("p => parseFloat(getComputedStyle(p).fontSize)")
    assert size >= 13.3  # 10 pt


def test_search_finds_seizure_on_the_risks_page(page, live_content):
    page.goto("/")
    page.get_by_role("searchbox", name="Search all pages").fill("seizure")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=seizure")
    result = page.get_by_role("link", name="Risks and side effects of TMS")
    assert result.is_visible()
    item = page.locator(".search-results li").filter(has=result)
    assert re.match(r"seizure", item.locator("mark").first.inner_text(), re.IGNORECASE)
    result.click()
    page.wait_for_url(f"**{ARTICLE}")


def test_glossary_links_open_the_definition(page, live_content):
    page.goto("/tms/what-is-tms/")
    term = page.locator(".article-body").get_by_role("link", name="coil", exact=True).first
    assert term.evaluate("a => getComputedStyle(a).textDecorationStyle") == "dotted"
    term.click()
    page.wait_for_url("**/tms/glossary/#coil")
    heading = page.get_by_role("heading", name="Coil", exact=True)
    assert heading.is_visible() and heading.evaluate("h => h.getBoundingClientRect().top < innerHeight / 2")


def test_pages_work_without_javascript(new_page, live_content):
    page = new_page(java_script_enabled=False)
    page.goto(ARTICLE)
    assert page.get_by_role("link", name="Link to section: What are the common side effects?").count() == 1
    assert page.get_by_role("button", name=re.compile("Copy link")).count() == 0  # nothing that needs script
    assert page.get_by_role("link", name="Print a handout").is_visible()
    page.goto("/search/?q=seizure")
    assert page.get_by_role("link", name="Risks and side effects of TMS").is_visible()


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_axe_finds_no_violations(new_page, axe, live_content, color_scheme):
    page = new_page(color_scheme=color_scheme)
    for path in ["/", ARTICLE, "/search/?q=seizure", "/search/?q=xylophone", "/help/", "/clinicians/",
                 "/topics/evidence/", ARTICLE + "print/"]:  # fmt: skip
        page.goto(path)
        assert axe_violations(axe, page) == [], f"{path} ({color_scheme})"
    # No Content-Security-Policy complaint (the JSON-LD data block is not a script) and no errors.
    assert page.console_errors == []
    response = page.goto("/no-such-page/")
    assert response.status == 404
    assert axe_violations(axe, page) == [], f"404 ({color_scheme})"
