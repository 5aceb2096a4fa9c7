"""The one rendering path: markdown in, sanitized HTML + contents + plain text out.

Every piece of markdown the site shows goes through ``render_markdown``: ``Article.save()``,
the content import and the admin's live preview (``MARKDOWNX_MARKDOWNIFY_FUNCTION``).
Python-Markdown turns the text into HTML, then bleach keeps only an explicit allow-list of
tags, attributes and URL schemes. Templates mark only the stored result safe.
"""

from __future__ import annotations

import functools
import html as html_lib
import re
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import bleach
import markdown
from bleach.html5lib_shim import Filter
from markdown.treeprocessors import Treeprocessor

from .aids import present_aids

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
        "emergency-heading", "call-heading", "abroad-heading", "handout-changes-title",
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


_URL_NOISE_RE = re.compile(r"[\t\n\r]")


def _is_external(href: str) -> bool:
    """Whether a browser would leave the site for this link. Browsers drop tabs and newlines from
    a URL, strip leading spaces and control characters, and read "\\" as "/" in http(s) URLs, so
    "/\\evil.example" and "\\\\evil.example" go to another host, like "//evil.example"."""
    url = _URL_NOISE_RE.sub("", href).lstrip("".join(chr(c) for c in range(33))).replace("\\", "/")
    if url.startswith("//"):  # "//host", and "///host", which browsers read the same way
        return True
    parts = urlsplit(url)
    return parts.scheme.lower() in ("http", "https") or (not parts.scheme and bool(parts.netloc))


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
# them costs more than using them: each thread keeps its own pair. A render that fails part-way
# leaves Python-Markdown's state behind (its block parser's state stack, its inline stash: a list
# nested too deeply once left every later paragraph without its <p>), and ``Markdown.reset()``
# does not clear it. So a failed render throws the pair away and the next one starts fresh.
_per_thread = threading.local()


def _tools() -> tuple[markdown.Markdown, bleach.Cleaner]:
    tools = getattr(_per_thread, "tools", None)
    if tools is None:
        tools = _per_thread.tools = (_markdown(), _cleaner())
    return tools


def _discard_tools() -> None:
    """Forget this thread's Markdown and Cleaner (after a failed render): the next render builds
    new ones, exactly as a fresh process would."""
    _per_thread.tools = None


def _markdown() -> markdown.Markdown:
    md = markdown.Markdown(
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
    _watch_the_clock(md)
    return md


# --- Limits: one bad paste never breaks rendering ---------------------------------------------
# Python-Markdown's time grows faster than the text for some shapes (brackets left open, lists
# nested hundreds deep, thousands of tiny elements in one paragraph), and very deep nesting
# exhausts Python's stack. Every body is checked against these limits before it is rendered, and
# the render itself is stopped once it has used RENDER_SECONDS of processor time. Real pages stay
# far below each one (the longest page today, a Spanish one, has about 19,000 characters, nesting 2
# deep, 48 headings, no HTML, and renders in 20 ms); docs/security.md lists them with the tests
# that hold them.
MAX_BODY_CHARS = 80_000
MAX_NESTING = 12  # lists and quotes inside each other, and indentation, on one line
MAX_OPEN_BRACKETS = 12  # `[` or `(` open at once within one paragraph
MAX_HEADINGS = 200
MAX_FOOTNOTES = 200  # footnote markers `[^…]`, references and definitions together
MAX_HTML_TAGS = 200  # `<…>` in the text: HTML tags, comments and <https://…> links
MAX_MARKUP = 10_000  # tags and character references in the HTML the text makes
RENDER_SECONDS = 1.0  # processor time for one render (checked as it goes; no signals)


class RenderLimitError(ValueError):
    """The text is past one of the limits above. ``str()`` is the sentence the editor sees."""


_LINE_NESTING_RE = re.compile(r"[ \t]*(?:>|(?:[*+-]|\d{1,9}[.)])(?=[ \t]|$))")
_HEADING_LINE_RE = re.compile(r"^ {0,3}(?:#{1,6}(?:[ \t]|$)|=+[ \t]*$|-+[ \t]*$)", re.MULTILINE)
_HTML_TAG_RE = re.compile(r"<[A-Za-z/!?]")
_BLANK_LINE_RE = re.compile(r"\n[ \t]*\n")


def _nesting(line: str) -> int:
    """How deep one line nests: list markers and quote markers at its start, and each four
    columns of indentation (how Python-Markdown nests list items and code)."""
    indent = len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip(" "))
    depth, at = indent // 4, 0
    while match := _LINE_NESTING_RE.match(line, at):
        depth, at = depth + 1, match.end()
    return depth


