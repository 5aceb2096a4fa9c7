"""Promises about the "Compare your options" page (content/compare-your-options.md) and the pages
whose question lists readers tick: the options page compares what it says it compares, every
number on it is cited and is the number the site's own page on that source gives, its pictures
say the same numbers as its words, and it meets the IPDAS qualifying criteria it lists."""

import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings

from articles.aids import present_aids
from articles.content import load_directory
from articles.markdown import present_body, render_markdown, split_body

CONTENT_DIR = Path(settings.BASE_DIR) / "content"
PAGES = {f.meta["slug"]: f for f in load_directory(CONTENT_DIR) if f.meta["language"] == "en"}
SLUG = "compare-your-options"
OPTIONS = ["TMS", "New or added antidepressant", "Talk therapy", "ECT", "Esketamine"]
QUESTIONS = [
    "What is it like?", "How well does it work?", "Common side effects", "Serious risks", "Memory",
    "Anesthesia?", "Time it takes", "Driving afterwards", "Cost and insurance", "Who can have it?",
]  # fmt: skip
CITATION_RE = re.compile(r"\[(\d+(?:\s*[,–-]\s*\d+)*)\]")
NUMBER_RE = re.compile(r"(?<![\w.,])\d+(?:,\d{3})*(?:\.\d+)?(?![\w])")
# Numbers that are not facts from a source: the crisis line, and 100, the people each natural
# frequency ("about 14 in 100") and each picture counts.
NOT_FACTS = re.compile(r"\b(?:988|100)\b")
IDENTIFIER_RE = re.compile(r"doi:\s*(10\.\S+?)\.?(?:\s|$)|PMID:?\s*(\d+)|(https?://\S+)", re.IGNORECASE)


class Blocks(HTMLParser):
    """The text of each block (paragraph, list item, table cell, icon-array caption) in order,
    with the kind of block, and for icon arrays the numbers each drawing fills in."""

    BLOCKS = ("p", "li", "td", "th", "figcaption", "legend", "h2", "h3")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str]] = []
        self._stack: list[tuple[str, list[str]]] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            self._stack.append((tag, []))

    def handle_endtag(self, tag):
        if self._stack and self._stack[-1][0] == tag:
            kind, parts = self._stack.pop()
            self.blocks.append((kind, " ".join("".join(parts).split())))

    def handle_data(self, data):
        if self._stack:
            self._stack[-1][1].append(data)


def blocks_of(html: str) -> list[tuple[str, str]]:
    parser = Blocks()
    parser.feed(html)
    return parser.blocks


def references(slug: str) -> dict[int, set[str]]:
    """Each reference of a page, by number: the identifiers (DOI, PubMed ID, address) it gives."""
    refs = split_body(render_markdown(PAGES[slug].body).html).references
    found = {}
    for n, item in enumerate(re.findall(r"<li>(.*?)</li>", refs, re.DOTALL), start=1):
        text = unescape(re.sub(r"<[^>]+>", "", item))
        found[n] = {(doi or pmid or url).lower().rstrip(".") for doi, pmid, url in IDENTIFIER_RE.findall(text)}
    return found


def page_text(slug: str) -> str:
    """What a reader sees of a page before its references: key points and main text."""
    parts = present_body(render_markdown(PAGES[slug].body).html)  # as the public page shows it
    return unescape(re.sub(r"<[^>]+>", " ", parts.key_points + parts.main))


def options_page_blocks() -> list[tuple[str, str]]:
    parts = present_body(render_markdown(PAGES[SLUG].body).html)
    return blocks_of(parts.key_points + parts.main)


def numbers_in(text: str) -> list[str]:
    return NUMBER_RE.findall(NOT_FACTS.sub(" ", CITATION_RE.sub(" ", text)))


def test_the_options_page_is_a_published_deciding_page_awaiting_medical_review():
    meta = PAGES[SLUG].meta
    assert meta["topic"] == "deciding" and meta["status"] == "published"
    assert not (meta["reviewer"] or meta["reviewed_on"])  # no clinician has signed it off yet


