"""The site's two editions: English at the unprefixed addresses, Spanish under /es/.

The language of a request comes from its address alone (never from Accept-Language or a
cookie), so a printed English link always opens the English page, a cached page is the same for
everyone, and the reader chooses with the language link every page carries.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import translate_url
from django.utils import translation

DEFAULT = "en"
EDITIONS = tuple(code for code, _name in settings.LANGUAGES)
# How each edition names itself, and the other (for the language link).
NAMES = {"en": "English", "es": "Español"}
# BCP 47 tags for <html lang>, hreflang, og:locale and JSON-LD inLanguage.
TAGS = {"en": "en-US", "es": "es-US"}
OG_LOCALES = {"en": "en_US", "es": "es_US"}


def language_of_path(path: str) -> str:
    """The edition an address belongs to: "es" for /es/..., else English."""
    for code in EDITIONS:
        if code != DEFAULT and (path == f"/{code}" or path.startswith(f"/{code}/")):
            return code
    return DEFAULT


class LanguageFromPathMiddleware:
    """Activates the edition the address names (Django's LocaleMiddleware would also read the
    browser's Accept-Language and send `Vary: Accept-Language`, splitting every cached page)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = language_of_path(request.path_info)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


def other_editions(language: str) -> list[str]:
    return [code for code in EDITIONS if code != language]


def in_language(path: str, language: str) -> str:
    """The same page's address in another edition (home, help, search, topics... all exist in
    both; an article exists in both only when its translation is published: see PublishedPage)."""
    return translate_url(path, language)
