"""Promises about the shipped pages in content/: readable, sourced, linked, honest about review."""

import re
import statistics
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings

from articles.content import load_directory
from articles.markdown import reading_text, render_markdown
from articles.readability import TARGET_GRADE, reading_grade

CONTENT_DIR = Path(settings.BASE_DIR) / "content"
FILES = [f for f in load_directory(CONTENT_DIR) if f.meta["language"] == "en"]  # Spanish: test_spanish.py
PAGES = {f.meta["slug"]: f for f in FILES}
RENDERED = {slug: render_markdown(f.body) for slug, f in PAGES.items()}
EXPECTED = {
    "what-is-tms", "how-tms-works", "types-of-tms", "does-tms-work", "risks-and-side-effects",
    "is-tms-right-for-me", "what-to-expect", "tms-compared-with-other-treatments", "cost-and-insurance",
    "questions-to-ask", "after-tms", "faq", "glossary", "about-this-site", "tms-for-young-people",
    "choosing-a-tms-clinic", "compare-your-options",
}  # fmt: skip
SITE_PATHS = {"/", "/help/", "/search/", "/clinicians/", "/about/", "/feed/"}


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.hrefs = set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])


def parsed(slug) -> _Ids:
    parser = _Ids()
    parser.feed(RENDERED[slug].html)
    return parser


def test_all_seventeen_pages_are_there_and_published():
    assert set(PAGES) == EXPECTED
    assert {f.meta["status"] for f in FILES} == {"published"}


def test_reading_grade_is_at_most_8_per_page_and_at_most_7_median():
    grades = {slug: reading_grade(reading_text(f.body)) for slug, f in PAGES.items()}
    for slug, grade in sorted(grades.items()):
        print(f"{slug}: Flesch-Kincaid grade {grade}")  # noqa: T201 (the issue asks for the list)
    too_hard = {slug: grade for slug, grade in grades.items() if grade > TARGET_GRADE}
    assert not too_hard, f"pages above grade {TARGET_GRADE}: {too_hard}"
    assert statistics.median(grades.values()) <= 7.0


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_page_has_no_reviewer_because_no_clinician_signed_it_off(slug):
    meta = PAGES[slug].meta
    assert not (meta["reviewer"] or meta["reviewer_credentials"] or meta["reviewed_on"] or meta["next_review_due"])


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_page_opens_with_key_points_and_ends_with_three_or_more_sources(slug):
    body = PAGES[slug].body
    assert body.startswith("## Key points {#key-points}")
    references = re.split(r"^## References \{#references\}\s*$", body, flags=re.M)
    assert len(references) == 2, "one References section, last"
    assert not re.search(r"^## ", references[1], flags=re.M), "References is the last section"
    sources = [line for line in references[1].splitlines() if re.match(r"^\d+\.\s", line)]
    with_id = [s for s in sources if re.search(r"doi|PMID|pubmed|https?://", s, flags=re.I)]
    assert len(with_id) >= 3 and len(with_id) == len(sources), sources


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_every_heading_has_a_stable_explicit_id(slug):
    for line in PAGES[slug].body.splitlines():
        if re.match(r"^#{2,3} ", line):
            assert re.search(r"\{#[a-z0-9-]+\}\s*$", line), f"{slug}: heading without {{#id}}: {line}"


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_summary_fits_a_meta_description(slug):
    assert 0 < len(PAGES[slug].meta["summary"]) <= 160


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_safe_messaging_and_no_marketing_words(slug):
    text = PAGES[slug].body.lower()
    for phrase in ("committed suicide", "successful suicide", "failed attempt", "successful attempt",
                   "success rate", "miracle", "breakthrough", "fda-approved tms", "fda approved tms"):  # fmt: skip
        assert phrase not in text, f"{slug}: '{phrase}'"
    assert not re.search(r"\bcures?\b", text), f"{slug}: 'cure'"
    if "suicid" in text:
        assert "988" in text, f"{slug} mentions suicide without the 988 line nearby"


def test_every_internal_link_and_anchor_resolves():
    broken = []
    for slug in PAGES:
        for href in parsed(slug).hrefs:
            if re.match(r"^[a-z]+:", href):
                continue
            path, _, fragment = href.partition("#")
            if not path:
                target = slug
            elif path in SITE_PATHS:
                continue
            else:
                match = re.fullmatch(r"/tms/([a-z0-9-]+)/", path)
                target = match.group(1) if match else None
                if target not in PAGES:
                    broken.append(f"{slug}: {href} (no such page)")
                    continue
            if fragment and fragment not in parsed(target).ids:
                broken.append(f"{slug}: {href} (no such section)")
    assert not broken, "\n".join(broken)


def test_glossary_defines_each_term_with_an_anchor():
    ids = parsed("glossary").ids
    linked = {href.split("#")[1] for slug in PAGES for href in parsed(slug).hrefs if href.startswith("/tms/glossary/#")}
    assert linked and linked <= ids
