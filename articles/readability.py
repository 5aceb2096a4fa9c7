"""How easy a page is to read: Flesch-Kincaid grade for English pages (target: US grade 8 at most)
and the INFLESZ scale (Szigriszt-Pazos) for Spanish pages (target: 65 or more, "bastante fácil";
never below 55, "normal"). Formulas are a first check only: read the page aloud."""

import math
import re
from dataclasses import dataclass

import textstat
from textstat.textstat import textstatistics

TARGET_GRADE = 8.0
TARGET_EASE = 65.0  # INFLESZ "bastante fácil"
LOWEST_EASE = 55.0  # below: "algo difícil"

# Its own instance: textstat's module-level functions share one language setting.
_spanish = textstatistics()
_spanish.set_lang("es")


def reading_grade(text: str) -> float | None:
    if not text.strip():
        return None
    return round(float(textstat.flesch_kincaid_grade(text)), 1)


def reading_ease(text: str) -> float | None:
    """INFLESZ (the Szigriszt-Pazos index) of Spanish text: 0 to 100, higher is easier."""
    if not text.strip():
        return None
    return round(float(_spanish.szigriszt_pazos(text)), 1)


def inflesz_band(score: float | None) -> str:
    """The INFLESZ scale's words for a score."""
    if score is None:
        return ""
    for limit, band in ((40, "muy difícil"), (55, "algo difícil"), (65, "normal"), (80, "bastante fácil")):
        if score < limit:
            return band
    return "muy fácil"


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
    # Spanish pages (the same guidance, in the words Spanish-language guides use).
    (r"\bcomet(?:e|en|er|ió|ieron|ido|iendo)\s+(?:un\s+)?suicidio\b", "“cometer suicidio” frames suicide as a crime",
     "“murió por suicidio” or “se quitó la vida”"),
    (r"\bsuicidios?\s+(?:exitosos?|consumados?|logrados?)\b", "it frames a death as an achievement",
     "“murió por suicidio”"),
    (r"\bintentos?\s+(?:de\s+suicidio\s+)?(?:fallidos?|frustrados?)\b", "it frames survival as failure",
     "“intento de suicidio”"),
    (r"\bepidemia\s+de\s+suicidios?\b", "“epidemia” sensationalises", "“aumento de los suicidios”"),
    (r"\bvíctimas?\s+del?\s+suicidio\b", "“víctima” sensationalises", "“persona que murió por suicidio”"),
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
    grade: float | None  # Flesch-Kincaid grade (English) or INFLESZ (Spanish: see `spanish`)
    target: float
    flags: list[PhraseFlag]
    problem: str = ""  # why the text cannot be rendered (a limit), shown instead of the figures
    spanish: bool = False

    @property
    def above_target(self) -> bool:
        """Harder to read than the target (a higher grade; in Spanish, a lower INFLESZ score)."""
        if self.grade is None:
            return False
        return self.grade < self.target if self.spanish else self.grade > self.target

    @property
    def band(self) -> str:
        return inflesz_band(self.grade) if self.spanish else ""


def safe_messaging_flags(text: str) -> list[PhraseFlag]:
    flags = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        for pattern, why, instead in _SAFE_MESSAGING:
            flags.extend(PhraseFlag(m.group(0), number, why, instead) for m in pattern.finditer(line))
    return flags


def writing_aids(body: str, language: str = "en") -> WritingAids:
    """Word count, reading time, reading grade (INFLESZ for Spanish) against the target, and
    safe-messaging flags; for text past a rendering limit, the reason instead of the figures."""
    from .markdown import RenderLimitError, render_markdown

    try:
        rendered = render_markdown(body or "")
    except RenderLimitError as exc:
        return WritingAids(
            words=0, minutes=0, grade=None, target=TARGET_GRADE, flags=safe_messaging_flags(body), problem=str(exc)
        )
    words = len(rendered.text.split())
    spanish = language == "es"
    return WritingAids(
        words=words,
        minutes=max(1, math.ceil(words / WORDS_PER_MINUTE)) if words else 0,
        grade=reading_ease(rendered.reading_text) if spanish else reading_grade(rendered.reading_text),
        target=TARGET_EASE if spanish else TARGET_GRADE,
        flags=safe_messaging_flags(body),
        spanish=spanish,
    )