def _open_brackets(paragraph: str) -> int:
    """The most square brackets or parentheses open at once in a paragraph (one left open counts
    to its end). Python-Markdown looks for the end of each one, so its time grows with this
    number times the paragraph's length."""
    square = round_ = deepest = 0
    escaped = False
    for char in paragraph:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            square += 1
        elif char == "]":
            square = max(square - 1, 0)
        elif char == "(":
            round_ += 1
        elif char == ")":
            round_ = max(round_ - 1, 0)
        else:
            continue
        deepest = max(deepest, square, round_)
    return deepest


def check_limits(text: str) -> None:
    """Raise RenderLimitError, saying which limit and where, if the text is past one (before
    any rendering starts; in time proportional to the text)."""
    text = (text or "").replace("\r\n", "\n")
    if len(text) > MAX_BODY_CHARS:
        raise RenderLimitError(
            f"The text has {len(text):,} characters; a page may have at most {MAX_BODY_CHARS:,}. "
            "Split it into two pages."
        )
    for number, line in enumerate(text.split("\n"), start=1):
        if (depth := _nesting(line)) > MAX_NESTING:
            raise RenderLimitError(
                f"Line {number} is nested {depth} levels deep (lists, quotes or indentation inside each "
                f"other); at most {MAX_NESTING} are allowed."
            )
    line = 1
    for paragraph in _BLANK_LINE_RE.split(text):
        if (depth := _open_brackets(paragraph)) > MAX_OPEN_BRACKETS:
            raise RenderLimitError(
                f"The paragraph at line {line} has {depth} brackets “[” or “(” open at once; at most "
                f"{MAX_OPEN_BRACKETS} are allowed. Close them, or write \\[ for a bracket that is just text."
            )
        line += paragraph.count("\n") + 2
    counts = (
        (len(_HEADING_LINE_RE.findall(text)), MAX_HEADINGS, "headings (or lines of “=” or “-”)"),
        (text.count("[^"), MAX_FOOTNOTES, "footnote markers “[^”"),
        (len(_HTML_TAG_RE.findall(text)), MAX_HTML_TAGS, "pieces of HTML or <…> links"),
    )
    for found, limit, what in counts:
        if found > limit:
            raise RenderLimitError(f"The text has {found:,} {what}; a page may have at most {limit:,}.")


def _check_markup(raw_html: str) -> None:
    """The HTML Python-Markdown made is small enough for the sanitizer to read quickly."""
    markup = raw_html.count("<") + raw_html.count("&")
    if markup > MAX_MARKUP:
        raise RenderLimitError(
            f"The text makes a page of {markup:,} tags and character references (paragraphs, list items, "
            f"links, table cells, “<” and “&”); at most {MAX_MARKUP:,} are allowed. Split it into two pages."
        )


# The render's deadline (a thread_time() value), checked between the steps Python-Markdown
# repeats: each block it tries to parse and each inline pattern it matches. Each step alone is
# quick (at most linear in the text), so a render stops soon after its time is up.
_clock = threading.local()


def _check_clock() -> None:
    deadline = getattr(_clock, "deadline", None)
    if deadline is not None and time.thread_time() > deadline:
        _clock.deadline = None
        raise RenderLimitError(
            f"The text took too long to render (over {RENDER_SECONDS:g} s; real pages take a few milliseconds). "
            "Look for very long paragraphs or lists full of tiny pieces of markup, and split them."
        )


