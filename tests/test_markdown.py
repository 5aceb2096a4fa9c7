import pytest

from articles.markdown import present_body, reading_text, render_markdown

XSS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "[click](javascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    '<iframe src="https://evil.example"></iframe>',
    '<div onmouseover="alert(1)">hover</div>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    "<!-- <script>alert(1)</script> -->",
    '<svg onload="alert(1)"></svg>',
    '<object data="x.swf"></object>',
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<form action="https://evil.example"><input name="q"></form>',
    "![x](javascript:alert(1))",
]


@pytest.mark.parametrize("payload", XSS)
def test_hostile_markup_is_removed(payload):
    html = render_markdown(f"Before\n\n{payload}\n\nAfter").html.lower()
    for bad in ("<script", "javascript:", "vbscript:", "onerror", "onload", "onmouseover", "<iframe", "<svg",
                "<object", "<base", "<meta", "<form", "<input", "style=", "<!--", "data:text", "<img"):  # fmt: skip
        assert bad not in html, (payload, html)
    assert "before" in html and "after" in html


def test_headings_get_stable_ids_and_editor_ids_win():
    rendered = render_markdown("## Does it hurt?\n\n## How long does it take? {#duration}\n")
    assert '<h2 id="does-it-hurt">' in rendered.html
    assert '<h2 id="duration">' in rendered.html
    assert [e["id"] for e in rendered.toc] == ["does-it-hurt", "duration"]


def test_body_h1_becomes_h2_so_the_title_is_the_only_h1():
    html = render_markdown("# A heading\n\ntext").html
    assert "<h1" not in html
    assert '<h2 id="a-heading">' in html


def test_external_links_open_no_window_handle_and_internal_links_stay_plain():
    html = render_markdown("[out](https://example.org/) and [in](/tms/what-is-tms/#key-points)").html
    assert '<a href="https://example.org/" rel="noopener noreferrer">out</a>' in html
    assert '<a href="/tms/what-is-tms/#key-points">in</a>' in html


def test_editor_cannot_set_their_own_rel_or_target():
    html = render_markdown('<a href="/help/" rel="opener" target="_blank">help</a>').html
    assert 'rel="opener"' not in html and "target" not in html


def test_tables_use_attributes_not_inline_styles():
    html = render_markdown("| a | b |\n|:--|--:|\n| 1 | 2 |").html
    assert "<table>" in html and 'align="right"' in html and "style" not in html


TABLE = "| Treatment | Sessions a week |\n|--|--|\n| rTMS | 5 |\n| Theta burst | 5 |"


def test_a_table_on_the_page_sits_in_a_labelled_region_a_keyboard_can_scroll():
    shown = present_body(render_markdown(f"## Options {{#options}}\n\n{TABLE}\n\nAfter.").html).main
    region = '<div class="table-scroll" role="region" tabindex="0" aria-label="Table: Treatment">'
    assert shown.count(region) == 1 and shown.count("table-scroll") == 1
    assert shown.index(region) < shown.index("<table>") < shown.index("</table></div>") < shown.index("After.")


def test_a_table_region_is_named_by_its_caption_and_an_editor_cannot_break_out_of_the_label():
    captioned = '<table><caption>Costs "in <b>2026</b>"</caption><tr><th>x</th></tr></table>'
    body = f'{captioned}\n\n| a&"<b> | b |\n|--|--|\n| 1 | 2 |'
    shown = present_body(render_markdown(body).html).main
    assert 'aria-label="Table: Costs &quot;in 2026&quot;"' in shown
    assert 'aria-label="Table: a&amp;&quot;"' in shown  # the <b> is stripped, the quote escaped
    assert shown.count('class="table-scroll"') == 2


def test_a_table_inside_a_table_gets_one_region_around_the_outer_one():
    html = render_markdown("<table><tr><td><table><tr><th>inner</th></tr></table></td></tr></table>").html
    shown = present_body(html).main
    assert shown.count('class="table-scroll"') == 1 and shown.startswith('<div class="table-scroll"')
    assert shown.endswith("</table></div>")


def test_editors_cannot_make_their_own_focusable_regions():
    html = render_markdown('<div class="table-scroll" role="region" tabindex="0" aria-label="x">y</div>').html
    assert "table-scroll" not in html and "tabindex" not in html and "role" not in html


def test_plain_text_is_words_only():
    text = render_markdown("## Title\n\n**Bold** and <em>em</em> & [link](/x/).").text
    assert "<" not in text and "Bold and em & link." in text


def test_reading_text_leaves_out_headings_and_references():
    text = reading_text("## Question here?\n\nAnswer one.\n\n## References\n\n1. Someone. Long title. 2020.")
    assert text == "Answer one."
