"""Old addresses keep working: the redirects a renamed page leaves behind.

Django's ``RedirectFallbackMiddleware`` looks a 404's path up in ``django.contrib.redirects``
with its query string included, so ``/tms/old/?utm_source=leaflet`` (a tracking link, a QR code's
``?section=``) found nothing and answered 404; and a renamed page's handout (``/tms/old/print/``)
and QR code (``/tms/old/qr.svg``) were never redirected at all. This middleware replaces it:

* the redirect is found by the path alone, and the request's query string is carried over;
* the handout and QR addresses of a redirected page are derived from the page's own redirect
  (``/tms/old/print/`` goes where ``/tms/old/`` goes, plus ``print/``). One row per rename, as
  ``workflow._update_redirects`` writes it, so nothing needs migrating and the admin's list of
  redirects stays one line per old page address.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.redirects.middleware import RedirectFallbackMiddleware as DjangoRedirectFallbackMiddleware
from django.contrib.redirects.models import Redirect
from django.contrib.sites.shortcuts import get_current_site

# A page's own addresses below its page address: the handout and the QR code (articles/urls.py).
# In either edition: /tms/... or /es/tms/....
_PAGE_PART_RE = re.compile(r"\A(?P<page>(?:/es)?/tms/[-a-zA-Z0-9_]+/)(?P<part>print/|print/large/|qr\.svg)\Z")
_PAGE_RE = re.compile(r"\A(?:/es)?/tms/[-a-zA-Z0-9_]+/\Z")


def redirect_target(site, path: str) -> str | None:
    """Where an old address now lives ("" for gone), or None when it has no redirect."""
    redirects = Redirect.objects.filter(site=site)
    found = redirects.filter(old_path=path).values_list("new_path", flat=True).first()
    if found is not None:
        return found
    part = _PAGE_PART_RE.match(path)
    if part:
        page = redirects.filter(old_path=part["page"]).values_list("new_path", flat=True).first()
        if page and _PAGE_RE.match(page):
            return page + part["part"]
    return None


def with_query(target: str, query: str) -> str:
    if not query:
        return target
    return f"{target}{'&' if '?' in target else '?'}{query}"


class RedirectFallbackMiddleware(DjangoRedirectFallbackMiddleware):
    """On a 404, follow the redirect an old address left behind, query string included."""

    def process_response(self, request, response):
        if response.status_code != 404 or "\x00" in request.path:
            return response  # no stored address holds a NUL (PostgreSQL cannot even be asked)
        site = get_current_site(request)
        target = (
            Redirect.objects.filter(site=site, old_path=request.get_full_path())
            .values_list("new_path", flat=True)
            .first()
        )  # a redirect an administrator wrote for one exact query string
        query = ""
        if target is None:
            path, query = request.path, request.META.get("QUERY_STRING", "")
            target = redirect_target(site, path)
            if target is None and settings.APPEND_SLASH and not path.endswith("/"):
                target = redirect_target(site, path + "/")
        if target is None:
            return response
        if target == "":
            return self.response_gone_class()
        return self.response_redirect_class(with_query(target, query))
