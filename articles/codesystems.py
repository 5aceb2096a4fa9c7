"""The health-record code systems the /connect/ responder answers, and how their codes are written.

A health record names a code system by its HL7 OID (``mainSearchCriteria.v.cs``). Each system here
knows its OID, its name, the one way this site writes its codes (``canonical``) and, for ICD-10-CM,
the codes a code falls back to when it has no entry of its own (``lookup_codes``:
F33.19 -> F33.1 -> F33). Pure functions: no database, no settings. docs/connect.md lists the
sources the OIDs were checked against.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

MAX_CODE_LENGTH = 20  # longer than any code of these systems (SNOMED CT ids: at most 18 digits)


@dataclass(frozen=True)
class CodeSystem:
    oid: str
    name: str  # as editors and content files write it
    example: str
    _canonical: Callable[[str], str | None]
    hierarchical: bool = False  # a code's parents are prefixes of it (ICD-10-CM)

    def canonical(self, code: str) -> str | None:
        """The code as this site stores it, or None when it is not written like a code of this system."""
        code = (code or "").strip().upper()
        if not code or len(code) > MAX_CODE_LENGTH:
            return None
        return self._canonical(code)

    def lookup_codes(self, code: str) -> list[str]:
        """A canonical code, then the codes it falls back to, most specific first."""
        if not self.hierarchical:
            return [code]
        category, _, rest = code.partition(".")
        return [f"{category}.{rest[:n]}" for n in range(len(rest), 0, -1)] + [category]


_ICD10CM_RE = re.compile(r"[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}")
_SNOMED_RE = re.compile(r"[1-9][0-9]{5,17}")
_CPT_RE = re.compile(r"[0-9]{4}[0-9FTU]")  # Category I (numeric), II (F), III (T), PLA (U)


def _icd10cm(code: str) -> str | None:
    """F33.1, F331 and f33.1 are one code: written F33.1 (a dot after the three-character category)."""
    bare = code.replace(".", "", 1) if code.count(".") == 1 and code.index(".") == 3 else code
    if not _ICD10CM_RE.fullmatch(bare):
        return None
    return bare[:3] + (f".{bare[3:]}" if len(bare) > 3 else "")


def _matching(pattern: re.Pattern) -> Callable[[str], str | None]:
    return lambda code: code if pattern.fullmatch(code) else None


ICD10CM = CodeSystem("2.16.840.1.113883.6.90", "ICD-10-CM", "F33.1", _icd10cm, hierarchical=True)
SNOMEDCT = CodeSystem("2.16.840.1.113883.6.96", "SNOMED CT", "370143000", _matching(_SNOMED_RE))
CPT = CodeSystem("2.16.840.1.113883.6.12", "CPT", "90868", _matching(_CPT_RE))

CODE_SYSTEMS = (ICD10CM, SNOMEDCT, CPT)
BY_OID = {system.oid: system for system in CODE_SYSTEMS}
BY_NAME = {system.name: system for system in CODE_SYSTEMS}
CHOICES = [(system.oid, system.name) for system in CODE_SYSTEMS]


def system_for_oid(value: str) -> CodeSystem | None:
    """The code system a request names (``2.16.840.1.113883.6.90``, also as ``urn:oid:...``)."""
    value = (value or "").strip()
    return BY_OID.get(value.removeprefix("urn:oid:"))