@functools.cache
def _clocked(cls: type, method: str) -> type:
    """A subclass of a Python-Markdown processor class whose ``method`` first checks the clock."""
    inner = getattr(cls, method)

    def checked(self, *args, **kwargs):
        _check_clock()
        return inner(self, *args, **kwargs)

    return type(cls.__name__, (cls,), {method: checked, "__module__": cls.__module__})


def _watch_the_clock(md: markdown.Markdown) -> None:
    """Make this Markdown instance's block processors and inline patterns check the clock."""
    for processor in md.parser.blockprocessors:
        processor.__class__ = _clocked(type(processor), "test")
    for pattern in md.inlinePatterns:
        pattern.__class__ = _clocked(type(pattern), "handleMatch")


def _flatten_toc(tokens: list[dict]) -> list[dict]:
    """The contents list, with each id exactly as the sanitized body carries it."""
    out = []
    for token in tokens:
        entry_id = safe_id(token["id"])
        if entry_id:
            # Python-Markdown gives the heading's text HTML-escaped; templates escape it again.
            title = html_lib.unescape(token["name"])
            out.append({"id": entry_id, "title": title, "level": token["level"]})
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
    """Render editor markdown to sanitized HTML, a contents list and plain text.

    Raises RenderLimitError (a ValueError) for text past the limits above. A render that fails
    for any reason leaves nothing behind: the next one is exactly as in a fresh process."""
    check_limits(text)
    md, cleaner = _tools()
    try:
        md.reset()
        _clock.deadline = time.thread_time() + RENDER_SECONDS
        try:
            raw = md.convert(text or "")
        finally:
            _clock.deadline = None
        _check_markup(raw)
        html = cleaner.clean(raw)
        toc = _flatten_toc(md.toc_tokens)
    except RecursionError:
        _discard_tools()
        raise RenderLimitError(
            "The text is nested too deeply to render (lists, quotes or brackets inside each other)."
        ) from None
    except BaseException:
        _discard_tools()
        raise
    texts = _extract(html)
    return Rendered(html=html, toc=toc, text=texts.text(), reading_text=texts.text(reading=True))


def markdownify(text: str) -> str:
    """The admin's live preview: the body exactly as the public page shows it (the key points box,
    section links, tables in their scrolling regions, tick boxes, choice scales, icon arrays and
    phone cards: articles/aids.py), from the same sanitized HTML and the same
    template include, to be shown with the public site's own style sheet; or, for text past a
    limit, the reason, where the editor is looking."""
    from django.template.loader import render_to_string  # the rest of this module needs no Django

    try:
        parts = present_body(render_markdown(text).html)
    except RenderLimitError as exc:
        return f'<p class="errornote render-error" role="alert">{html_lib.escape(str(exc))}</p>'
    # The parts under both names a page template may read them by (an article's body_parts, or
    # a published page's key_points / main / references).
    page = {"body_parts": parts, "key_points": parts.key_points, "main": parts.main, "references": parts.references}
    return render_to_string("admin/articles/article/preview_body.html", {"article": page, "body": parts.body})


def reading_text(body: str) -> str:
    """The text a reading grade is measured on: paragraphs, lists and tables of the body,
    without headings (questions, glossary terms) and without the references section."""
    return render_markdown(body).reading_text


# --- Presentation of stored HTML -----------------------------------------------------------
# The stored ``body_html`` stays exactly what ``render_markdown`` made. For the public page it
# is cut into parts (key points first, references last) and each section heading gets a
# "link to this section" anchor. Both steps only rearrange and add markup around sanitized
# HTML; they never let new editor input through. The page places the parts apart (key points
# before the review box and contents list, references after the text; the handout leaves them
# out), so each part must be whole: the body is cut only between its top-level elements, never
# inside an element an editor opened (a link or a <div> around headings), and a part that is
# still not balanced is re-serialised by the sanitizer, which closes what it left open.

KEY_POINTS_ID = "key-points"
REFERENCES_ID = "references"
VOID_TAGS = frozenset({"br", "hr", "wbr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source"})
_TAG_RE = re.compile(r"<[^>]*>")
# One tag as the sanitizer writes it (attribute values always quoted; "<" in text and in values
# always escaped), so a regular expression finds every tag, and only tags.
_TAG_TOKEN_RE = re.compile(r"""<(/?)([A-Za-z][A-Za-z0-9]*)((?:\s+[^\s"'>/=]+(?:="[^"]*")?)*)\s*/?>""")
_ID_ATTR_RE = re.compile(r'\sid="([^"]*)"')


