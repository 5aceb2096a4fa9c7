"""The reading experience in a real browser: keyboard use, small screens, printing, search,
copy-link and QR codes, with JavaScript on and off, in light and dark mode."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from articles.handout import print_length
from articles.models import Article, PublishedPage, Reviewer

from ..qr import decode_gray
from .test_crawl import axe_everywhere

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
    version = PublishedPage.objects.get(language="en", slug="risks-and-side-effects").version
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
    handouts = [(p.language, p.slug, f"{p.get_absolute_url()}print/") for p in PublishedPage.objects.all()]
    content = Path(__file__).resolve().parents[2] / "content"
    published = {path.stem for path in content.glob("*.md") if "\nstatus: published" in path.read_text()}
    assert {slug for language, slug, _ in handouts if language == "en"} >= published
    assert {slug for language, slug, _ in handouts if language == "es"} >= published  # every Spanish page too
    # Spanish runs about a fifth longer than English: a Spanish page already in the smallest type
    # step may take a third sheet (never smaller type, never less text); every other handout, two.
    sizes = {(p.language, p.slug): p.handout_size for p in PublishedPage.objects.all()}
    too_long, too_small = [], []
    for language, slug, url in sorted(handouts):
        page.goto(url)
        most = 3 if language == "es" and sizes[language, slug] == "very-long" else 2
        slug = f"{language}/{slug}"
        if signed_off:
            assert page.get_by_text("Revisión atrasada" if language == "es" else "Review overdue").is_visible()
        for paper in ("Letter", "A4"):
            if (pages := pdf_page_count(page.pdf(format=paper))) > most:
                too_long.append(f"{slug} on {paper}: {pages} pages")
        if (smallest := page.evaluate(SMALLEST_TEXT_PX)) < 12:
            too_small.append(f"{slug}: {smallest * 0.75}pt")
    assert not too_long, too_long
    assert not too_small, too_small


# The text of every block of a page, as a reader sees it (whitespace made single spaces).
BLOCK_TEXTS = """sel => [...document.querySelectorAll(sel)]
    .map(el => el.innerText.replace(/\\s+/g, ' ').trim()).filter(Boolean)"""
# A4's printable width (21 cm less the 2 cm of @page margins) in CSS pixels: the layout a printer gets.
A4_PRINTABLE = {"width": 718, "height": 1000}


def test_large_print_handout_of_the_longest_page_has_every_paragraph_in_16pt_or_larger(new_page, live_content):
    longest = max(Article.objects.published().filter(language="en"), key=lambda a: print_length(a.body_html))
    page = new_page(viewport=A4_PRINTABLE)
    page.goto(longest.get_absolute_url())
    # A table printed as cards labels each answer with its column's name instead of a header row.
    blocks = page.evaluate(
        BLOCK_TEXTS,
        ".key-points :is(p, li, h2, h3), .article-body :is(p, li, th, td, h2, h3):not(.table-cards thead th)",
    )
    assert len(blocks) > 50, longest.slug

    page.emulate_media(media="print")
    page.goto(f"{longest.get_absolute_url()}print/large/")
    printed = " ".join(page.evaluate("document.body.innerText").split())
    assert [block for block in blocks if block not in printed] == []  # every paragraph, sources included
    # Nothing runs off the paper's edge or hides in a region that cannot scroll on paper.
    assert no_horizontal_scroll(page)
    assert page.evaluate("[...document.querySelectorAll('.table-scroll')].every(r => r.scrollWidth <= r.clientWidth)")
    assert page.evaluate(SMALLEST_TEXT_PX) >= 21.3  # 16 pt
    assert page.get_by_role("img", name=re.compile("QR code")).is_visible()
    assert page.locator("main .handout-url").is_visible() and page.get_by_text("Awaiting medical review").is_visible()
    assert page.get_by_role("link", name="Call or text 988").first.is_visible()
    assert page.get_by_text("not a substitute for professional medical advice").is_visible()
    assert pdf_page_count(page.pdf(format="A4")) > 2  # it may take more sheets than the normal handout


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


# WCAG contrast ratios from the colours the browser really uses (forced colours included): each
# element's text colour against the background it sits on (the nearest ancestor with one, blended),
# and for a control, its own background or border against what surrounds it.
CONTRAST = """selector => {
    const el = document.querySelector(selector);
    if (!el) return null;
    const parse = c => {
        const [r, g, b, a = 1] = c.match(/[\\d.]+/g).map(Number);
        return [r, g, b, a];
    };
    const over = (top, under) => top.slice(0, 3).map((v, i) => v * top[3] + under[i] * (1 - top[3])).concat(1);
    const backdrop = node => {
        const layers = [];
        for (; node; node = node.parentElement) {
            const bg = parse(getComputedStyle(node).backgroundColor);
            if (bg[3] > 0) layers.push(bg);
            if (bg[3] >= 1) break;
        }
        return layers.reverse().reduce((under, top) => over(top, under), [255, 255, 255, 1]);
    };
    const lum = ([r, g, b]) => {
        const f = v => (v /= 255) <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const ratio = (a, b) => (Math.max(lum(a), lum(b)) + 0.05) / (Math.min(lum(a), lum(b)) + 0.05);
    const style = getComputedStyle(el), own = backdrop(el), around = backdrop(el.parentElement);
    const border = parseFloat(style.borderTopWidth) > 0 ? ratio(over(parse(style.borderTopColor), around), around) : 1;
    return {
        text: ratio(over(parse(style.color), own), own),
        boundary: Math.max(ratio(own, around), border),
        outline: ratio(over(parse(style.outlineColor), around), around),
        background: own.slice(0, 3),
    };
}"""


@pytest.mark.parametrize(
    ("color_scheme", "forced_colors"),
    [("light", "none"), ("dark", "none"), ("light", "active"), ("dark", "active")],
    ids=["light", "dark", "forced-colours-light", "forced-colours-dark"],
)
def test_text_links_crisis_box_and_help_button_keep_their_contrast(new_page, live_content, color_scheme, forced_colors):
    page = new_page(color_scheme=color_scheme, forced_colors=forced_colors, viewport={"width": 390, "height": 800})
    page.goto(ARTICLE)
    measured = {
        name: page.evaluate(CONTRAST, selector)
        for name, selector in {
            "body text": ".article-body p",
            "link": ".article-body p a",
            "crisis box text": ".footer-crisis p",
            "crisis line": ".footer-crisis .crisis-action",
            "Get help now": ".site-nav .help-link",
            "button": ".share .button-secondary",
            "next page": ".pager-link",
        }.items()
    }
    low_text = {name: round(m["text"], 2) for name, m in measured.items() if m["text"] < 4.5}
    assert low_text == {}, f"text under 4.5:1 ({color_scheme}, forced colours {forced_colors})"
    controls = {name: round(measured[name]["boundary"], 2) for name in ("Get help now", "button", "next page")}
    assert min(controls.values()) >= 3, f"a control's edge under 3:1: {controls}"
    page.keyboard.press("Tab")  # the focus ring, on the skip link
    assert page.evaluate(CONTRAST, ":focus-visible")["outline"] >= 3


def test_print_is_light_whatever_the_colour_scheme(new_page, live_content):
    page = new_page(color_scheme="dark")
    page.goto(ARTICLE)
    assert page.evaluate(CONTRAST, ".article-body p")["background"] != [255, 255, 255]  # dark on screen
    page.emulate_media(media="print")
    for selector in (".article-body p", ".key-points li", ".footer-crisis p"):
        measured = page.evaluate(CONTRAST, selector)
        assert measured["background"] == [255, 255, 255] and measured["text"] >= 7, selector


def test_axe_finds_no_violations_on_searches_and_the_404_page_at_every_width_and_scheme(page, axe, live_content):
    """The crawl (test_crawl.py) checks every linked page; these are reached by typing."""
    for path in ["/search/?q=seizure", "/search/?q=xylophone"]:
        page.goto(path)
        assert axe_everywhere(page, axe) == {}, path
    # No Content-Security-Policy complaint (the JSON-LD data block is not a script) and no errors.
    assert page.console_errors == []
    assert page.goto("/no-such-page/").status == 404
    assert axe_everywhere(page, axe) == {}
