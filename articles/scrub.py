"""Take email addresses and phone numbers out of a reader's message before it is stored.

Readers sometimes write "email me at jane@example.org" or leave a number, although we say we
cannot reply. We never keep them: ``scrub`` replaces each with a marker editors can read
("[email removed]", "[phone number removed]").

What counts as a phone number: a run of digits with spaces, dots, dashes or brackets between
them, 7 to 15 digits in all (a US number with or without the area code, or any international
format, "+44 20 7946 0958", "0044 ...", "06 12 34 56 78"), or 10 to 15 digits written without
separators. What does not: the crisis numbers (988, 741741), dates and year ranges
("2024-03-15", "1998-2005"), study identifiers (PMID, DOI, ISBN, NCT numbers), and short counts
("36 sessions"). tests/test_feedback_safety.py has the cases.
"""

from __future__ import annotations

import re

EMAIL_MARKER = "[email removed]"
PHONE_MARKER = "[phone number removed]"

_EMAIL = re.compile(r"[\w.!#$%&'*+=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
# Spelled out to dodge spam robots: "jane (at) example (dot) org", "jane at example dot org",
# "juan arroba correo punto es".
_SPELLED_EMAIL = re.compile(
    r"[\w.+-]+\s*(?:[(\[{]\s*(?:at|arroba)\s*[)\]}]|@)\s*[\w-]+(?:\s*(?:\.|[(\[{]\s*(?:dot|punto)\s*[)\]}])\s*[\w-]+)+"
    r"|[\w.+-]+\s+(?:at|arroba)\s+[\w-]+(?:\s+(?:dot|punto)\s+[\w-]+)+",
    re.IGNORECASE,
)
# A candidate: optional + or 00, then digits with separators between them (never "/", so dates
# written 10/12/2024 stay whole), not glued to a word or to another number's dot or slash.
_PHONE = re.compile(r"(?<![\w+./-])(?:\+|\b00)?\(?\d[\d().\- \u00a0]{5,}\d(?![\w/])")
_DATE_OR_RANGE = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[.-]\d{1,2}[.-]\d{4}|\d{4}\s*[-\u2013]\s*\d{4}|\d{1,2}[.:]\d{2}"
)
_IDENTIFIER_BEFORE = re.compile(r"\b(?:pmid|pmcid|doi|isbn|issn|nct|ref|reference)\b[\W_]{0,3}$", re.IGNORECASE)
_GROUP = re.compile(r"\d+")


def _is_phone_number(candidate: str, before: str) -> bool:
    digits = "".join(ch for ch in candidate if ch.isdigit())
    groups = _GROUP.findall(candidate)
    international = candidate.startswith(("+", "00"))
    if _DATE_OR_RANGE.fullmatch(candidate.strip()) or _IDENTIFIER_BEFORE.search(before):
        return False
    if len(groups) == 1:
        return 10 <= len(digits) <= 15 or (international and len(digits) >= 8)
    if len(groups) == 2 and "." in candidate and not international:
        return False  # a decimal number: 3.14159265
    if not 7 <= len(digits) <= 15:
        return False
    # "5 10 15 20" is a list of numbers; "555 1234" and "06 12 34 56 78" are phone numbers.
    return international or len(digits) >= 10 or any(len(group) >= 3 for group in groups)


def _phone(match: re.Match) -> str:
    candidate = match.group(0)
    if not _is_phone_number(candidate, match.string[max(0, match.start() - 12) : match.start()]):
        return candidate
    # "(555) 123-4567" loses its own brackets; "(call 555-1234)" keeps the reader's.
    lead = "(" if candidate.startswith("(") and ")" not in candidate else ""
    return lead + PHONE_MARKER


def scrub(text: str) -> str:
    """The text with every email address and phone number replaced by a marker."""
    text = _EMAIL.sub(EMAIL_MARKER, text or "")
    text = _SPELLED_EMAIL.sub(EMAIL_MARKER, text)
    return _PHONE.sub(_phone, text)
