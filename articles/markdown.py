"""The one rendering path: markdown in, sanitized HTML + contents + plain text out.

Every piece of markdown the site shows goes through ``render_markdown``: ``Article.save()``,
the content import and the admin's live preview (``MARKDOWNX_MARKDOWNIFY_FUNCTION``).
Python-Markdown turns the text into HTML, then bleach keeps only an explicit allow-list of
tags, attributes and URL schemes. Templates mark only the stored result safe.
"""

from __future__ import annotations

import html as html_lib
import re
import threading
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import bleach
import markdown
from bleach.html5lib_shim import Filter
from markdown.treeprocessors import Treeprocessor

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "h2", "h3", "h4", "h5", "h6",
        "ul", "ol", "li", "dl", "dt", "dd", "blockquote",
        "a", "strong", "em", "b", "i", "code", "pre", "abbr", "sup", "sub", "small", "mark",
        "table", "thead", "tbody", "tr", "th", "td", "caption",
        "div",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title", "rel", "class", "id"],
    "abbr": ["title"],
    "h2": ["id"], "h3": ["id"], "h4": ["id"], "h5": ["id"], "h6": ["id"],
    "th": ["align", "scope"], "td": ["align"],
    "ol": ["start"], "li": ["id"], "sup": ["id"],
    "div": ["class"],
}  # fmt: skip
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto", "tel", "sms"})

HEADING_TAGS = ("h2", "h3", "h4", "h5", "h6")
BLOCK_TAGS = frozenset({"p", "li", "dt", "dd", "td", "th", "caption", "blockquote", *HEADING_TAGS})


@dataclass(frozen=True)
class Rendered:
    html: str
    toc: list[dict] = field(default_factory=list)
    text: str = ""
    reading_text: str = ""  # see reading_text()


class _DemoteH1(Treeprocessor):
    """The page title is the only <h1>: a `# heading` in the body becomes an <h2>."""

    def run(self, root):
        for el in root.iter("h1"):
            el.tag = "h2"


class _DemoteH1Extension(markdown.Extension):
    def extendMarkdown(self, md):  # noqa: N802 (Python-Markdown's API)
        # Before toc (priority 5) so the contents list sees the demoted level.
        md.treeprocessors.register(_DemoteH1(md), "demote_h1", 30)


# Ids an editor's `{#id}` must not take: the ones the page templates use (tests/test_xss.py
# checks that every id in templates/ is listed). Such an id becomes `section-<id>`, in the body
# and in the contents list alike, so the skip link and the page's own headings keep working.
RESERVED_IDS = frozenset(
    {
        "main", "content", "top",
        "toc-heading", "related-heading", "intro-heading", "page-history-heading",
        "for-me-heading", "review-heading", "share-heading", "search-q", "home-search-q",
        "footer-crisis-heading", "footer-disclaimer-heading",
        "emergency-heading", "call-heading", "abroad-heading",
        # the feedback box at the end of article pages (templates/includes/feedback_*.html)
        "feedback", "feedback-heading", "feedback-crisis-heading", "feedback-section", "feedback-no-reply",
        "feedback-text", "feedback-text-hint", "feedback-kept", "feedback-website", "feedback-vote-website",
    }
)  # fmt: skip
_ID_RE = re.compile(r"\A[A-Za-z][A-Za-z0-9_:.-]{0,99}\Z")
# The only classes the body may carry: the ones Python-Markdown's footnotes emit. Editors cannot
# borrow the site's own classes (a fake footer, a hidden skip link).
ALLOWED_CLASSES = {"a": {"footnote-ref", "footnote-backref"}, "div": {"footnote"}}


def safe_id(value: str) -> str | None:
    """The id an element may carry in the body, or None to drop it."""
    if not _ID_RE.match(value or ""):
        return None
    if value in RESERVED_IDS:
        return f"section-{value}"
    return value


