"""Site-wide promises, checked by crawling the running site with the real content.

Pages are found by following links from the home page (and the sitemap, when there is one), never
from a list kept here, so a new page is covered the day it is linked. Every HTML page must answer
200 and carry: `<html lang>`, one `<h1>`, a skip link to `<main>`, the crisis lines and the
medical disclaimer, its own `<title>`, a meta description; no broken internal link or anchor, no
mixed content, no duplicate id; and zero axe-core violations at WCAG 2.2 A and AA at 320, 375, 768
and 1280 px in light and dark, and printed. The error pages (404, 403, 400, 405 and a 500 with the
database down) keep the same page promises.
"""

import http.client
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.conf import settings

from articles.crisis import current_region
from tests.test_site import run_with_database_down

from .conftest import axe_violations

# The disclaimer in each edition's words (the page's <html lang> says which).
DISCLAIMERS = {
    "en": "not a substitute for professional medical advice",
    "es": "No reemplaza el consejo, el diagnóstico ni el tratamiento de un profesional de la salud",
}
MAX_PAGES = 1000
# Where a crawler does not go: the admin and the editor's tools are not part of the public site.
PRIVATE_PREFIXES = (f"/{settings.ADMIN_PATH}", "/markdownx/")
LOADING_RELS = {"stylesheet", "icon", "apple-touch-icon", "manifest", "preload", "modulepreload", "prefetch"}
SUBRESOURCE_TAGS = {"img", "script", "iframe", "source", "video", "audio", "embed", "object", "track", "input"}


@dataclass
class Page:
    """What the crawler needs from one HTML page."""

    lang: str = ""
    title: str = ""
    description: str | None = None
    h1_count: int = 0
    main_ids: list[str] = field(default_factory=list)
    first_link: str | None = None
    ids: list[str] = field(default_factory=list)
    canonical: str = ""
    links: list[str] = field(default_factory=list)  # <a href>, <link> that does not load (alternate)
    subresources: list[str] = field(default_factory=list)  # src=, <link href>, form action
    text: str = ""


class _PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._in_title = False
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        page = self.page
        if "id" in a:
            page.ids.append(a["id"])
        if "name" in a and tag == "a":
            page.ids.append(a["name"])
        if tag == "html":
            page.lang = a.get("lang", "")
        elif tag == "title":
            self._in_title = True
        elif tag == "meta" and a.get("name") == "description":
            page.description = a.get("content", "")
        elif tag == "h1":
            page.h1_count += 1
        elif tag == "main":
            page.main_ids.append(a.get("id", ""))
        elif tag == "a" and "href" in a:
            if page.first_link is None:
                page.first_link = a["href"]
            page.links.append(a["href"])
        elif tag == "link" and "href" in a:
            rels = set(a.get("rel", "").lower().split())
            if "canonical" in rels:
                page.canonical = a["href"]
            elif rels & LOADING_RELS:
                page.subresources.append(a["href"])
            else:
                page.links.append(a["href"])
        elif tag == "form" and a.get("action"):
            page.subresources.append(a["action"])
        if tag in SUBRESOURCE_TAGS and a.get("src"):
            page.subresources.append(a["src"])

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.page.title += data
        self._text.append(data)

    def close(self):
        super().close()
        self.page.title = " ".join(self.page.title.split())
        self.page.text = " ".join(" ".join(self._text).split())


def parse_page(html: str) -> Page:
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return parser.page


def page_promise_problems(html: str) -> list[str]:
    """The promises every public HTML page keeps, error pages included."""
    page, problems = parse_page(html), []
    if not page.lang:
        problems.append("no <html lang>")
    if page.h1_count != 1:
        problems.append(f"{page.h1_count} <h1> elements")
    if len(page.main_ids) != 1 or not page.main_ids[0]:
        problems.append("not exactly one <main> with an id")
    elif page.first_link != f"#{page.main_ids[0]}":
        problems.append(f"the first link is {page.first_link!r}, not a skip link to #{page.main_ids[0]}")
    language = page.lang if page.lang in DISCLAIMERS else "en"
    if DISCLAIMERS[language] not in page.text:
        problems.append(f"no medical disclaimer in the page's language ({language})")
    region = current_region(language)
    for line in (*region.lines, region.emergency):
        if line.href not in page.links:
            problems.append(f"no crisis line {line.href}")
    if not page.title:
        problems.append("no <title>")
    if not (page.description or "").strip():
        problems.append("no meta description")
    duplicates = sorted({i for i in page.ids if page.ids.count(i) > 1})
    if duplicates:
        problems.append(f"duplicate ids {duplicates}")
    for url in page.subresources:
        if urlsplit(url).scheme == "http":
            problems.append(f"mixed content: {url}")
    return problems


