"""The /connect/ responder: health-record codes in, this site's pages out, in MedlinePlus Connect's
shape, so a record system that calls MedlinePlus Connect can use it by changing the base address.

``/connect/service`` answers machines with an Atom feed (default) or JSON; ``/connect/application``
answers a person who clicked an infobutton (views.py). Both read the request the same way
(``query_parse``, the HL7 Infobutton URL-based parameters MedlinePlus Connect reads) and answer
with the same ``answer``: the code map entry for the code, or for its parent (ICD-10-CM), and at
most three of its pages that are published, as the public reads them (``public_pages``).

Privacy (docs/connect.md): health-record traffic carries diagnoses. Nothing here writes to the
database or logs, and every parameter but the five below is never read. The page cache keeps an
answer under the map entry that answered it, never under the address that was asked for
(``cache_path``), and the answer names that entry's code, never the requested one; a code outside
the map is one shared "no match" answer.
"""

from __future__ import annotations

import json
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.html import format_html

from . import caching, codesystems
from .codesystems import CodeSystem
from .models import CodeMapEntry, PublishedPage
from .sharing import absolute_url, article_url

SERVICE_PATH = "/connect/service"
APPLICATION_PATH = "/connect/application"
MAX_ENTRIES = 3  # as MedlinePlus Connect: at most three pages per answer

# The request parameters read; everything else (patient age, sex, encounter, ...) is never read.
SYSTEM_PARAM = "mainSearchCriteria.v.cs"
CODE_PARAM = "mainSearchCriteria.v.c"
LANGUAGE_PARAM = "informationRecipient.languageCode.c"
TYPE_PARAM = "knowledgeResponseType"
# mainSearchCriteria.v.dn (the display name) is free text from the record: accepted, never read.

# knowledgeResponseType -> (format, Content-Type of the answer). text/xml is MedlinePlus's default.
RESPONSE_TYPES = {
    "text/xml": ("atom", "text/xml; charset=utf-8"),
    "application/xml": ("atom", "application/xml; charset=utf-8"),
    "application/atom+xml": ("atom", "application/atom+xml; charset=utf-8"),
    "application/json": ("json", "application/json; charset=utf-8"),
}
DEFAULT_TYPE = "text/xml"

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_NS = "http://www.w3.org/XML/1998/namespace"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"


class BadQuery(Exception):
    """A request the responder cannot answer: a short code for machines and a plain message.
    Neither ever repeats what the request said."""

    def __init__(self, code: str, message: str):
        super().__init__(code)
        self.code, self.message = code, message


_SYSTEMS_TEXT = ", ".join(f"{s.oid} ({s.name})" for s in codesystems.CODE_SYSTEMS)


@dataclass(frozen=True)
class Query:
    system: CodeSystem
    code: str | None  # canonical; None when it is not written like a code of the system (no match)
    language: str  # the edition that answers: "en" until the Spanish edition exists
    format: str  # "atom" or "json" (the service); the application always answers in HTML
    content_type: str


def query_parse(params, *, service: bool = True) -> Query:
    """Read a request's parameters (a QueryDict). Raises BadQuery for a missing or unknown code
    system, a missing code, or (the service) an unknown response type."""
    response_type = (params.get(TYPE_PARAM) or DEFAULT_TYPE).strip().lower() if service else DEFAULT_TYPE
    if response_type not in RESPONSE_TYPES:
        allowed = " or ".join(RESPONSE_TYPES)
        raise BadQuery("unknown-response-type", f"{TYPE_PARAM} must be {allowed}; leave it out for Atom XML.")
    oid = params.get(SYSTEM_PARAM, "")
    if not oid.strip():
        raise BadQuery(
            "missing-code-system", f"{SYSTEM_PARAM} is missing: send the code system's OID, one of {_SYSTEMS_TEXT}."
        )
    system = codesystems.system_for_oid(oid)
    if system is None:
        raise BadQuery(
            "unknown-code-system",
            f"{SYSTEM_PARAM} is not a code system this service answers: use one of {_SYSTEMS_TEXT}.",
        )
    code = params.get(CODE_PARAM, "")
    if not code.strip():
        raise BadQuery(
            "missing-code", f"{CODE_PARAM} is missing: send the code to look up, for example {system.example}."
        )
    format_, content_type = RESPONSE_TYPES[response_type]
    return Query(system, system.canonical(code), edition_for(params.get(LANGUAGE_PARAM, "")), format_, content_type)