def _is_external(href: str) -> bool:
    parts = urlsplit(href.strip())
    return parts.scheme in ("http", "https") or (not parts.scheme and bool(parts.netloc))


class _AttributePolicyFilter(Filter):
    """After bleach's allow-list: links that leave the site open no window handle and send no
    referrer; ids follow `safe_id`; classes only from ALLOWED_CLASSES."""

    def __iter__(self):
        for token in super().__iter__():
            if token["type"] in ("StartTag", "EmptyTag"):
                attrs = token["data"]
                if (None, "id") in attrs:
                    new_id = safe_id(attrs[(None, "id")])
                    if new_id:
                        attrs[(None, "id")] = new_id
                    else:
                        del attrs[(None, "id")]
                if (None, "class") in attrs:
                    allowed = ALLOWED_CLASSES.get(token["name"], set())
                    classes = [c for c in attrs[(None, "class")].split() if c in allowed]
                    if classes:
                        attrs[(None, "class")] = " ".join(classes)
                    else:
                        del attrs[(None, "class")]
                if token["name"] == "a":
                    if _is_external(attrs.get((None, "href"), "")):
                        attrs[(None, "rel")] = "noopener noreferrer"
                    else:
                        attrs.pop((None, "rel"), None)
            yield token


def _cleaner() -> bleach.Cleaner:
    return bleach.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
        filters=[_AttributePolicyFilter],
    )


# Neither a Markdown instance nor a bleach Cleaner may be shared between threads, and building
# them costs more than using them: each thread keeps its own pair.
_per_thread = threading.local()


def _tools() -> tuple[markdown.Markdown, bleach.Cleaner]:
    tools = getattr(_per_thread, "tools", None)
    if tools is None:
        tools = _per_thread.tools = (_markdown(), _cleaner())
    return tools


def _markdown() -> markdown.Markdown:
    return markdown.Markdown(
        extensions=[
            "tables",
            "attr_list",
            "footnotes",
            "sane_lists",
            _DemoteH1Extension(),
            "toc",
        ],
        extension_configs={
            "toc": {"toc_depth": "2-3"},
            "tables": {"use_align_attribute": True},
        },
        output_format="html",
    )


def _flatten_toc(tokens: list[dict]) -> list[dict]:
    """The contents list, with each id exactly as the sanitized body carries it."""
    out = []
    for token in tokens:
        entry_id = safe_id(token["id"])
        if entry_id:
            out.append({"id": entry_id, "title": token["name"], "level": token["level"]})
        out.extend(_flatten_toc(token["children"]))
    return out