@dataclass(slots=True)
class _Element:
    tag: str
    id: str | None
    start: int  # offset of "<tag"
    inner: int  # offset just after the start tag
    depth: int  # 0: a top-level element of the fragment
    in_link: bool  # inside an <a>
    close: int = -1  # offset of "</tag>" (stays -1 for a void element or one never closed)
    end: int = -1  # offset just after "</tag>"


@dataclass
class _Outline:
    """Where each element of a sanitized HTML fragment starts and ends, and how deep it sits."""

    elements: list[_Element]
    balanced: bool  # every element is closed, and no end tag closes one that is not open


def _outline(html: str) -> _Outline:
    elements: list[_Element] = []
    stack: list[_Element] = []
    balanced, links = True, 0  # links: how many <a> are open
    for match in _TAG_TOKEN_RE.finditer(html):
        closing, tag, attrs = match.groups()
        tag = tag.lower()
        if closing:
            if not stack or stack[-1].tag != tag:
                balanced = False
                if not any(el.tag == tag for el in stack):
                    continue
            while stack:
                element = stack.pop()
                links -= element.tag == "a"
                if element.tag == tag:
                    element.close, element.end = match.start(), match.end()
                    break
            continue
        id_match = _ID_ATTR_RE.search(attrs) if attrs else None
        element = _Element(
            tag, html_lib.unescape(id_match.group(1)) if id_match else None, match.start(), match.end(), len(stack),
            links > 0,
        )  # fmt: skip
        elements.append(element)
        if tag not in VOID_TAGS:
            stack.append(element)
            links += tag == "a"
    return _Outline(elements, balanced and not stack)


@dataclass(frozen=True)
class BodyParts:
    key_points: str = ""  # the `## Key points` section, when the body starts with one
    main: str = ""  # everything between key points and references
    references: str = ""  # the `## References` section to the end (footnotes included)

    @property
    def body(self) -> str:
        return self.main + self.references


def _whole(html: str) -> tuple[str, _Outline]:
    """The HTML and its outline; HTML that is not balanced is first re-serialised by the
    sanitizer, which closes whatever it left open (stored bodies are balanced already)."""
    outline = _outline(html or "")
    if not outline.balanced:
        html = sanitize_html(html)
        outline = _outline(html)
    return html or "", outline


def _part_bounds(html: str, outline: _Outline) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int]]:
    """(start, end) of the key points, the main text and the references: cut only before
    top-level `<h2>`s, so each part holds whole elements and nothing it opens stays open."""
    starts = [(el.start, el.id) for el in outline.elements if el.tag == "h2" and el.depth == 0 and el.id]
    main_start, main_end = 0, len(html)
    ref_at = next((pos for pos, sid in starts if sid == REFERENCES_ID), None)
    if ref_at is not None:
        main_end = ref_at
    key_end = 0
    if starts and starts[0][1] == KEY_POINTS_ID and html[: starts[0][0]].strip() == "":
        key_end = min(next((pos for pos, _sid in starts[1:]), main_end), main_end)
        main_start = key_end
    return (0, key_end), (main_start, main_end), (main_end, len(html))


def split_body(html: str) -> BodyParts:
    """Cut stored body HTML at its top-level `<h2>` sections into key points, main text and
    references. Each part is whole: nothing it opens stays open into the page around it."""
    html, outline = _whole(html)
    key, main, refs = _part_bounds(html, outline)
    return BodyParts(*(html[start:end].strip() for start, end in (key, main, refs)))


def heading_text(inner_html: str) -> str:
    """The words of a heading's inner HTML, as plain (unescaped) text."""
    return " ".join(html_lib.unescape(_TAG_RE.sub("", inner_html)).split())