class Crawler:
    def __init__(self, base: str):
        self.base = base
        self.origin = urlsplit(base).netloc
        self.pages: dict[str, Page] = {}  # HTML pages by path (with query)
        self.statuses: dict[str, int] = {}
        self.content_types: dict[str, str] = {}
        self.bodies: dict[str, str] = {}
        self.referrers: dict[str, set[str]] = {}
        self.redirects: dict[str, str] = {}  # path -> where it redirects to
        self.hidden: set[str] = set()  # the addresses of the unpublished pages, which it must not reach

    def fetch(self, path: str) -> tuple[int, str, bytes]:
        status, headers, body = self.fetch_with_headers(path)
        return status, headers.get("Content-Type", ""), body

    def fetch_with_headers(self, path: str) -> tuple[int, dict, bytes]:
        connection = http.client.HTTPConnection(self.origin, timeout=30)
        try:
            connection.request("GET", path, headers={"Accept": "text/html,*/*"})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def local_path(self, url: str, page_path: str) -> str | None:
        """The site-relative path (with query) an href points to, or None if it leaves the site."""
        absolute = urljoin(self.base + page_path, url)
        parts = urlsplit(absolute)
        if parts.scheme not in ("http", "https") or parts.netloc != self.origin:
            return None
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def crawl(self, start: list[str]) -> None:
        queue = list(start)
        while queue:
            path = queue.pop(0)
            if path in self.statuses or path.startswith(PRIVATE_PREFIXES):
                continue
            assert len(self.statuses) < MAX_PAGES, "the crawl does not end: a link loop?"
            status, headers, body = self.fetch_with_headers(path)
            content_type = headers.get("Content-Type", "")
            self.statuses[path], self.content_types[path] = status, content_type
            if status in (301, 302, 307, 308):  # a redirect is fine if it lands on a page that works
                target = self.local_path(headers.get("Location", ""), path)
                self.statuses[path] = 200 if target else status
                if target:
                    self.redirects[path] = target
                    self.referrers.setdefault(target, set()).add(path)
                    queue.append(target)
                continue
            if status != 200 or not content_type.startswith("text/html"):
                continue
            html = body.decode("utf-8")
            self.bodies[path] = html
            page = self.pages[path] = parse_page(html)
            for url in page.links + page.subresources:
                target = self.local_path(urldefrag(url)[0] or path, path)
                if target is not None:
                    self.referrers.setdefault(target, set()).add(path)
                    if not target.startswith(PRIVATE_PREFIXES):
                        queue.append(target)

    def sitemap_paths(self) -> list[str]:
        status, _, body = self.fetch("/sitemap.xml")
        if status != 200:
            return []
        locs = [el.text or "" for el in ET.fromstring(body).iter() if el.tag.endswith("}loc") or el.tag == "loc"]
        return [urlsplit(loc).path for loc in locs]


# The crawl, and the browser's pass over what it found, are made once for this file and shared by
# its tests, each of which asserts its own promise on them (`make test` keeps a file's tests in
# one pytest-xdist worker: --dist loadfile). The live server's database is emptied after every
# test, so whichever test needs the site first imports the content again.
_made: dict[str, object] = {}


@pytest.fixture
def crawled(request, live_server):
    if "crawl" not in _made:
        request.getfixturevalue("live_content")
        from articles.models import Article

        for status in ("draft", "in_review", "archived"):  # pages the public must never reach
            Article.objects.create(
                slug=f"hidden-{status.replace('_', '-')}", title=f"Hidden {status}", summary="Not public.",
                body="## Key points {#key-points}\n\n- Not public.", topic="basics", status=status,
            )  # fmt: skip
        crawler = Crawler(live_server.url)
        crawler.hidden = {a.get_absolute_url() for a in Article.objects.exclude(status=Article.Status.PUBLISHED)}
        crawler.crawl(["/", *crawler.sitemap_paths()])
        _made["crawl"] = crawler
    return _made["crawl"]


