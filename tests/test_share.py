"""Clinicians' promises: section links that last, QR codes that open the right address,
a printable handout, and a share kit listing every published page."""

import re
from html.parser import HTMLParser

import pytest

from articles.handout import handout_size, print_length
from articles.markdown import add_section_links, render_markdown, split_body
from articles.models import Article

from .qr import decode_svg

pytestmark = pytest.mark.django_db

BODY = """## Key points {#key-points}

- Point one.

## Does it hurt? {#does-it-hurt}

Some text.

### A "quoted" & 5 < 6 heading {#odd}

More text.

## References {#references}

1. Someone. A paper. 2020. https://example.org/paper
"""


class _Links(HTMLParser):
    """Every link on a page with the text a screen reader reads (aria-hidden text left out)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[dict, str]] = []
        self._link: dict | None = None
        self._text: list[str] = []
        self._spans: list[bool] = []  # for each open <span>: is it aria-hidden?

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._link, self._text = dict(attrs), []
        elif tag == "span":
            self._spans.append(("aria-hidden", "true") in attrs)

    def handle_endtag(self, tag):
        if tag == "span" and self._spans:
            self._spans.pop()
        elif tag == "a" and self._link is not None:
            self.links.append((self._link, " ".join("".join(self._text).split())))
            self._link = None

    def handle_data(self, data):
        if self._link is not None and not any(self._spans):
            self._text.append(data)


def links(html: str) -> list[tuple[dict, str]]:
    parser = _Links()
    parser.feed(html)
    return parser.links


# --- Section links ---------------------------------------------------------------------------
def test_every_section_heading_gets_a_link_to_itself_named_after_the_heading():
    html = add_section_links(render_markdown(BODY).html)
    section_links = {a["href"]: text for a, text in links(html) if a.get("class") == "section-link"}
    assert section_links == {
        "#key-points": "Link to section: Key points",
        "#does-it-hurt": "Link to section: Does it hurt?",
        "#odd": 'Link to section: A "quoted" & 5 < 6 heading',
        "#references": "Link to section: References",
    }
    assert '<h3 id="odd">' in html  # ids stay exactly as the editor wrote them


def test_section_link_names_are_plain_escaped_text():
    html = add_section_links(render_markdown("## <b>x</b> & <script>alert(1)</script> {#x}").html)
    assert "<script" not in html
    assert '<span class="visually-hidden">Link to section: x &amp; alert(1)</span>' in html


def test_body_is_cut_into_key_points_main_text_and_references():
    parts = split_body(render_markdown(BODY).html)
    assert parts.key_points.startswith('<h2 id="key-points">') and "Point one." in parts.key_points
    assert parts.main.startswith('<h2 id="does-it-hurt">') and "More text." in parts.main
    assert parts.references.startswith('<h2 id="references">') and "A paper" in parts.references
    assert "key-points" not in parts.main + parts.references


def test_a_body_without_key_points_or_references_stays_whole():
    html = render_markdown("## Only a section {#only}\n\nText.").html
    assert split_body(html).key_points == "" and split_body(html).references == ""
    assert split_body(html).main == html.strip()


def test_article_page_follows_the_page_anatomy(client, make_article):
    make_article(slug="page", body=BODY)
    html = client.get("/tms/page/").content.decode()
    order = [
        "<h1>",
        'id="key-points"',
        'class="review-box"',
        'class="toc"',
        'id="does-it-hurt"',
        'id="references"',
        'id="share-heading"',
    ]
    positions = [html.index(marker) for marker in order]
    assert positions == sorted(positions), list(zip(order, positions, strict=True))
    assert html.count('id="key-points"') == 1


def test_article_links_to_previous_and_next_page_in_its_topic(client, make_article):
    make_article(slug="one", title="First page", topic="basics", order=1)
    make_article(slug="two", title="Second page", topic="basics", order=2)
    make_article(slug="three", title="Third page", topic="basics", order=3)
    make_article(slug="other", title="Other topic", topic="evidence", order=1)
    html = client.get("/tms/two/").content.decode()
    hrefs = {a.get("rel"): a["href"] for a, _ in links(html) if a.get("rel") in ("prev", "next")}
    assert hrefs == {"prev": "/tms/one/", "next": "/tms/three/"}
    first = client.get("/tms/one/").content.decode()
    assert 'rel="prev"' not in first and 'href="/tms/two/" rel="next"' in first


def test_every_link_between_pages_points_at_a_page_and_section_that_exist(client, site_content):
    """Glossary links and section links in the real content never break."""
    by_slug = {a.slug: a for a in site_content}
    checked = 0
    for article in site_content:
        for attrs, _text in links(article.key_points + article.main + article.references):
            match = re.fullmatch(r"/tms/([\w-]+)/(?:#([\w-]+))?", attrs.get("href", ""))
            if not match:
                continue
            slug, section = match.groups()
            assert slug in by_slug, f"{article.slug}: link to missing page {attrs['href']}"
            if section:
                assert section in by_slug[slug].section_ids, f"{article.slug}: link to missing section {attrs['href']}"
            checked += 1
    assert checked > 50


def test_glossary_terms_have_their_own_anchors(client, site_content):
    html = client.get("/tms/glossary/").content.decode()
    for term in ("seizure", "sham", "coil", "rtms", "motor-threshold"):
        assert f'<h3 id="{term}">' in html
        assert f'<a class="section-link" href="#{term}">' in html


# --- QR codes --------------------------------------------------------------------------------
def test_qr_code_opens_the_canonical_address_of_the_page(client, make_article, settings):
    settings.SITE_URL = "https://tmsinfo.example"
    make_article(slug="page", body=BODY)
    response = client.get("/tms/page/qr.svg")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert "public" in response["Cache-Control"]
    assert decode_svg(response.content.decode()) == ["https://tmsinfo.example/tms/page/"]


def test_qr_code_for_a_section_opens_that_section(client, make_article, settings):
    settings.SITE_URL = "https://tmsinfo.example"
    make_article(slug="page", body=BODY)
    svg = client.get("/tms/page/qr.svg?section=odd").content.decode()
    assert decode_svg(svg) == ["https://tmsinfo.example/tms/page/#odd"]


@pytest.mark.parametrize("section", ["nope", "<script>", "key-points#x", "odd/../x"])
def test_qr_code_for_an_unknown_section_is_not_found(client, make_article, section):
    make_article(slug="page", body=BODY)
    assert client.get("/tms/page/qr.svg", {"section": section}).status_code == 404


def test_qr_code_is_only_for_published_pages(client, make_article):
    make_article(slug="draft", status=Article.Status.DRAFT)
    assert client.get("/tms/draft/qr.svg").status_code == 404
    assert client.get("/tms/missing/qr.svg").status_code == 404


def test_qr_svg_is_a_plain_image_without_script(client, make_article):
    make_article(slug="page", title='Fish & <chips> "test"')
    svg = client.get("/tms/page/qr.svg").content.decode()
    assert svg.startswith("<svg") and "<script" not in svg and "on" not in re.findall(r"\s(\w+)=", svg)
    assert "<title>QR code: Fish &amp; &lt;chips&gt;" in svg


# --- Share tools and handout -----------------------------------------------------------------
def test_article_offers_copy_link_qr_code_and_print(client, make_article, settings):
    settings.SITE_URL = "https://tmsinfo.example"
    make_article(slug="page", body=BODY)
    html = client.get("/tms/page/").content.decode()
    assert 'data-copy="https://tmsinfo.example/tms/page/"' in html  # shown by the script only
    assert re.search(r'<button[^>]*data-copy="[^"]*"[^>]*hidden', html)
    assert 'src="/tms/page/qr.svg"' in html
    assert 'href="/tms/page/print/"' in html


def test_print_view_is_a_handout_without_navigation(client, make_article, reviewer, settings):
    settings.SITE_URL = "https://tmsinfo.example"
    article = make_article(
        slug="page", body=BODY, reviewer=reviewer, reviewed_on="2026-10-01", next_review_due="2027-10-01"
    )
    html = client.get("/tms/page/print/").content.decode()
    assert "<h1>Page" in html.replace("\n", "")
    # The handout's address and QR code carry the version it shows (articles/versions.py).
    version = article.published_pages.get().version
    assert f"tmsinfo.example/tms/page/?v={version}" in html and f'src="/tms/page/qr.svg?v={version}"' in html
    assert "Medically reviewed by <strong>Dr Test Person, MD, psychiatrist</strong>" in html
    assert "Point one." in html and "More text." in html
    assert 'href="tel:988"' in html and "not a substitute for professional medical advice" in html
    assert 'aria-label="Main"' not in html  # no site navigation on the handout
    assert 'class="toc"' not in html and 'id="share-heading"' not in html
    assert "noindex" in html


def test_print_view_of_an_unreviewed_page_says_so(client, make_article):
    make_article(slug="page", body=BODY)
    html = client.get("/tms/page/print/").content.decode()
    assert "Awaiting medical review" in html and "Medically reviewed by" not in html


def test_print_view_is_not_public_for_drafts(client, make_article):
    make_article(slug="draft", status=Article.Status.DRAFT)
    assert client.get("/tms/draft/print/").status_code == 404


def _body(paragraphs: int) -> str:
    """A page with key points and `paragraphs` paragraphs of plain sentences, and references."""
    text = "TMS uses magnetic pulses to make small electric currents in the brain. " * 4
    sections = "\n\n".join(f"## Section {n} {{#s{n}}}\n\n{text}" for n in range(paragraphs))
    return f"## Key points {{#key-points}}\n\n- A point.\n\n{sections}\n\n## References {{#references}}\n\n1. A source."


def test_longer_pages_print_in_smaller_steps_of_type_down_to_the_smallest():
    sizes = [handout_size(render_markdown(_body(n)).html) for n in range(0, 80, 4)]
    steps = ["", "long", "very-long"]
    assert sizes[0] == "" and sizes[-1] == "very-long"
    assert [steps.index(size) for size in sizes] == sorted(steps.index(size) for size in sizes)  # never larger
    assert set(sizes) == set(steps)


def test_print_length_counts_key_points_and_text_but_not_the_references_left_to_the_web_page():
    short = print_length(render_markdown(_body(1)).html)
    assert print_length(render_markdown(_body(2)).html) > short
    more_references = _body(1) + "\n2. " + "Another long source title. " * 200
    assert print_length(render_markdown(more_references).html) == short
    one, two = (render_markdown(text).html for text in ("- Point one.", "- Point one.\n- Two."))
    assert print_length(one) < print_length(two)


def test_print_view_sets_the_type_step_for_the_page(client, make_article):
    make_article(slug="short", body=_body(2))
    make_article(slug="long", body=_body(80))
    assert re.search(r'<main[^>]*class="wrap wrap-print handout"', client.get("/tms/short/print/").content.decode())
    assert 'class="wrap wrap-print handout handout-very-long"' in client.get("/tms/long/print/").content.decode()


def test_large_print_handout_keeps_address_qr_review_line_crisis_lines_and_every_part_of_the_page(
    client, make_article, reviewer, settings
):
    settings.SITE_URL = "https://tmsinfo.example"
    body = _body(80) + "\n2. A second source, only on the web page and in large print."
    make_article(slug="page", body=body, reviewer=reviewer, reviewed_on="2026-10-01", next_review_due="2027-10-01")
    html = client.get("/tms/page/print/large/").content.decode()
    assert "<title>Large-print handout: " in html and "noindex" in html
    assert '<link rel="canonical" href="https://tmsinfo.example/tms/page/">' in html
    assert 'class="wrap wrap-print handout handout-large"' in html  # not the normal handout's small steps
    assert "tmsinfo.example/tms/page/" in html and 'src="/tms/page/qr.svg?v=' in html
    assert "Medically reviewed by <strong>Dr Test Person, MD, psychiatrist</strong>" in html
    assert "A point." in html and html.count("TMS uses magnetic pulses") == 80 * 4
    assert "A second source, only on the web page and in large print." in html  # the sources too
    assert 'href="tel:988"' in html and "not a substitute for professional medical advice" in html
    assert 'aria-label="Main"' not in html


def test_each_handout_links_to_the_other_size_and_the_share_tools_offer_both(client, make_article):
    make_article(slug="page", body=BODY)
    assert 'href="/tms/page/print/large/"' in client.get("/tms/page/print/").content.decode()
    assert 'href="/tms/page/print/"' in client.get("/tms/page/print/large/").content.decode()
    article = client.get("/tms/page/").content.decode()
    assert 'href="/tms/page/print/"' in article and 'href="/tms/page/print/large/"' in article


def test_large_print_is_not_public_for_drafts(client, make_article):
    make_article(slug="draft", status=Article.Status.DRAFT)
    assert client.get("/tms/draft/print/large/").status_code == 404


# --- Clinicians' share kit -------------------------------------------------------------------
def test_clinicians_page_lists_every_published_page_with_its_kit(client, make_article, settings):
    settings.SITE_URL = "https://tmsinfo.example"
    make_article(slug="page", title="Shared page", body=BODY)
    make_article(slug="hidden", title="Hidden draft", status=Article.Status.DRAFT)
    html = client.get("/clinicians/").content.decode()
    assert "Shared page" in html and "Hidden draft" not in html
    assert ">tmsinfo.example/tms/page/</a>" in html
    assert 'href="https://tmsinfo.example/tms/page/#does-it-hurt"' in html  # a section link
    assert 'href="/tms/page/qr.svg?section=does-it-hurt"' in html
    assert 'src="/tms/page/qr.svg"' in html and 'href="/tms/page/print/"' in html
    assert 'href="/tms/page/print/large/"' in html
    assert 'href="/tms/about-this-site/#medical-review"' in html  # how pages are reviewed


def test_clinicians_page_counts_reviewed_pages_honestly(client, make_article, reviewer):
    make_article(slug="a")
    make_article(slug="b", reviewer=reviewer, reviewed_on="2026-10-01", next_review_due="2027-10-01")
    html = client.get("/clinicians/").content.decode()
    assert "<strong>1 of 2</strong>" in html
