"""Crisis lines: the one source of truth for every page, the help page, handouts and structured data.

Keyed by region; the site shows the region named by ``settings.CRISIS_REGION`` (default US).
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


def current_region() -> Region:
    """The region the site is configured for (settings.CRISIS_REGION), US if unknown."""
    return REGIONS.get(getattr(settings, "CRISIS_REGION", "US"), REGIONS["US"])