def test_every_page_reachable_from_home_and_sitemap_keeps_the_promises(crawled):
    assert len(crawled.pages) >= 15, sorted(crawled.pages)  # home, help, about and the content pages
    problems = {path: found for path, html in crawled.bodies.items() if (found := page_promise_problems(html))}
    assert problems == {}


def test_no_internal_link_is_broken(crawled):
    broken = {
        path: (status, sorted(crawled.referrers.get(path, ()))[:3])
        for path, status in crawled.statuses.items()
        if status != 200
    }
    assert broken == {}


def test_every_anchor_points_at_an_element_on_its_page(crawled):
    missing = []
    for path, page in crawled.pages.items():
        for url in page.links:
            target, fragment = urldefrag(url)
            if not fragment:
                continue
            target_path = crawled.local_path(target or path, path)
            if target_path is None or target_path not in crawled.pages:
                continue
            if fragment not in crawled.pages[target_path].ids:
                missing.append(f"{path}: {url}")
    assert missing == []


def test_every_page_has_its_own_title_and_description(crawled):
    """No two addresses with one title: a page has one address (a handout has its own title)."""
    titles: dict[str, set[str]] = {}
    for path, page in crawled.pages.items():
        titles.setdefault(page.title, set()).add(path)
    assert {title: pages for title, pages in titles.items() if len(pages) > 1} == {}


def test_no_link_on_the_site_goes_through_a_redirect(crawled):
    """Old addresses (like /about/) redirect for printed links; the site's own links use the address."""
    assert {
        old: sorted(crawled.referrers.get(old, ())) for old in crawled.redirects if crawled.referrers.get(old)
    } == {}


def test_no_unpublished_page_is_reachable(crawled):
    assert len(crawled.hidden) >= 3  # the draft, in-review and archived pages made before the crawl
    assert crawled.hidden & set(crawled.statuses) == set()


# --- axe at every width, in light and dark, on screen and on paper -----------------------------
WIDTHS = (1280, 768, 375, 320)
SCHEMES = ("light", "dark")
PAPER = {"width": 718, "height": 1000}  # A4's printable width in CSS pixels
# Each page is loaded once and checked with every WCAG A/AA rule at 1280 px in light. Then it is
# resized, switched to dark, and printed (in light and dark) without reloading, and each of those
# configurations is checked with the rules whose outcome can change while the markup stays the same:
# - layout: what overflows and so scrolls (a scrolling region must be reachable by keyboard) and
#   the size and spacing of targets: on the whole page, at each width and on paper, unless every
#   element's box and scroll size is the same as in a configuration already checked (dark at a
#   width already checked in light: the schemes differ only in colour);
# - colours (text contrast, links told apart by colour alone): on the elements whose colours,
#   backgrounds, opacity, decoration or text size (large or normal text, as WCAG counts it)
#   differ from the configuration checked just before, with everything inside them: a switch of
#   scheme changes every element, a width changes a few text sizes. (Text sits on its own and its
#   ancestors' backgrounds; the site overlays no text with a box from elsewhere.)
# - everything else reads the markup and the accessibility tree, which a width, a scheme or print
#   changes only where CSS shows or hides an element: when the set of elements shown differs from
#   every set checked with every rule (as on paper, where navigation goes), every rule runs again.
# Paper has no touch targets, so target-size does not apply to print.
LAYOUT_RULES = ["scrollable-region-focusable", "target-size"]
COLOUR_RULES = ["color-contrast", "link-in-text-block"]
RECHECK = "data-axe-recheck"
# Which elements are shown, where every box is, and marks (RECHECK) on the elements whose look
# changed since the last call.
LOOKS = """() => {
    const elements = [...document.body.querySelectorAll('*')], looks = [];
    const shown = elements.map(el => el.checkVisibility({visibilityProperty: true}) ? 1 : 0).join('');
    const boxes = elements.map(el => {
        const r = el.getBoundingClientRect();
        return [r.x + scrollX, r.y + scrollY, r.width, r.height, el.scrollWidth, el.scrollHeight].map(Math.round);
    }).join('|');
    for (const el of elements) {
        const s = getComputedStyle(el), px = parseFloat(s.fontSize), bold = parseInt(s.fontWeight) >= 700;
        looks.push([s.color, s.backgroundColor, s.backgroundImage, s.opacity, px >= 24 || (bold && px >= 18.66),
                    s.fontWeight, s.textDecorationLine, s.borderBottomColor, s.borderBottomWidth].join());
    }
    const before = window.lastLooks || [];
    let changed = 0;
    elements.forEach((el, i) => {
        el.removeAttribute('RECHECK');
        if (looks[i] !== before[i]) { el.setAttribute('RECHECK', ''); changed++; }
    });
    window.lastLooks = looks;
    return [shown, boxes, changed];
}""".replace("RECHECK", RECHECK)


