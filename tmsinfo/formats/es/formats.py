"""Dates and numbers on the Spanish pages: "1 de diciembre de 2026", "6435", "32 000" (the RAE's
style, which the Spanish pages' text uses: a space between thousands, a point for decimals as in
the US and Mexico)."""

DATE_FORMAT = r"j \d\e F \d\e Y"
SHORT_DATE_FORMAT = "j M Y"
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = "\u00a0"
NUMBER_GROUPING = 3