def error_format(params) -> tuple[str, str]:
    """The format a service error answers in: the one asked for, or Atom's XML when it is unknown."""
    asked = (params.get(TYPE_PARAM) or DEFAULT_TYPE).strip().lower()
    return RESPONSE_TYPES.get(asked, RESPONSE_TYPES[DEFAULT_TYPE])


# --- languages ---------------------------------------------------------------------------------------
def _pages_in(language: str, slugs) -> list[PublicPage]:
    """The published pages of one edition among ``slugs``, in that order, as the public reads them.

    The one place /connect/ reads pages: the published pages every public reader reads."""
    found = {page.slug: page for page in PublishedPage.objects.in_language(language).filter(slug__in=slugs)}
    return [PublicPage.of(found[slug]) for slug in slugs if slug in found]


# The editions a request may ask for ("en", "es"; the map names English pages, whose translations
# answer in Spanish).
EDITIONS = ("en", "es")


def edition_for(language: str) -> str:
    """The edition that answers a requested language ("es", "es-MX", "en-US", ...): English unless
    there is one in that language."""
    wanted = (language or "").strip().lower().split("-", 1)[0]
    return wanted if wanted in EDITIONS else "en"


def public_pages(slugs, *, language: str = "en") -> tuple[str, list[PublicPage]]:
    """The published pages among ``slugs`` in order, and the language they are in: the requested
    edition's pages, or the English pages (and "en") when none of them is translated yet."""
    language = edition_for(language)
    slugs = list(slugs)
    pages = _pages_in(language, slugs)
    if not pages and language != "en":
        return "en", _pages_in("en", slugs)
    return language, pages


@dataclass(frozen=True)
class Reviewer:
    name: str
    credentials: str


@dataclass(frozen=True)
class PublicPage:
    """What an answer shows of a page. It has the attributes includes/review_line.html reads."""

    title: str
    summary: str
    path: str
    url: str  # the canonical address
    updated_on: date
    reviewer: Reviewer | None
    reviewed_on: date | None
    next_review_due: date | None
    is_review_overdue: bool

    @classmethod
    def of(cls, page: PublishedPage) -> PublicPage:
        reviewed = page.is_reviewed
        return cls(
            title=page.title,
            summary=page.summary,
            path=page.get_absolute_url(),
            url=article_url(page),
            updated_on=page.updated_on,
            reviewer=Reviewer(page.reviewer_name, page.reviewer_credentials) if reviewed else None,
            reviewed_on=page.reviewed_on if reviewed else None,
            next_review_due=page.next_review_due if reviewed else None,
            is_review_overdue=page.is_review_overdue,
        )

    @property
    def is_reviewed(self) -> bool:
        return self.reviewer is not None

    @property
    def reviewer_name(self) -> str:
        return self.reviewer.name if self.reviewer else ""

    @property
    def reviewer_credentials(self) -> str:
        return self.reviewer.credentials if self.reviewer else ""

    @property
    def review_line(self) -> str:
        """The page's review line in words, as on the page: who reviewed it and when, or that no one has."""
        if self.reviewer:
            who = f"{self.reviewer.name}, {self.reviewer.credentials}"
            line = f"Medically reviewed by {who} · Last reviewed {_day(self.reviewed_on)}"
            line += " · Review overdue" if self.is_review_overdue else ""
        else:
            line = "Awaiting medical review: no clinician has checked this page yet"
        return f"{line} · Last updated {_day(self.updated_on)}"


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


# --- the code map ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MapMatch:
    """The code map entry that answers a request (for the code itself or a parent code)."""

    system: str
    code: str
    name: str
    slugs: tuple[str, ...]


