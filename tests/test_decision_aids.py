"""Promises about the decision-aid conventions editors write in markdown (articles/aids.py):
tick boxes, choice scales, icon arrays and tables that become cards. They become real markup
only when a page is presented, after sanitizing, and the same way on the public page, the staff
preview and the admin's live preview; nothing an editor types becomes markup itself."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from articles.aids import ICON_ARRAY_SIZE, present_aids
from articles.handout import print_length
from articles.markdown import markdownify, render_markdown
from articles.models import PublishedPage

from .xss_checks import page_problems


def presented(markdown: str) -> str:
    return present_aids(render_markdown(markdown).html)


def dots(svg: str) -> tuple[int, int]:
    """(filled, hollow) dots an icon array draws: one "h0" per filled dot, one arc pair per hollow one."""
    paths = re.findall(r'<path d="([^"]*)"[^>]*stroke-width="([^"]+)"', svg)
    filled = sum(d.count("h0") for d, width in paths if width == ".72")
    hollow = sum(d.count("a.3.3 0 1 0 .6 0") for d, width in paths if width == ".1")
    return filled, hollow


# --- tick boxes -------------------------------------------------------------------------------
def test_a_task_list_item_becomes_a_real_checkbox_labelled_by_its_question():
    html = presented("- [ ] **Is TMS right for me?**\n- [ ] Who pays?\n")
    assert html.count('<input type="checkbox" autocomplete="off">') == 2
    assert re.search(r'<li class="tick-item"><label class="tick"><input [^>]*> <span class="tick-text">'
                     r"<strong>Is TMS right for me\?</strong></span></label></li>", html)  # fmt: skip
    assert "[ ]" not in html


def test_a_question_with_a_note_ticks_only_the_question():
    html = presented("- [ ] **Who pays?**\n\n    Why it matters: cost [1].\n")
    assert '<p><label class="tick">' in html and "<strong>Who pays?</strong></span></label></p>" in html
    assert "<p>Why it matters: cost [1].</p>" in html  # the note is not part of the tick box's name


def test_tick_boxes_send_and_keep_nothing():
    html = presented("- [ ] One?\n- [ ] Two?\n")
    assert "<form" not in html and "name=" not in html and "<script" not in html
    assert html.count('autocomplete="off"') == 2  # a reload does not bring ticks back


@pytest.mark.parametrize(
    "markdown",
    [
        "- [x] Ticked already?",  # no pre-ticked boxes: that would nudge
        "- Not [ ] at the start",
        "`- [ ] in code`",
        "    - [ ] in a code block",
        "[ ] not in a list",
    ],
)
def test_brackets_anywhere_else_stay_text(markdown):
    assert "<input" not in presented(markdown)


def test_inputs_and_svg_an_editor_writes_are_still_removed():
    html = presented('<input type="checkbox" checked> <svg onload="alert(1)"></svg>\n\n- [ ] <input name="q">Fine?')
    assert html.count("<input") == 1 and "checked" not in html and 'name="q"' not in html
    assert "<svg" not in html and "onload" not in html


# --- choice scales ---------------------------------------------------------------------------
def test_a_scale_turns_each_item_into_its_own_group_of_choices():
    html = presented("[[scale: A little | Some | A lot]]\n\n- Not having *anesthesia*\n- Cost\n")
    groups = re.findall(r'<fieldset class="scale"><legend>(.*?)</legend>(.*?)</fieldset>', html)
    assert [legend for legend, _ in groups] == ["Not having <em>anesthesia</em>", "Cost"]
    for n, (_, choices) in enumerate(groups, start=1):
        assert re.findall(r'name="([^"]+)"', choices) == [f"scale-{n}"] * 3  # one group per item
        assert re.findall(r"<span>([^<]+)</span>", choices) == ["A little", "Some", "A lot"]
    assert "[[scale" not in html and "<form" not in html and "checked" not in html


def test_a_scale_without_a_list_after_it_stays_text():
    html = presented("[[scale: A | B]]\n\nJust a paragraph.")
    assert "[[scale: A | B]]" in html and "<input" not in html


# --- icon arrays -----------------------------------------------------------------------------
def test_an_icon_array_draws_100_people_with_the_count_filled_and_its_words_as_text():
    html = presented("[[icon-array: 14 | Real TMS: about 14 in 100 || 5 | Sham: about 5 in 100]]")
    figures = re.findall(r'<figure class="icon-array">(<svg.*?</svg>)<figcaption>(.*?)</figcaption></figure>', html)
    assert [caption for _, caption in figures] == ["Real TMS: about 14 in 100", "Sham: about 5 in 100"]
    for (svg, caption), count in zip(figures, (14, 5), strict=True):
        assert f'role="img" aria-label="{caption}"' in svg and f"<title>{caption}</title>" in svg
        assert dots(svg) == (count, ICON_ARRAY_SIZE - count)
        assert "style=" not in svg and "<script" not in svg and "href" not in svg


@pytest.mark.parametrize(
    "directive",
    [
        "[[icon-array: 14 | about 15 in 100]]",  # the words do not say the drawing's number
        "[[icon-array: 140 | about 140 in 100]]",  # more than 100
        "[[icon-array: 14 | about 14 in 100 || x | nothing]]",  # one bad group spoils the line
        "[[icon-array: 1.5 | about 1.5 in 100]]",
    ],
)
def test_an_icon_array_that_is_not_exactly_right_stays_as_the_editor_wrote_it(directive):
    html = presented(directive)
    assert "<svg" not in html and directive.replace("[[", "").split("|")[0][:12] in html


def test_icon_array_words_are_escaped_text():
    html = presented('[[icon-array: 3 | 3 in 100 " onmouseover="alert(1) & more]]')
    assert 'aria-label="3 in 100 &quot; onmouseover=&quot;alert(1) &amp; more"' in html
    assert page_problems(f"<main>{html}</main>") == []


# --- tables that become cards ----------------------------------------------------------------
def test_a_card_table_labels_each_answer_with_its_column_and_gives_each_row_a_header():
    html = presented("[[table-cards]]\n\n| Question | TMS | *ECT* |\n|---|---|---|\n| Works? | 14 [1] | 53 |\n")
    assert html.startswith('<div class="table-cards"><table>') and html.endswith("</table></div>")
    assert '<th scope="col">TMS</th>' in html and '<th scope="row">Works?</th>' in html
    assert '<td><span class="cell-label">TMS</span> 14 [1]</td>' in html
    assert '<td><span class="cell-label">ECT</span> 53</td>' in html  # the heading's words only
    assert "[[table-cards]]" not in html


def test_a_plain_table_is_left_alone():
    markdown = "| a | b |\n|---|---|\n| 1 | 2 |"
    assert presented(markdown) == render_markdown(markdown).html


# --- one presentation everywhere ---------------------------------------------------------------
AIDS_BODY = """## Key points {#key-points}

