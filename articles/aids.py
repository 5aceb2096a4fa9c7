"""Decision aids in the page text: tick boxes, choice scales, icon arrays and tables that become
cards on a phone, from four small markdown conventions (docs/decision-aids.md).

Editors cannot write checkboxes, radio buttons or SVG: the sanitizer removes them. Instead they
write plain text that means one of these things, and ``present_aids`` turns that text into the
markup, *after* sanitizing, when a page is presented (the public page, the staff preview and the
admin's live preview all call it). It only recognises exact patterns in sanitized HTML and builds
the new markup itself; what an editor typed inside a pattern is carried over as the sanitized
HTML it already was, or as escaped text, never as new markup. A pattern that is not exactly right
(a number out of range, an icon-array label that does not say its own number) stays as the text
it was, so the editor sees it in the preview.

The conventions, in markdown:

* ``- [ ] Question?`` in a bullet list: a tick box. Ticking sends and stores nothing; printing a
  page with some boxes ticked prints only the ticked ones (static/css/site.css).
* ``[[scale: Not much | Some | A lot]]`` on its own line, then a bullet list: each item becomes a
  row of those choices (radio buttons), printed with the page.
* ``[[icon-array: 14 | Real TMS: about 14 in 100 || 5 | Sham: about 5 in 100]]`` on its own line:
  one drawing of 100 dots per ``number | label`` group, the first ``number`` dots filled, with
  the label as its text equivalent. The label must contain its number.
* ``[[table-cards]]`` on its own line, right before a table: on a narrow screen each row becomes
  a card, each answer labelled with its column's heading.

Nothing here needs the database or a request, and no text is added that an editor did not write,
so a page in any language presents in its own words.
"""

from __future__ import annotations

import html as html_lib
import itertools
import re

ICON_ARRAY_SIZE = 100  # people in each drawing: 10 rows of 10
ICON_ARRAY_COLUMNS = 10

_TAG_RE = re.compile(r"<[^>]*>")

# A bullet list item that starts with "[ ] ", tight (`<li>[ ] ...`) or loose (`<li>\n<p>[ ] ...`).
# The tick box's label is the item's first run of inline text: up to the end of its paragraph,
# the end of the item, or the first block inside it (a nested list). Sanitized inline markup is
# balanced within that run, so wrapping it in a <label> keeps the HTML well formed.
_BLOCK_START = r"<(?:ul|ol|p|div|table|blockquote|pre|dl|h[2-6])[\s>]"
_TICK_RE = re.compile(
    r"<li>(\s*<p>)?\[ \][ \t]+((?:(?!</li>|</p>|" + _BLOCK_START + r").)+?)(\s*)(?=</li>|</p>|" + _BLOCK_START + ")",
    re.DOTALL,
)
_DIRECTIVE_TEXT = r"([^<>\[\]]*(?:\[[^<>\[\]]*\][^<>\[\]]*)*)"  # plain text; [n] citations allowed
_PLAIN_ITEM = r"\s*<li>(?:(?!</?li[\s>]|</?ul[\s>]|</?ol[\s>]).)*</li>"  # an item with no list inside
_SCALE_RE = re.compile(
    r"<p>\[\[scale:" + _DIRECTIVE_TEXT + r"\]\]</p>\s*<ul>((?:" + _PLAIN_ITEM + r")+)\s*</ul>", re.DOTALL
)
_SCALE_ITEM_RE = re.compile(r"<li>(.*?)</li>", re.DOTALL)
_ICON_ARRAY_RE = re.compile(r"<p>\[\[icon-array:" + _DIRECTIVE_TEXT + r"\]\]</p>")
_TABLE_CARDS_RE = re.compile(r"<p>\[\[table-cards\]\]</p>\s*(<table>.*?</table>)", re.DOTALL)
_ROW_RE = re.compile(r"<tr>(.*?)</tr>", re.DOTALL)
_CELL_RE = re.compile(r"<(th|td)((?:\s[^>]*)?)>(.*?)</\1>", re.DOTALL)
_GROUP_RE = re.compile(r"\A\s*(\d{1,3})\s*\|\s*(\S.*?)\s*\Z", re.DOTALL)


def present_aids(html: str) -> str:
    """Sanitized body HTML with the decision-aid conventions turned into their markup."""
    if "[" not in (html or ""):
        return html or ""
    names = (f"scale-{n}" for n in itertools.count(1))  # radio groups need page-unique names
    html = _TABLE_CARDS_RE.sub(_table_cards, html)
    html = _ICON_ARRAY_RE.sub(_icon_arrays, html)
    html = _SCALE_RE.sub(lambda match: _scales(match, names), html)
    return _TICK_RE.sub(_tick_box, html)


def plain_text(text: str) -> str:
    """Plain text (search reads it) without the conventions' syntax: an icon array's labels stay."""

    def labels(match: re.Match) -> str:
        groups = [_GROUP_RE.match(part) for part in match.group(1).split("||")]
        return " ".join(f"{group.group(2)}." for group in groups if group)

    text = re.sub(r"\[\[icon-array:([^\n]*?)\]\](?!\])\.?", labels, text)
    text = re.sub(r"\[\[(?:scale:[^\]]*|table-cards)\]\]\.?\s*", "", text)
    return re.sub(r"^\[ \][ \t]+", "", text, flags=re.MULTILINE)


