"""The printed handout: how large its type can be so that it still prints on two sheets.

The handout prints in two columns at 10 pt. A longer page steps down to 9.5 pt, and the longest
to 9 pt (the smallest print size the site uses), so every English page fits on two sheets of A4
or US Letter (the longest Spanish pages, about a fifth longer, take a third sheet at 9 pt). The
step is chosen from an estimate of the page's printed length: its characters, plus an allowance
for each paragraph, list item, heading and table row (the part line and the space each leaves).
The allowances and limits were measured in chromium's print-to-PDF on the pages in
``content/``; tests/browser/test_reading.py prints every published page to check them.
"""

from html.parser import HTMLParser

from .aids import present_aids
from .markdown import HEADING_TAGS, split_body

BLOCK_ALLOWANCE = 40  # characters' worth of space for each paragraph or list item
HEADING_ALLOWANCE = 65
ROW_ALLOWANCE = 65  # a table row: cell padding and borders, and its cells' part lines
# Decision aids as they print (articles/aids.py): a row of icon arrays is a drawing about seven
# lines high; each answer of a table printed as cards, and each choice scale, starts a line.
ICON_ARRAYS_ALLOWANCE = 400

# (longest printed length for this type size, the handout's CSS class suffix), largest type first.
TYPE_STEPS = ((10_500, ""), (12_100, "long"))
LONGEST = "very-long"

_BLOCKS = frozenset({"p", "li", "dt", "dd", "blockquote"})


class _LengthCounter(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.length = 0
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        classes = dict(attrs).get("class") or ""
        if tag in _BLOCKS or tag == "fieldset" or classes == "cell-label":
            self.length += BLOCK_ALLOWANCE
        elif classes == "icon-arrays":
            self.length += ICON_ARRAYS_ALLOWANCE
        elif tag in HEADING_TAGS:
            self.length += HEADING_ALLOWANCE
        elif tag == "tr":
            self.length += ROW_ALLOWANCE

    def handle_data(self, data):
        self._text.append(data)

    def close(self):
        super().close()
        self.length += len(" ".join("".join(self._text).split()))


def print_length(html: str) -> int:
    """The printed length of stored body HTML's key points and main text (not the references,
    which the handout leaves to the web page), in characters plus space allowances, with its
    decision aids as they print."""
    parts = split_body(html)  # then the aids, as the page presents each part (split_body keeps no SVG)
    counter = _LengthCounter()
    counter.feed(present_aids(f"{parts.key_points}\n{parts.main}"))
    counter.close()
    return counter.length


def handout_size(html: str) -> str:
    """The handout's type step: "" for its normal type, "long" or "very-long" for smaller steps."""
    length = print_length(html)
    return next((name for limit, name in TYPE_STEPS if length <= limit), LONGEST)