class CodeMapCache:
    """This process's copy of the code map, read in one query and kept while the content
    generation (articles/caching.py) stays the same, for at most the page cache's lifetime.
    Looking a code up then costs no query, so a page cache hit stays a page cache hit."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.forget()

    def forget(self) -> None:
        self._entries: dict[tuple[str, str], MapMatch] | None = None
        self._prefix, self._loaded_at = None, 0.0

    def entries(self) -> dict[tuple[str, str], MapMatch]:
        prefix = caching.generation.prefix()
        with self._lock:
            fresh = time.monotonic() - self._loaded_at < caching.options().page_seconds
            if self._entries is None or prefix != self._prefix or not fresh:
                self._entries = _load_code_map()
                self._prefix, self._loaded_at = prefix, time.monotonic()
            return self._entries


def _load_code_map() -> dict[tuple[str, str], MapMatch]:
    entries = CodeMapEntry.objects.prefetch_related("pages__article").only("system", "code", "name")
    return {
        (entry.system, entry.code): MapMatch(
            entry.system, entry.code, entry.name, tuple(page.article.slug for page in entry.pages.all())
        )
        for entry in entries
    }


code_map = CodeMapCache()


def map_match(query: Query) -> MapMatch | None:
    """The entry for the code, else for its nearest parent that has one; None when neither has.
    An entry with no pages still matches: it answers nothing and stops the fallback."""
    if query.code is None:
        return None
    entries = code_map.entries()
    for code in query.system.lookup_codes(query.code):
        if (match := entries.get((query.system.oid, code))) is not None:
            return match
    return None


# --- answers -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Answer:
    query: Query
    match: MapMatch | None
    language: str
    pages: list[PublicPage]


def answer(query: Query) -> Answer:
    """What the responder answers: at most MAX_ENTRIES published pages, best first."""
    match = map_match(query)
    if match is None or not match.slugs:
        return Answer(query, match, query.language, [])
    language, pages = public_pages(match.slugs, language=query.language)
    return Answer(query, match, language, pages[:MAX_ENTRIES])


def cache_path(request) -> str:
    """What names an answer in the page cache (caching.cache_path): the endpoint, the format,
    the language and the map entry that answers, never the request's own parameters. Every
    request for a code outside the map shares one key; a bad request gets a key never stored
    (its answer is a 400)."""
    path = request.path
    if path not in (SERVICE_PATH, APPLICATION_PATH):
        return path
    try:
        query = query_parse(request.GET, service=path == SERVICE_PATH)
    except BadQuery as problem:
        return f"{path}?bad={problem.code}"
    match = map_match(query)
    answered = f"{match.system}|{match.code}" if match else f"{query.system.oid}|none"
    return f"{path}?{query.format}|{query.language}|{answered}"


# --- the feed: one set of fields, written as Atom or as MedlinePlus Connect's JSON -----------------
def _timestamp(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _feed_fields(result: Answer) -> dict:
    query, match = result.query, result.match
    system = query.system
    code = match.code if match else ""
    updated = max((page.updated_on for page in result.pages), default=timezone.localdate())
    feed_id = f"{absolute_url(SERVICE_PATH)}?{SYSTEM_PARAM}={system.oid}" + (f"&{CODE_PARAM}={code}" if code else "")
    about = f"{system.name} {code}" if code else f"{system.name}: no page on this site answers this code"
    return {
        "base": f"{settings.SITE_URL}/",
        "lang": result.language,
        "title": f"{settings.SITE_NAME} Connect",
        "subtitle": f"{settings.SITE_NAME} Connect results for {about}",
        "updated": _timestamp(updated),
        "id": feed_id,
        "author": {"name": settings.SITE_NAME, "uri": settings.SITE_URL},
        # As MedlinePlus Connect: the search criteria, here those of the entry that answered.
        "category": [
            (CODE_PARAM, code),
            (SYSTEM_PARAM, system.oid),
            ("mainSearchCriteria.v.dn", match.name if match else ""),
            ("informationRecipient", "PAT"),
        ],
        "entries": [
            {
                "title": page.title,
                "href": page.url,
                "id": page.url,
                "updated": _timestamp(page.updated_on),
                "summary": format_html('<p>{}</p><p class="review-line">{}</p>', page.summary, page.review_line),
            }
            for page in result.pages
        ],
    }


def atom_xml(result: Answer) -> bytes:
    """The answer as an Atom feed (RFC 4287), with MedlinePlus Connect's elements."""
    fields = _feed_fields(result)

    def add(parent, tag, text=None, **attrs):
        element = ET.SubElement(parent, tag, attrs)
        element.text = text
        return element

    # Unprefixed names under xmlns: one default namespace, as MedlinePlus Connect writes it.
    feed = ET.Element(
        "feed", {"xmlns": ATOM_NS, f"{{{XML_NS}}}base": fields["base"], f"{{{XML_NS}}}lang": fields["lang"]}
    )
    add(feed, "title", fields["title"], type="text")
    add(feed, "subtitle", fields["subtitle"], type="text")
    add(feed, "updated", fields["updated"])
    add(feed, "id", fields["id"])
    author = add(feed, "author")
    add(author, "name", fields["author"]["name"])
    add(author, "uri", fields["author"]["uri"])
    for scheme, term in fields["category"]:
        add(feed, "category", scheme=scheme, term=term)
    for item in fields["entries"]:
        entry = add(feed, "entry", **{f"{{{XML_NS}}}lang": fields["lang"]})
        add(entry, "title", item["title"], type="text")
        add(entry, "link", href=item["href"], rel="alternate", type="text/html", title=item["title"])
        add(entry, "id", item["id"])
        add(entry, "updated", item["updated"])
        add(entry, "summary", str(item["summary"]), type="html")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def json_feed(result: Answer) -> bytes:
    """The answer as MedlinePlus Connect's JSON: ``feed``, ``entry``, ``title._value``,
    ``link[0].href``, ``summary._value``."""
    fields = _feed_fields(result)
    lang = fields["lang"]
    feed = {
        "base": fields["base"],
        "lang": lang,
        "xsi": XSI_NS,
        "title": {"_value": fields["title"], "type": "text"},
        "subtitle": {"_value": fields["subtitle"], "type": "text"},
        "updated": {"_value": fields["updated"]},
        "id": {"_value": fields["id"]},
        "author": {"name": {"_value": fields["author"]["name"]}, "uri": {"_value": fields["author"]["uri"]}},
        "category": [{"scheme": scheme, "term": term} for scheme, term in fields["category"]],
        "entry": [
            {
                "lang": lang,
                "title": {"_value": item["title"], "type": "text"},
                "link": [{"href": item["href"], "rel": "alternate", "type": "text/html", "title": item["title"]}],
                "id": {"_value": item["id"]},
                "updated": {"_value": item["updated"]},
                "summary": {"_value": str(item["summary"]), "type": "html"},
            }
            for item in fields["entries"]
        ],
    }
    return json.dumps({"feed": feed}, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _cors(response: HttpResponse) -> HttpResponse:
    # Public pages and no cookies: a record system's browser app may read the answer.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def feed_response(result: Answer) -> HttpResponse:
    body = json_feed(result) if result.query.format == "json" else atom_xml(result)
    return _cors(HttpResponse(body, content_type=result.query.content_type))


def error_response(problem: BadQuery, params) -> HttpResponse:
    """400 with a plain message, in the format asked for (XML when that is what was unknown)."""
    format_, content_type = error_format(params)
    if format_ == "json":
        body = json.dumps({"error": {"code": problem.code, "message": problem.message}}).encode("utf-8")
    else:
        error = ET.Element("error")
        ET.SubElement(error, "code").text = problem.code
        ET.SubElement(error, "message").text = problem.message
        body = ET.tostring(error, encoding="utf-8", xml_declaration=True)
    return _cors(HttpResponse(body, status=400, content_type=content_type))