def test_every_option_is_a_column_and_every_question_people_ask_is_a_row():
    html = present_aids(render_markdown(PAGES[SLUG].body).html)
    table = re.search(r'<div class="table-cards">(.*?)</div>', html, re.DOTALL).group(1)
    assert re.findall(r'<th scope="col">(.*?)</th>', table) == ["Question", *OPTIONS]
    assert re.findall(r'<th scope="row">(.*?)</th>', table) == QUESTIONS
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.DOTALL)[1:]:
        assert re.findall(r'<span class="cell-label">(.*?)</span>', row) == OPTIONS  # no empty cells


def test_every_number_on_the_options_page_is_cited_and_is_on_a_page_citing_the_same_source():
    own = references(SLUG)
    citing = {slug: references(slug) for slug in PAGES if slug != SLUG}
    texts = {slug: page_text(slug) for slug in citing}
    checked, problems = 0, []
    for kind, text in options_page_blocks():
        numbers = numbers_in(text)
        if kind == "figcaption" or not numbers:
            continue  # icon arrays: see the next test
        cited = {n for match in CITATION_RE.finditer(text) for n in map(int, re.findall(r"\d+", match.group(1)))}
        if not cited:
            problems.append(f"uncited numbers {numbers}: {text}")
            continue
        sources = set().union(*(own[n] for n in cited))
        pages = [slug for slug, refs in citing.items() if any(ids & sources for ids in refs.values())]
        for number in numbers:
            checked += 1
            if not any(re.search(rf"(?<![\d.,]){re.escape(number)}(?![\d]|[.,]\d)", texts[slug]) for slug in pages):
                problems.append(f"{number} is on no page citing {sorted(cited)} ({pages}): {text}")
    assert checked >= 30, checked  # the table and the pictures' words really were read
    assert not problems, "\n".join(problems)


def test_each_icon_array_says_the_numbers_of_the_cited_sentence_before_it():
    blocks = options_page_blocks()
    arrays = 0
    for n, (kind, text) in enumerate(blocks):
        if kind != "figcaption":
            continue
        arrays += 1
        sentence = next(t for k, t in reversed(blocks[:n]) if k == "p" and CITATION_RE.search(t))
        assert set(numbers_in(text)) <= set(numbers_in(sentence)), (text, sentence)
    assert arrays == 7


def test_the_page_lists_the_ipdas_qualifying_criteria_and_cites_the_standard():
    body = PAGES[SLUG].body
    section = body.split("{#decision-aid-standards}")[1].split("## References")[0]
    criteria = re.findall(r"^- \*\*(.+?):\*\* (.+)$", section, re.MULTILINE)
    assert [name for name, _ in criteria] == [
        "Describe the health problem", "State the decision", "Describe the options",
        "Describe the good points of each", "Describe the harms and downsides of each",
        "Help you imagine what each is like",
    ]  # fmt: skip
    ids = {entry["id"] for entry in render_markdown(body).toc}
    for _, where in criteria:
        assert set(re.findall(r"\(#([a-z-]+)\)", where)) <= ids and "(#" in where
    assert "[21]" in section and "Toward minimum standards for certifying patient decision aids" in body


def test_the_page_ends_with_questions_for_the_doctor_and_the_crisis_line():
    body = PAGES[SLUG].body
    questions = body.split("{#questions-for-your-doctor}")[1].split("\n## ")[0]
    assert len(re.findall(r"^- .+\?$", questions, re.MULTILINE)) >= 4
    assert "call or text 988 now" in questions and "(/help/)" in questions


def test_what_matters_choices_are_neutral_and_nothing_is_preticked():
    html = present_aids(render_markdown(PAGES[SLUG].body).html)
    scales = re.findall(r'<fieldset class="scale">', html)
    assert len(scales) >= 6 and "checked" not in html
    legends = re.findall(r"<legend>(.*?)</legend>", html)
    assert not [legend for legend in legends if re.search(r"\b(TMS|ECT|esketamine|therapy)\b", legend, re.I)]


@pytest.mark.parametrize(("slug", "at_least"), [("questions-to-ask", 20), ("choosing-a-tms-clinic", 25)])
def test_question_lists_are_tick_boxes_and_the_page_says_what_prints(slug, at_least):
    html = present_aids(render_markdown(PAGES[slug].body).html)
    assert html.count('<input type="checkbox"') >= at_least
    assert "only the questions you ticked will print" in html and "If you tick none, the whole page prints" in html
    assert "Nothing is sent or saved" in html and "☐" not in html
