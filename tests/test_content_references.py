"""Promises about the references on every shipped page, in any language (issue 15, item 7).

Every file under content/ is checked, found by globbing, so a page added later (or a Spanish
page under content/es/) is held to the same rules without editing this file. A page cites its
sources in the text as "[2]", "[2][3]" or "[2, 9]" and lists them, numbered, under
`## References {#references}` (in Spanish, `## Referencias {#references}`); these tests read that
format:

- each listed reference has a year and a way to find the item itself: a DOI, a PubMed ID or an
  https address;
- no address is a search-results page (a reader must land on the source, not on a query);
- every number cited in the text is in the list, and every listed reference is cited.
"""

import re
from pathlib import Path

import pytest

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"
FILES = sorted(CONTENT_DIR.rglob("*.md"))

FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\n.*?\n---[ \t]*\n", re.DOTALL)
REFERENCES_RE = re.compile(r"^## (?:References|Referencias) \{#references\}[ \t]*$", re.MULTILINE)
NEXT_SECTION_RE = re.compile(r"^#{1,2} ", re.MULTILINE)
ITEM_RE = re.compile(r"^(\d+)\.\s+(.*)$")
# "[3]", "[2, 9]", "[5, 6, 7]", "[4–6]": a citation, but never a markdown link's text "[..](".
CITATION_RE = re.compile(r"\[(\d+(?:\s*[,–-]\s*\d+)*)\](?!\()")
YEAR_RE = re.compile(r"\b(?:19|20)\d{2}\b")
DOI_RE = re.compile(r"\bdoi:\s*10\.\d{4,9}/\S+|\bhttps://(?:dx\.)?doi\.org/10\.\d{4,9}/\S+", re.IGNORECASE)
PMID_RE = re.compile(r"\bPMID:?\s*\d{5,9}\b")
URL_RE = re.compile(r"\bhttps?://[^\s<>)\]]+")
SEARCH_URL_RE = re.compile(
    r"[?&]term=|google\.[a-z.]+/|bing\.com/|duckduckgo\.com/|/search\?|/search/?$|[?&](?:q|query|search)=",
    re.IGNORECASE,
)


def relative(path: Path) -> str:
    return str(path.relative_to(CONTENT_DIR))


def body_of(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return FRONT_MATTER_RE.sub("", text, count=1)


def split_references(body: str) -> tuple[str, str]:
    """The text before `## References {#references}`, and the references section itself."""
    parts = REFERENCES_RE.split(body)
    assert len(parts) == 2, "one `## References {#references}` section"
    text, references = parts
    following = NEXT_SECTION_RE.search(references)
    return text, references[: following.start()] if following else references


def reference_items(references: str) -> list[tuple[int, str]]:
    """(number, text) for each item of the numbered list; an item may continue on indented lines."""
    items: list[tuple[int, str]] = []
    for line in references.splitlines():
        match = ITEM_RE.match(line)
        if match:
            items.append((int(match.group(1)), match.group(2).strip()))
        elif items and line.startswith((" ", "\t")) and line.strip():
            number, text = items[-1]
            items[-1] = (number, f"{text} {line.strip()}")
    return items


def cited_numbers(text: str) -> set[int]:
    """Every reference number the text cites, with ranges such as "[4–6]" spelled out."""
    numbers: set[int] = set()
    for match in CITATION_RE.finditer(text):
        for part in match.group(1).split(","):
            low, _, high = part.replace("–", "-").partition("-")
            numbers.update(range(int(low), int(high or low) + 1))
    return numbers


def parsed(path: Path) -> tuple[str, list[tuple[int, str]]]:
    text, references = split_references(body_of(path))
    return text, reference_items(references)


def test_content_folder_has_pages_to_check():
    assert len(FILES) >= 14


@pytest.mark.parametrize("path", FILES, ids=relative)
def test_references_are_numbered_one_to_n_in_order(path):
    _text, items = parsed(path)
    assert items, f"{relative(path)}: no numbered references"
    assert [number for number, _ in items] == list(range(1, len(items) + 1))


@pytest.mark.parametrize("path", FILES, ids=relative)
def test_every_reference_has_a_year_and_a_doi_pmid_or_https_address(path):
    _text, items = parsed(path)
    incomplete = []
    for number, item in items:
        has_locator = DOI_RE.search(item) or PMID_RE.search(item) or re.search(r"\bhttps://\S+", item)
        if not YEAR_RE.search(item):
            incomplete.append(f"{number}: no year: {item}")
        if not has_locator:
            incomplete.append(f"{number}: no DOI, PMID or https address: {item}")
    assert not incomplete, f"{relative(path)}:\n" + "\n".join(incomplete)


@pytest.mark.parametrize("path", FILES, ids=relative)
def test_no_reference_points_at_a_search_results_page(path):
    _text, items = parsed(path)
    searches = [f"{n}: {url}" for n, item in items for url in URL_RE.findall(item) if SEARCH_URL_RE.search(url)]
    assert not searches, f"{relative(path)}: search-result addresses instead of the item:\n" + "\n".join(searches)


@pytest.mark.parametrize("path", FILES, ids=relative)
def test_every_citation_is_listed_and_every_listed_reference_is_cited(path):
    text, items = parsed(path)
    cited = cited_numbers(text)
    listed = {number for number, _ in items}
    assert not cited - listed, f"{relative(path)}: cited but not in the list: {sorted(cited - listed)}"
    assert not listed - cited, f"{relative(path)}: listed but never cited in the text: {sorted(listed - cited)}"


# --- The checks themselves: each rule catches what it is meant to catch ---------------------------
SAMPLE = """## Key points {#key-points}

- A fact [1]. Another [2, 3]. A [link](/tms/glossary/#sham) is not a citation.

## References {#references}

1. Author A. A title. *Journal*. 2020;1(2):3-4. doi:10.1000/xyz
2. Agency. A page. 2024. https://www.example.org/page
3. Author B. A trial. *Journal*. 2019. PMID: 12345678
"""


def test_the_checks_accept_a_well_referenced_page():
    text, references = split_references(SAMPLE)
    items = reference_items(references)
    assert cited_numbers(text) == {1, 2, 3} == {n for n, _ in items}
    assert all(YEAR_RE.search(item) for _, item in items)
    assert not any(SEARCH_URL_RE.search(url) for _, item in items for url in URL_RE.findall(item))


def test_the_checks_see_ranges_and_adjacent_citations():
    assert cited_numbers("As shown [2][4] and [6–8], and [10-11].") == {2, 4, 6, 7, 8, 10, 11}


@pytest.mark.parametrize(
    "url",
    [
        "https://pubmed.ncbi.nlm.nih.gov/?term=Daily+repetitive+transcranial",
        "https://www.google.com/search?q=tms",
        "https://www.bing.com/search?q=tms",
        "https://www.example.org/search?query=tms",
    ],
)
def test_the_checks_see_search_result_addresses(url):
    assert SEARCH_URL_RE.search(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://pubmed.ncbi.nlm.nih.gov/7496588/",
        "https://www.accessdata.fda.gov/scripts/cdrh/cfdocs/cfpmn/pmn.cfm?ID=K231926",
        "https://www.fda.gov/news-events/press-announcements/fda-approves-new-nasal-spray",
    ],
)
def test_the_checks_accept_addresses_of_the_item_itself(url):
    assert not SEARCH_URL_RE.search(url)