class _TextExtractor(HTMLParser):
    """Plain text with each block as its own sentence (for search and reading grade)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str]] = []
        self.references_at: int | None = None  # the block the references section starts at
        self._buf: list[str] = []
        self._tag = "p"
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in BLOCK_TAGS:
            self._flush()
            self._tag = tag
            if tag == "h2" and self.references_at is None and ("id", REFERENCES_ID) in attrs:
                self.references_at = len(self.blocks)
        elif tag == "sup":
            self._skip += 1  # footnote markers are not words

    def handle_endtag(self, tag):
        if tag in BLOCK_TAGS:
            self._flush()
        elif tag == "sup" and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self._buf.append(data)

    def _flush(self):
        text = " ".join("".join(self._buf).split())
        self._buf = []
        if text:
            self.blocks.append((self._tag, text))

    def text(self, *, reading: bool = False) -> str:
        """All the text; or, with ``reading``, the text a reading grade is measured on."""
        self._flush()
        blocks = self.blocks
        if reading:
            blocks = [(tag, text) for tag, text in blocks[: self.references_at] if tag not in HEADING_TAGS]
        sentences = []
        for _tag, text in blocks:
            if text[-1] not in ".!?:;":
                text += "."
            sentences.append(text)
        return "\n".join(sentences)


def _extract(html: str) -> _TextExtractor:
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return parser


def html_to_text(html: str) -> str:
    return _extract(html).text()


def sanitize_html(html: str) -> str:
    return _tools()[1].clean(html)


def render_markdown(text: str) -> Rendered:
    """Render editor markdown to sanitized HTML, a contents list and plain text."""
    md = _tools()[0]
    md.reset()
    raw = md.convert(text or "")
    html = sanitize_html(raw)
    texts = _extract(html)
    return Rendered(
        html=html, toc=_flatten_toc(md.toc_tokens), text=texts.text(), reading_text=texts.text(reading=True)
    )


def markdownify(text: str) -> str:
    """The admin preview: exactly the HTML the public page will show."""
    return render_markdown(text).html


def reading_text(body: str) -> str:
    """The text a reading grade is measured on: paragraphs, lists and tables of the body,
    without headings (questions, glossary terms) and without the references section."""
    return render_markdown(body).reading_text


# --- Presentation of stored HTML -----------------------------------------------------------
# The stored ``body_html`` stays exactly what ``render_markdown`` made. For the public page it
# is cut into parts (key points first, references last) and each section heading gets a
# "link to this section" anchor. Both steps only rearrange and add markup around sanitized
# HTML; they never let new editor input through.

KEY_POINTS_ID = "key-points"
REFERENCES_ID = "references"

# bleach serializes headings as `<h2 id="...">`; headings cannot nest, so a regex is exact here.
_SECTION_START_RE = re.compile(r'<h2 id="([^"<>]*)">')
_HEADING_RE = re.compile(r'<(h[23]) id="([^"<>]*)">(.*?)</\1>', re.DOTALL)
_TAG_RE = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class BodyParts:
    key_points: str = ""  # the `## Key points` section, when the body starts with one
    main: str = ""  # everything between key points and references
    references: str = ""  # the `## References` section to the end (footnotes included)

    @property
    def body(self) -> str:
        return self.main + self.references


def split_body(html: str) -> BodyParts:
    """Cut stored body HTML at its `<h2>` sections into key points, main text and references."""
    starts = [(m.start(), m.group(1)) for m in _SECTION_START_RE.finditer(html or "")]
    key_points, main, references = "", html or "", ""
    ref_at = next((pos for pos, sid in starts if sid == REFERENCES_ID), None)
    if ref_at is not None:
        main, references = main[:ref_at], main[ref_at:]
    if starts and starts[0][1] == KEY_POINTS_ID and html[: starts[0][0]].strip() == "":
        after = next((pos for pos, _sid in starts[1:]), len(main))
        after = min(after, len(main))
        key_points, main = main[:after], main[after:]
    return BodyParts(key_points=key_points.strip(), main=main.strip(), references=references.strip())


def heading_text(inner_html: str) -> str:
    """The words of a heading's inner HTML, as plain (unescaped) text."""
    return " ".join(html_lib.unescape(_TAG_RE.sub("", inner_html)).split())


def add_section_links(html: str) -> str:
    """Give every `<h2>`/`<h3>` with an id a "link to this section" anchor next to it.

    The anchor sits beside the heading (not inside it), so a screen reader's list of headings
    stays clean; its accessible name is "Link to section: <heading>".
    """

    def link(match: re.Match) -> str:
        tag, section_id, inner = match.groups()
        label = html_lib.escape(heading_text(inner))
        return (
            f'<div class="section-heading">{match.group(0)}'
            f'<a class="section-link" href="#{section_id}">'
            f'<span aria-hidden="true">#</span><span class="visually-hidden">Link to section: {label}</span>'
            f"</a></div>"
        )

    return _HEADING_RE.sub(link, html or "")


def present_body(html: str) -> BodyParts:
    """Stored body HTML as the public page shows it: split into parts, with section links."""
    parts = split_body(html)
    return BodyParts(
        key_points=add_section_links(parts.key_points),
        main=add_section_links(parts.main),
        references=add_section_links(parts.references),
    )