def axe_everywhere(page, axe) -> dict[str, list[str]]:
    """axe on the loaded page at each width in each scheme, and printed in each scheme, without
    reloading it: the violations found, by configuration (see above for which rules run where)."""
    page.set_viewport_size({"width": 1280, "height": 800})
    page.emulate_media(media="screen", color_scheme="light")
    shown, boxes, _ = page.evaluate(LOOKS)
    found = {"1280px light": axe_violations(axe, page)}
    fully_checked, layouts_checked = {shown}, {boxes}
    configurations = [("screen", {"width": w, "height": 800}, scheme) for scheme in SCHEMES for w in WIDTHS]
    configurations += [("print", PAPER, scheme) for scheme in SCHEMES]
    for media, viewport, scheme in configurations[1:]:
        page.set_viewport_size(viewport)
        page.emulate_media(media=media, color_scheme=scheme)
        shown, boxes, changed = page.evaluate(LOOKS)
        skip = ("target-size",) if media == "print" else ()
        label = f"{viewport['width']}px {scheme}" if media == "screen" else f"print {scheme}"
        if shown not in fully_checked:
            found[label] = axe_violations(axe, page, skip=skip)
            fully_checked.add(shown)
            layouts_checked.add(boxes)
            continue
        found[label] = []
        if boxes not in layouts_checked:
            found[label] += axe_violations(axe, page, [rule for rule in LAYOUT_RULES if rule not in skip])
            layouts_checked.add(boxes)
        if changed:
            found[label] += axe_violations(axe, page, COLOUR_RULES, within=f"[{RECHECK}]")
    return {label: lines for label, lines in found.items() if lines}


@dataclass
class Survey:
    """What the browser found on every crawled page, each loaded once."""

    axe: dict[str, dict[str, list[str]]]  # path -> configuration -> violations
    cut_text: dict[str, list[str]]  # path -> text lost at 200% with wider spacing at 320 px
    console_errors: list[str]


@pytest.fixture
def surveyed(request, crawled, page, axe) -> Survey:
    """Each crawled page loaded once in chromium, and checked there with axe at every width and
    scheme and printed (axe_everywhere), then at 320 px with text at 200% and wider spacing."""
    if "survey" not in _made:
        request.getfixturevalue("live_content")
        survey = Survey(axe={}, cut_text={}, console_errors=page.console_errors)
        for path in crawled.pages:
            page.goto(path)
            if found := axe_everywhere(page, axe):
                survey.axe[path] = found
            if found := larger_and_spaced_text_problems(page):
                survey.cut_text[path] = found
        _made["survey"] = survey
    return _made["survey"]


def test_every_crawled_page_passes_axe_at_every_width_in_light_and_dark_and_printed(crawled, surveyed):
    assert any(path.endswith("/print/") for path in crawled.pages)  # the handouts are crawled too
    assert surveyed.axe == {}
    assert surveyed.console_errors == []