# The words the presentation adds for screen readers, in each edition's language (this module
# needs no Django, so no gettext: the published page is made in its own language, not the request's).
PRESENTATION_WORDS = {
    "en": {"section": "Link to section: ", "table": "Table"},
    "es": {"section": "Enlace a la sección: ", "table": "Tabla"},
}


def _words(language: str) -> dict:
    return PRESENTATION_WORDS.get(language, PRESENTATION_WORDS["en"])


def _with_section_links(html: str, outline: _Outline, start: int, end: int, language: str = "en") -> str:
    link_words = html_lib.escape(_words(language)["section"])
    out, done = [], start
    for el in outline.elements:
        if not (start <= el.start and el.end <= end) or el.start < done:
            continue
        if el.tag not in ("h2", "h3") or not el.id or el.in_link or el.end < 0:
            continue
        label = html_lib.escape(heading_text(html[el.inner : el.close]))
        out += [
            html[done : el.start],
            f'<div class="section-heading">{html[el.start : el.end]}',
            f'<a class="section-link" href="#{html_lib.escape(el.id)}">',
            f'<span aria-hidden="true">#</span><span class="visually-hidden">{link_words}{label}</span>',
            "</a></div>",
        ]
        done = el.end
    out.append(html[done:end])
    return "".join(out).strip()


def add_section_links(html: str) -> str:
    """Give every `<h2>`/`<h3>` with an id a "link to this section" anchor next to it.

    The anchor sits beside the heading (not inside it), so a screen reader's list of headings
    stays clean; its accessible name is "Link to section: <heading>". A heading inside an
    editor's link gets none (a link inside a link is not HTML: browsers would reshape it).
    """
    html, outline = _whole(html)
    return _with_section_links(html, outline, 0, len(html))


_TABLE_TAG_RE = re.compile(r"<table\b[^>]*>|</table>", re.IGNORECASE)
_CAPTION_RE = re.compile(r"<caption\b[^>]*>(.*?)</caption>", re.DOTALL | re.IGNORECASE)
_FIRST_HEADER_RE = re.compile(r"<th\b[^>]*>(.*?)</th>", re.DOTALL | re.IGNORECASE)


def table_label(table_html: str, language: str = "en") -> str:
    """What a screen reader announces for a table's scrolling region: "Table: <caption>", or
    "Table: <first header cell>" when it has no caption (in the page's language)."""
    found = _CAPTION_RE.search(table_html) or _FIRST_HEADER_RE.search(table_html)
    words = heading_text(found.group(1)) if found else ""
    table = _words(language)["table"]
    return f"{table}: {words}" if words else table


def wrap_tables(html: str, language: str = "en") -> str:
    """Put every (outermost) table in a region that scrolls sideways on its own when the table is
    wider than the screen: focusable, so a keyboard can reach and scroll it, and labelled, so a
    screen reader announces it (WCAG 2.1.1, 1.4.10). The page itself never scrolls sideways."""
    out, depth, start, done = [], 0, 0, 0
    for match in _TABLE_TAG_RE.finditer(html or ""):
        if not match.group(0).startswith("</"):
            if depth == 0:
                start = match.start()
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                table = html[start : match.end()]
                label = html_lib.escape(table_label(table, language))
                out += [html[done:start], f'<div class="table-scroll" role="region" tabindex="0" aria-label="{label}">']
                out += [table, "</div>"]
                done = match.end()
    out.append((html or "")[done:])
    return "".join(out)


def present_part(html: str) -> str:
    """One part of the body as the public page shows it: section links, tables in scrolling regions."""
    return wrap_tables(add_section_links(html))


def present_body(html: str, language: str = "en") -> BodyParts:
    """Stored body HTML as the public page (and the sign-off screen) shows it: split into
    whole parts, with section links, the decision-aid conventions made into their markup (tick
    boxes, icon arrays...: articles/aids.py) and tables that scroll on their own. Pure: sanitized
    HTML in, presented HTML out; the aids' markup is made after the split, from whole parts."""
    html, outline = _whole(html)
    return BodyParts(
        *(
            wrap_tables(present_aids(_with_section_links(html, outline, *bounds, language)), language)
            for bounds in _part_bounds(html, outline)
        )
    )