# --- tick boxes -----------------------------------------------------------------------------------
def _tick_box(match: re.Match) -> str:
    paragraph, label, space = match.group(1) or "", match.group(2), match.group(3)
    return (
        f'<li class="tick-item">{paragraph}<label class="tick">'
        f'<input type="checkbox" autocomplete="off"> <span class="tick-text">{label}</span></label>{space}'
    )


# --- choice scales --------------------------------------------------------------------------------
def _scales(match: re.Match, names) -> str:
    choices = [_text(choice) for choice in match.group(1).split("|")]
    if len(choices) < 2 or not all(choices):
        return match.group(0)
    rows = []
    for item in _SCALE_ITEM_RE.findall(match.group(2)):
        name = next(names)
        options = "".join(
            f'<label><input type="radio" name="{name}" value="{n}" autocomplete="off"> <span>{choice}</span></label>'
            for n, choice in enumerate(choices, start=1)
        )
        rows.append(f'<fieldset class="scale"><legend>{item.strip()}</legend>{options}</fieldset>')
    return f'<div class="scales">{"".join(rows)}</div>'


# --- icon arrays ----------------------------------------------------------------------------------
def _icon_arrays(match: re.Match) -> str:
    figures = []
    for part in match.group(1).split("||"):
        group = _GROUP_RE.match(html_lib.unescape(part))
        if group is None:
            return match.group(0)
        count, label = int(group.group(1)), " ".join(group.group(2).split())
        if count > ICON_ARRAY_SIZE or not re.search(rf"(?<![\d.,]){count}(?![\d]|[.,]\d)", label):
            return match.group(0)  # the drawing and its words must say the same number
        figures.append(icon_array(count, label))
    return f'<div class="icon-arrays">{"".join(figures)}</div>'


def icon_array(count: int, label: str) -> str:
    """One drawing of 100 people as dots, the first ``count`` filled and the rest hollow (so it
    reads without colour), with ``label`` (plain text) as its name and its visible caption."""
    label = html_lib.escape(label)
    filled = _dots(range(count), "h0")
    hollow = _dots(range(count, ICON_ARRAY_SIZE), "a.3.3 0 1 0 .6 0a.3.3 0 1 0-.6 0", offset=-0.3)
    paths = ""
    if filled:
        paths += f'<path d="{filled}" fill="none" stroke="currentColor" stroke-width=".72" stroke-linecap="round"/>'
    if hollow:
        paths += f'<path d="{hollow}" fill="none" stroke="currentColor" stroke-width=".1"/>'
    return (
        f'<figure class="icon-array"><svg viewBox="0 0 10 10" width="120" height="120" role="img" '
        f'aria-label="{label}" focusable="false"><title>{label}</title>{paths}</svg>'
        f"<figcaption>{label}</figcaption></figure>"
    )


def _dots(indexes: range, draw: str, *, offset: float = 0.0) -> str:
    """A path that draws ``draw`` at each dot: absolute at the start of each row, then relative."""
    out = []
    for n, index in enumerate(indexes):
        column, row = index % ICON_ARRAY_COLUMNS, index // ICON_ARRAY_COLUMNS
        if n == 0 or column == 0:
            out.append(f"M{_num(column + 0.5 + offset)} {_num(row + 0.5)}{draw}")
        else:
            out.append(f"m1 0{draw}")  # each drawing ends where it started: one column on
    return "".join(out)


def _num(value: float) -> str:
    """A short SVG number: 0.2 as ".2", 3.0 as "3"."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text[1:] if text.startswith("0.") else text


# --- tables that become cards ---------------------------------------------------------------------
def _table_cards(match: re.Match) -> str:
    table = match.group(1)
    if table.count("<table") != 1 or "<thead>" not in table or "<tbody>" not in table:
        return match.group(0)
    head, body = table.split("<tbody>", 1)
    header_row = _ROW_RE.search(head)
    if header_row is None:
        return match.group(0)
    headers = [_text(_TAG_RE.sub("", inner)) for _tag, _attrs, inner in _CELL_RE.findall(header_row.group(1))]
    head = _CELL_RE.sub(lambda cell: f"<th{_scoped(cell.group(2), 'col')}>{cell.group(3)}</th>", head)

    def row(row_match: re.Match) -> str:
        cells = []
        for n, (_tag, attrs, inner) in enumerate(_CELL_RE.findall(row_match.group(1))):
            if n == 0:
                cells.append(f"<th{_scoped(attrs, 'row')}>{inner}</th>")
            else:
                label = headers[n] if n < len(headers) else ""
                cells.append(f'<td{attrs}><span class="cell-label">{label}</span> {inner}</td>')
        return "<tr>\n" + "\n".join(cells) + "\n</tr>"

    return f'<div class="table-cards">{head}<tbody>{_ROW_RE.sub(row, body)}</div>'


def _scoped(attrs: str, scope: str) -> str:
    """A header cell's attributes with its scope (a sanitized cell may already carry one)."""
    return attrs if "scope=" in attrs else f'{attrs} scope="{scope}"'


def _text(value: str) -> str:
    """Editor text from inside a pattern, as escaped plain text on one line."""
    return html_lib.escape(" ".join(html_lib.unescape(value).split()), quote=True)