# --- Larger text and wider spacing lose nothing -------------------------------------------------
# WCAG 1.4.12's text spacing, with text at 200% (1.4.4), added as a constructed style sheet (which
# the Content-Security-Policy allows, unlike a <style> element).
LARGER_AND_SPACED = """() => {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(`html { font-size: 200% !important; }
        * { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; }
        p { margin-bottom: 2em !important; }`);
    document.adoptedStyleSheets = [sheet];
}"""
# Text cut off: a box that hides its overflow and overflows with text, or a block whose own text
# runs out of it sideways (over whatever is beside it). Regions that scroll keep their text.
CUT_TEXT = """() => {
    const cut = [], hides = v => v === 'hidden' || v === 'clip';
    for (const el of document.body.querySelectorAll('*')) {
        if (!el.checkVisibility() || el.closest('.visually-hidden') || !el.textContent.trim()) continue;
        const s = getComputedStyle(el), scrolls = v => v === 'auto' || v === 'scroll';
        const ownText = [...el.childNodes].some(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
        const wide = el.scrollWidth > el.clientWidth + 1, tall = el.scrollHeight > el.clientHeight + 1;
        if ((hides(s.overflowX) && wide) || (hides(s.overflowY) && tall)
            || (ownText && s.display !== 'inline' && wide && !scrolls(s.overflowX))) {
            cut.push(`${el.tagName.toLowerCase()}.${el.className}: ${el.textContent.trim().slice(0, 40)}`);
        }
    }
    return cut;
}"""


def larger_and_spaced_text_problems(page) -> list[str]:
    """The text the loaded page loses at 320 px on screen (light) with text at 200% and wider
    spacing; the larger, wider text stays on the page until it is loaded again."""
    page.set_viewport_size({"width": 320, "height": 640})
    page.emulate_media(media="screen", color_scheme="light")
    page.evaluate(LARGER_AND_SPACED)
    found = page.evaluate(CUT_TEXT)
    if not page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"):
        found.append("the page scrolls sideways")
    return found


def test_every_page_keeps_all_its_text_at_200_percent_with_wider_text_spacing_at_320_px(crawled, surveyed):
    assert len(crawled.pages) >= 15
    assert surveyed.cut_text == {}


# --- Error pages ---------------------------------------------------------------------------------


def raw_request(live_server, method: str, path: str, headers: dict | None = None) -> tuple[int, str]:
    connection = http.client.HTTPConnection(urlsplit(live_server.url).netloc, timeout=30)
    try:
        connection.putrequest(method, path, skip_host=bool(headers and "Host" in headers))
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("method", "path", "headers", "status"),
    [
        ("GET", "/tms/no-such-page/", None, 404),
        ("GET", "/tms/%FF%FE/", None, 404),
        ("POST", f"/{settings.ADMIN_PATH}login/", {"Content-Length": "0"}, 403),  # no CSRF token
        ("GET", "/", {"Host": "evil.example"}, 400),
        ("DELETE", "/help/", None, 405),
        ("GET", "/?q=" + "x" * 7000, None, 414),
    ],
    ids=["404", "404-not-utf8", "403", "400", "405", "414"],
)
def test_error_pages_from_the_running_site_keep_the_promises(live_server, live_content, method, path, headers, status):
    got, html = raw_request(live_server, method, path, headers)
    assert got == status
    assert page_promise_problems(html) == []


def test_a_path_of_raw_bytes_that_are_not_utf8_gets_the_404_page(live_server, live_content):
    import socket

    with socket.create_connection((urlsplit(live_server.url).hostname, urlsplit(live_server.url).port)) as sock:
        sock.sendall(b"GET /tms/\xff\xfe\xc0/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        raw = b""
        while chunk := sock.recv(65536):
            raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.split()[1] == b"404"
    assert page_promise_problems(body.decode("utf-8")) == []


def test_500_page_with_the_database_unreachable_keeps_the_promises():
    result = run_with_database_down("r = c.get('/'); print(r.status_code); print(r.content.decode())")
    status, _, html = result.stdout.partition("\n")
    assert status == "500", result.stdout + result.stderr
    assert page_promise_problems(html) == []


@pytest.mark.parametrize("path", ["/tms/no-such-page/", "/?q=" + "x" * 7000])
def test_error_pages_pass_axe(page, axe, live_content, path):
    page.goto(path)
    assert axe_everywhere(page, axe) == {}


def test_the_crawler_finds_pages_by_links_not_from_a_list():
    """Guard for the design: no hard-coded list of public URLs in this file."""
    source = open(__file__, encoding="utf-8").read()  # noqa: PTH123
    assert not re.search(r'"/tms/(?!no-such|%FF)[a-z]', source)
