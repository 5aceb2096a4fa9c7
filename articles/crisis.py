"""Crisis lines: the one source of truth for every page, the help page, handouts and structured data.

Keyed by region and language; the site shows the region named by ``settings.CRISIS_REGION``
(default US) in the page's language (English where a region has no version in that language).
Nothing here touches the database, so the 500 page can show it when the database is down.
When you change a number, check it against the service's own site and update ``verified_on``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Line:
    name: str
    action: str  # what to do, in words: "Call or text 988"
    href: str  # tel:, sms: or https: link for a tap
    detail: str = ""
    extra_links: tuple[tuple[str, str], ...] = ()  # (label, href) for other ways to reach it


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    emergency: Line
    lines: tuple[Line, ...]
    directory: tuple[tuple[str, str], ...]  # international directories: (label, https URL)
    verified_on: date
    # The first line in a few words, to end a sentence: "If you need help now, call or text 988".
    # Shown where a message cannot be answered (the feedback form); it links to ``primary.href``.
    help_now: str = ""

    @property
    def primary(self) -> Line:
        return self.lines[0]


INTERNATIONAL_DIRECTORIES = (
    ("Find A Helpline (helplines in over 130 countries)", "https://findahelpline.com/"),
    ("International Association for Suicide Prevention", "https://www.iasp.info/"),
)
DIRECTORIOS_INTERNACIONALES = (
    ("Find A Helpline (líneas de ayuda en más de 130 países)", "https://findahelpline.com/"),
    ("Asociación Internacional para la Prevención del Suicidio (IASP)", "https://www.iasp.info/"),
)

REGIONS: dict[str, Region] = {
    "US": Region(
        code="US",
        name="United States",
        emergency=Line(
            name="Emergency",
            action="Call 911",
            href="tel:911",
            detail="If you or someone else is in immediate danger.",
        ),
        lines=(
            Line(
                name="988 Suicide & Crisis Lifeline",
                action="Call or text 988",
                href="tel:988",
                detail="Free, confidential, 24 hours a day. Press 2 for Spanish.",
                extra_links=(("Text 988", "sms:988"), ("Chat at 988lifeline.org", "https://988lifeline.org/")),
            ),
            Line(
                name="Crisis Text Line",
                action="Text HOME to 741741",
                href="sms:741741?body=HOME",
                detail="Free, 24 hours a day, with a trained volunteer.",
            ),
            Line(
                name="Veterans Crisis Line",
                action="Call 988, then press 1",
                href="tel:988",
                detail="For veterans, service members and their families.",
            ),
        ),
        directory=INTERNATIONAL_DIRECTORIES,
        verified_on=date(2026, 11, 22),
        help_now=_("call or text 988"),
    ),
    "UK": Region(
        code="UK",
        name="United Kingdom and Ireland",
        emergency=Line(
            name="Emergency",
            action="Call 999",
            href="tel:999",
            detail="If you or someone else is in immediate danger (112 also works).",
        ),
        lines=(
            Line(
                name="Samaritans",
                action="Call 116 123",
                href="tel:116123",
                detail="Free from any phone, 24 hours a day.",
            ),
            Line(
                name="Shout",
                action="Text SHOUT to 85258",
                href="sms:85258?body=SHOUT",
                detail="Free, 24 hours a day (UK).",
            ),
        ),
        directory=INTERNATIONAL_DIRECTORIES,
        verified_on=date(2026, 11, 22),
        help_now=_("call Samaritans on 116 123"),
    ),
}


# The Spanish edition's lines. The 988 Lifeline answers in Spanish: call 988 and press 2, text
# AYUDA to 988, or chat in Spanish (988lifeline.org, "What to expect": "Spanish-language (Press 2)",
# "Spanish-language (text AYUDA)", "text and chat services are available in Spanish"). Checked on
# the Lifeline's own page on 2026-12-01; check again before changing anything here.
SPANISH: dict[str, Region] = {
    "US": Region(
        code="US",
        name="Estados Unidos",
        emergency=Line(
            name="Emergencias",
            action="Llame al 911",
            href="tel:911",
            detail="Si usted u otra persona está en peligro inmediato.",
        ),
        lines=(
            Line(
                name="Línea 988 de Prevención del Suicidio y Crisis",
                action="Llame al 988 y marque 2",
                href="tel:988",
                detail="Gratis, confidencial, las 24 horas. En español: marque 2 al llamar.",
                extra_links=(
                    ("Envíe AYUDA por mensaje de texto al 988", "sms:988?body=AYUDA"),
                    ("Chat en español en 988lifeline.org", "https://988lifeline.org/"),
                ),
            ),
            Line(
                name="Línea de Crisis para Veteranos",
                action="Llame al 988 y marque 1",
                href="tel:988",
                detail="Para veteranos, miembros de las fuerzas armadas y sus familias.",
            ),
            Line(
                name="Crisis Text Line (en inglés)",
                action="Envíe HOME al 741741",
                href="sms:741741?body=HOME",
                detail="Gratis, las 24 horas, con una persona voluntaria capacitada. En inglés.",
            ),
        ),
        help_now="llame o envíe un mensaje de texto al 988",
        directory=DIRECTORIOS_INTERNACIONALES,
        verified_on=date(2026, 12, 1),
    ),
}
BY_LANGUAGE: dict[str, dict[str, Region]] = {"en": REGIONS, "es": SPANISH}


def current_region(language: str | None = None) -> Region:
    """The region the site is configured for (settings.CRISIS_REGION, US if unknown), in
    ``language`` (the active language when not given; English where a region has no version in it)."""
    from django.utils.translation import get_language

    code = getattr(settings, "CRISIS_REGION", "US")
    code = code if code in REGIONS else "US"
    regions = BY_LANGUAGE.get(language or get_language() or "en", REGIONS)
    return regions.get(code) or REGIONS[code]
