"""Dates and numbers on the English pages: "1 December 2026", "6,435"."""

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j M Y"
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