- A point.

## Questions {#questions}

- [ ] **Ask this?**

[[icon-array: 14 | Real TMS: about 14 in 100]]

[[scale: A little | A lot]]

- Memory

## References {#references}

1. Example. https://example.org/
"""


def test_the_admin_preview_public_page_and_staff_preview_show_the_same_aids(client, make_article, django_user_model):
    make_article(slug="aids", body=AIDS_BODY)
    public = client.get("/tms/aids/").content.decode()
    editor_client = Client()
    editor = django_user_model.objects.create_user("editor", is_staff=True)
    editor.user_permissions.set(Permission.objects.filter(content_type__app_label="articles"))
    editor_client.force_login(editor)
    preview = editor_client.post("/markdownx/markdownify/", {"content": AIDS_BODY}).content.decode()
    for markup in ('<input type="checkbox"', '<svg viewBox="0 0 10 10"', 'type="radio" name="scale-1"'):
        assert markup in preview and markup in public
    assert markdownify(AIDS_BODY) == preview
    draft = make_article(slug="draft-aids", body=AIDS_BODY, status="draft")
    staff = editor_client.get(draft.get_absolute_url()).content.decode()
    assert '<input type="checkbox"' in staff and '<svg viewBox="0 0 10 10"' in staff


def test_stored_html_stays_sanitized_and_search_reads_words_not_syntax(make_article):
    article = make_article(slug="aids", body=AIDS_BODY)
    assert "<input" not in article.body_html and "<svg" not in article.body_html  # made on presenting only
    text = PublishedPage.objects.get(slug="aids").text
    assert "Real TMS: about 14 in 100." in text and "Ask this?" in text
    assert "[[" not in text and "[ ]" not in text


def test_a_handout_counts_cards_and_icon_arrays_as_they_print():
    table = "| Q | A | B |\n|---|---|---|\n" + "| q | a | b |\n" * 5
    assert print_length(render_markdown("[[table-cards]]\n\n" + table).html) > print_length(render_markdown(table).html)
    plain = print_length(render_markdown("Words.").html)
    assert print_length(render_markdown("Words.\n\n[[icon-array: 5 | 5 in 100]]").html) > plain + 300
