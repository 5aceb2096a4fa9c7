"""What "inert" means for stored HTML and for a whole page, checked independently of the
sanitizer's own allow-list (so a too-generous allow-list fails here too)."""

import re
from html.parser import HTMLParser

# Elements that can run script, load something, submit, restyle the page or change how the rest
# of it is parsed. None may come out of an editor's text.
FORBIDDEN_ELEMENTS = frozenset(
    {
        "script", "style", "link", "meta", "base", "iframe", "frame", "frameset", "object", "embed",
        "applet", "portal", "img", "image", "svg", "math", "video", "audio", "source", "track",
        "picture", "form", "input", "button", "select", "textarea", "option", "isindex", "template",
        "noscript", "noembed", "noframes", "xmp", "plaintext", "listing", "title", "dialog",
        "details", "marquee", "bgsound", "canvas", "slot", "foreignobject",
    }
)  # fmt: skip
# Attributes that run script, load something, submit, restyle, or open windows.
FORBIDDEN_ATTRIBUTES = frozenset(
    {
        "style", "src", "srcset", "srcdoc", "data", "action", "formaction", "background", "dynsrc",
        "lowsrc", "ping", "target", "xlink:href", "autofocus", "form", "name", "poster", "codebase",
        "http-equiv", "content",
    }
)  # fmt: skip
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "data", "xlink:href", "background", "cite"})
SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel", "sms"})
_SCHEME_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


def url_scheme(value: str) -> str | None:
    """The scheme a browser would see (WHATWG URL parsing: leading/trailing C0 controls and
    spaces trimmed, tabs and newlines removed anywhere), or None for a relative URL."""
    value = "".join(ch for ch in value if ch not in "\t\n\r").strip("".join(map(chr, range(0x21))))
    match = _SCHEME_RE.match(value)
    return match.group(1).lower() if match else None


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = {name.lower(): value or "" for name, value in attrs}
        self.elements.append((tag.lower(), attributes))
        if "id" in attributes:
            self.ids.append(attributes["id"])

    handle_startendtag = handle_starttag


def _collect(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector


def _url_problems(tag: str, name: str, value: str) -> list[str]:
    scheme = url_scheme(value)
    if scheme and scheme not in SAFE_SCHEMES:
        return [f"<{tag} {name}={value!r}>: {scheme}: URL"]
    return []


def fragment_problems(html: str) -> list[str]:
    """Problems in stored body HTML: anything that is not plain, inert document markup."""
    problems = []
    for tag, attributes in _collect(html).elements:
        if tag in FORBIDDEN_ELEMENTS:
            problems.append(f"<{tag}> element")
        for name, value in attributes.items():
            if name.startswith("on"):
                problems.append(f"<{tag} {name}>: event handler")
            elif name in FORBIDDEN_ATTRIBUTES:
                problems.append(f"<{tag} {name}>: forbidden attribute")
            if name in URL_ATTRIBUTES:
                problems.extend(_url_problems(tag, name, value))
            if name == "rel" and "opener" in value.split():
                problems.append(f"<{tag} rel=opener>")
            if name == "id" and (value in ("main", "content") or value.endswith("-heading")):
                problems.append(f"<{tag} id={value!r}>: takes an id the page template uses")
    return problems


def page_problems(html: str, static_prefix: str = "/static/") -> list[str]:
    """Problems in a whole rendered page: live markup that the site's own templates never emit."""
    problems = []
    collected = _collect(html)
    for tag, attributes in collected.elements:
        is_data_block = attributes.get("type") in ("application/ld+json", "application/json")  # never runs
        if tag == "script" and not is_data_block and not attributes.get("src", "").startswith(static_prefix):
            problems.append(f"<script> that is not a static file: {attributes}")
        if tag in ("iframe", "frame", "object", "embed", "applet", "base", "portal", "style"):
            problems.append(f"<{tag}> element")
        if tag == "meta" and "http-equiv" in attributes:
            problems.append("<meta http-equiv>")
        for name, value in attributes.items():
            if name.startswith("on"):
                problems.append(f"<{tag} {name}>: event handler")
            if name in ("style", "srcdoc", "formaction"):
                problems.append(f"<{tag} {name}>")
            if name in URL_ATTRIBUTES:
                problems.extend(_url_problems(tag, name, value))
    duplicates = sorted({i for i in collected.ids if collected.ids.count(i) > 1})
    if duplicates:
        problems.append(f"duplicate ids: {duplicates}")
    return problems
