"""Reading grade (Flesch-Kincaid) for the site's target of US grade 8 at most."""

import textstat

TARGET_GRADE = 8.0


def reading_grade(text: str) -> float | None:
    if not text.strip():
        return None
    return round(float(textstat.flesch_kincaid_grade(text)), 1)
