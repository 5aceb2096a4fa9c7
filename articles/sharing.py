"""Addresses that last and QR codes: what clinicians share with patients.

Every absolute address is built on ``settings.SITE_URL`` (``TMSINFO_SITE_URL``), never on the
request's Host header, so a QR code printed today keeps pointing at the public site.
"""

from __future__ import annotations

import io

import segno
from django.conf import settings


def absolute_url(path: str) -> str:
    """The public, absolute address of a site path ("/tms/what-is-tms/")."""
    return f"{settings.SITE_URL}{path}"


def article_url(article, *, section: str | None = None) -> str:
    """The canonical address of an article, or of one of its sections."""
    url = absolute_url(article.get_absolute_url())
    return f"{url}#{section}" if section else url


def short_url(url: str) -> str:
    """An address as people write it down: without "https://" and "www."."""
    for prefix in ("https://", "http://"):
        if url.startswith(prefix):
            url = url[len(prefix) :]
            break
    return url.removeprefix("www.")


def qr_svg(payload: str, *, title: str = "QR code") -> str:
    """A QR code for ``payload`` as a standalone SVG document (scales to any size).

    Medium error correction survives a crease or a smudge on a printed handout; black on an
    opaque white square scans in dark mode too.
    """
    code = segno.make(payload, error="m", micro=False)
    out = io.BytesIO()
    code.save(
        out,
        kind="svg",
        scale=1,
        border=4,
        dark="#000",
        light="#fff",
        xmldecl=False,
        title=title,
        svgclass=None,
        lineclass=None,
        omitsize=True,
    )
    return out.getvalue().decode("utf-8")
