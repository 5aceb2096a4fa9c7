"""Reading grade (Flesch-Kincaid) for the site's target of US grade 8 at most."""

import math
import re
from dataclasses import dataclass

import textstat

TARGET_GRADE = 8.0


def reading_grade(text: str) -> float | None:
    if not text.strip():
        return None
    return round(float(textstat.flesch_kincaid_grade(text)), 1)


# --- Writing aids for the editor: warnings, never blocks --------------------------------------
WORDS_PER_MINUTE = 200

# Safe-messaging language (the US "Recommendations for Reporting on Suicide" and similar guides):
# (pattern, what was found, what to write instead).
SAFE_MESSAGING = [
    (r"\bcommit(?:s|ted|ting)?\s+suicide\b", "“commit suicide” frames suicide as a crime or sin",
     "“died by suicide” or “took their own life”"),
    (r"\bsuccessful\s+suicide\b", "“successful suicide” frames a death as an achievement", "“died by suicide”"),
    (r"\bcompleted\s+suicide\b", "“completed suicide” frames a death as an achievement", "“died by suicide”"),
    (r"\b(?:unsuccessful|failed)\s+suicide(?:\s+attempt)?\b", "“failed suicide” frames survival as failure",
     "“suicide attempt” or “survived a suicide attempt”"),
    (r"\bfailed\s+attempt\b", "“failed attempt” frames survival as failure", "“suicide attempt”"),
    (r"\bsuccessful\s+attempt\b", "“successful attempt” frames a death as an achievement", "“died by suicide”"),
    (r"\bsuicide\s+epidemic\b", "“epidemic” sensationalises", "“rising rates of suicide”"),
    (r"\bsuicide\s+victims?\b", "“victim” sensationalises", "“person who died by suicide”"),
]  # fmt: skip
_SAFE_MESSAGING = [(re.compile(p, re.IGNORECASE), why, instead) for p, why, instead in SAFE_MESSAGING]


@dataclass(frozen=True)
class PhraseFlag:
    found: str
    line: int
    why: str
    instead: str


@dataclass(frozen=True)
class WritingAids:
    words: int
    minutes: int
    grade: float | None
    target: float
    flags: list[PhraseFlag]
    problem: str = ""  # why the text cannot be rendered (a limit), shown instead of the figures

    @property
    def above_target(self) -> bool:
        return self.grade is not None and self.grade > self.target


def safe_messaging_flags(text: str) -> list[PhraseFlag]:
    flags = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        for pattern, why, instead in _SAFE_MESSAGING:
            flags.extend(PhraseFlag(m.group(0), number, why, instead) for m in pattern.finditer(line))
    return flags


def writing_aids(body: str) -> WritingAids:
    """Word count, reading time, reading grade against the target, and safe-messaging flags."""
    from .markdown import RenderLimitError, render_markdown

    try:
        rendered = render_markdown(body or "")
    except RenderLimitError as exc:
        return WritingAids(
            words=0, minutes=0, grade=None, target=TARGET_GRADE, flags=safe_messaging_flags(body), problem=str(exc)
        )
    words = len(rendered.text.split())
    return WritingAids(
        words=words,
        minutes=max(1, math.ceil(words / WORDS_PER_MINUTE)) if words else 0,
        grade=reading_grade(rendered.reading_text),
        target=TARGET_GRADE,
        flags=safe_messaging_flags(body),
    )
