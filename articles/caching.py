"""Fast public pages: a server-side page cache, conditional GET and CDN-friendly headers.

One middleware (``PublicPageCacheMiddleware``, listed in settings.MIDDLEWARE right after
WhiteNoise) covers every public page, including views added later:

* Only anonymous ``GET``/``HEAD`` requests outside the admin are cached: a request that carries a
  session or messages cookie (an editor, a reviewer, anyone logged in) always reaches the view.
* Only ``200`` responses that set no cookie and did not opt out with ``Cache-Control: private``,
  ``no-cache`` or ``no-store`` (``/healthz``, draft previews) are stored.
* Stored pages are kept rendered and compressed (gzip and brotli), so a repeat costs one cache
  look-up. They carry a weak ``ETag`` (a hash of the page), ``Last-Modified`` (when it was
  rendered) and ``Cache-Control: public, max-age=..., s-maxage=...``; a repeat with
  ``If-None-Match`` or ``If-Modified-Since`` gets ``304 Not Modified``.

Invalidation: every cache key contains the site-wide content *generation*, the local date (review
notices change at midnight) and a release id (code, templates, hashed CSS names and site
settings). Saving or deleting any model of the ``articles`` app bumps the generation at once and
again after the transaction commits, so the edited page, home, search, sitemap and feed all
render afresh on their next request. See docs/caching.md.

Where the generation lives:

* With a shared cache (Redis, ``REDIS_URL``): a counter in that cache, so every web node and
  worker agrees at once.
* With the default per-process memory cache: a fingerprint of the articles table (count and
  latest change, read at most once a second per process) plus a per-process counter, so a save
  in one gunicorn worker reaches the others within a second.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import brotli
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, transaction
from django.db.models import Count, Max
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

GENERATION_KEY = "tmsinfo:content-generation"
PAGE_KEY_PREFIX = "tmsinfo:page:"
OPT_OUT_DIRECTIVES = ("private", "no-cache", "no-store")
COMPRESSIBLE_TYPES = ("text/", "application/xml", "application/atom+xml", "application/rss+xml", "application/json")
MIN_COMPRESS_BYTES = 200
# Headers a stored page does not keep: they are set afresh for each reply.
FRESH_HEADERS = {"content-length", "content-encoding", "etag", "last-modified", "cache-control", "date", "expires"}


def cache_alias() -> str:
    return getattr(settings, "TMSINFO_PAGE_CACHE_ALIAS", "default")


def page_cache():
    return caches[cache_alias()]


def cache_is_shared(cache=None) -> bool:
    """True when every process sees the same cache (Redis), False for per-process memory."""
    cache = cache or page_cache()
    return not isinstance(cache, (LocMemCache, DummyCache))


# --- the content generation ----------------------------------------------------------------------
class Generation:
    """A token that changes whenever public content may have changed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.local_bumps = 0
        self._fingerprint: str | None = None
        self._checked_at = 0.0

    def token(self) -> str:
        cache = page_cache()
        if cache_is_shared(cache):
            value = cache.get(GENERATION_KEY)
            if value is None:
                # Start from the clock, so a lost key never comes back as an old value.
                cache.add(GENERATION_KEY, time.time_ns() // 1_000_000, timeout=None)
                value = cache.get(GENERATION_KEY)
            return f"s{value}"
        now = time.monotonic()
        with self._lock:
            interval = float(getattr(settings, "TMSINFO_GENERATION_CHECK_SECONDS", 1.0))
            if self._fingerprint is None or now - self._checked_at >= interval:
                self._fingerprint = database_fingerprint()
                self._checked_at = now
            return f"l{self._fingerprint}.{self.local_bumps}"

    def bump(self) -> None:
        with self._lock:
            self.local_bumps += 1
            self._fingerprint = None
        cache = page_cache()
        if cache_is_shared(cache):
            try:
                cache.incr(GENERATION_KEY)
            except ValueError:  # no counter yet (or evicted): start one from the clock
                cache.add(GENERATION_KEY, time.time_ns() // 1_000_000, timeout=None)


generation = Generation()


def database_fingerprint() -> str:
    """Count and latest change of the articles: what other processes' saves leave behind."""
    from .models import Article

    stats = Article.objects.aggregate(count=Count("id"), latest=Max("updated_at"))
    latest = stats["latest"].timestamp() if stats["latest"] else 0
    return f"{stats['count']}-{latest:.6f}"


def _bump_after_commit() -> None:
    generation.bump()


def content_changed(sender, using=None, **kwargs) -> None:
    """Signal receiver: any saved or deleted model of the articles app invalidates every page.

    Bumps at once (the saving process sees its change immediately, also inside a transaction) and
    once more after the transaction commits, so a page rendered by another process between the
    save and the commit, from the old rows, is never kept under the new generation.
    """
    if sender._meta.app_label != "articles":
        return
    try:
        generation.bump()
    except Exception:  # noqa: BLE001 (an unreachable shared cache must never block a save)
        pass
    connection = transaction.get_connection(using or DEFAULT_DB_ALIAS)
    if connection.in_atomic_block and not any(item[1] is _bump_after_commit for item in connection.run_on_commit):
        transaction.on_commit(_bump_after_commit, using=using or DEFAULT_DB_ALIAS, robust=True)


# --- keys ----------------------------------------------------------------------------------------
_release: str | None = None


def release_id() -> str:
    """Changes with the code, templates, hashed static names and the settings a page shows."""
    global _release
    if _release is None:
        digest = hashlib.sha256()
        base = Path(settings.BASE_DIR)
        paths = sorted([*base.glob("templates/**/*"), *base.glob("articles/**/*.py")])
        manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
        for path in [*paths, manifest]:
            if path.is_file():
                digest.update(str(path.relative_to(base) if path.is_relative_to(base) else path).encode())
                digest.update(path.read_bytes())
        for name in ("SITE_NAME", "CRISIS_REGION", "REPORT_ERROR_URL", "STATIC_URL", "ADMIN_PATH"):
            digest.update(repr(getattr(settings, name, None)).encode())
        _release = digest.hexdigest()[:12]
    return _release


def page_key(request, token: str, *, today: dt.date | None = None) -> str:
    """The cache key of a page: release, generation, today's date (review notices), and the URL."""
    today = today or timezone.localdate()
    parts = "\n".join(
        [release_id(), token, today.isoformat(), request.scheme, request.get_host(), request.get_full_path()]
    )
    return PAGE_KEY_PREFIX + hashlib.sha256(parts.encode()).hexdigest()


# --- stored pages --------------------------------------------------------------------------------
@dataclass
class StoredPage:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    etag: str
    last_modified: int
    encoded: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    def from_response(cls, response) -> StoredPage:
        body = response.content
        headers = [(name, value) for name, value in response.items() if name.lower() not in FRESH_HEADERS]
        page = cls(
            status=response.status_code,
            headers=headers,
            body=body,
            etag=f'W/"{hashlib.sha256(body).hexdigest()[:32]}"',
            last_modified=int(time.time()),
        )
        content_type = response.get("Content-Type", "")
        if len(body) >= MIN_COMPRESS_BYTES and content_type.startswith(COMPRESSIBLE_TYPES):
            page.encoded["br"] = brotli.compress(body, quality=9)
            page.encoded["gzip"] = gzip.compress(body, compresslevel=9, mtime=0)
        return page

    def response_for(self, request) -> HttpResponse:
        encoding = choose_encoding(request.META.get("HTTP_ACCEPT_ENCODING", ""), self.encoded)
        body = self.encoded[encoding] if encoding else self.body
        response = HttpResponse(b"" if request.method == "HEAD" else body, status=self.status)
        for name, value in self.headers:
            response[name] = value
        if self.encoded:
            patch_vary_headers(response, ["Accept-Encoding"])
        if encoding:
            response["Content-Encoding"] = encoding
        response["Content-Length"] = str(len(body))
        response["ETag"] = self.etag
        response["Last-Modified"] = http_date(self.last_modified)
        response["Cache-Control"] = public_cache_control()
        return get_conditional_response(request, etag=self.etag, last_modified=self.last_modified, response=response)


def public_cache_control() -> str:
    max_age = int(getattr(settings, "TMSINFO_CACHE_MAX_AGE", 60))
    s_maxage = int(getattr(settings, "TMSINFO_CACHE_S_MAXAGE", 300))
    return f"public, max-age={max_age}, s-maxage={s_maxage}"


def choose_encoding(accept_encoding: str, available: dict[str, bytes]) -> str | None:
    """The best of brotli or gzip that the client accepts (honouring q=0), else None."""
    accepted = {}
    for item in accept_encoding.lower().split(","):
        name, _, params = item.strip().partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                quality = 0.0
        if name:
            accepted[name.strip()] = quality
    for name in ("br", "gzip"):
        quality = accepted[name] if name in accepted else accepted.get("*", 0.0)
        if name in available and quality > 0:
            return name
    return None


# --- the middleware ------------------------------------------------------------------------------
def request_is_cacheable(request) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    path = request.path_info
    if path.startswith((f"/{settings.ADMIN_PATH}", "/markdownx/")):
        return False
    # Anyone with a session (editors, reviewers, a pending message) always reaches the view.
    return not (settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES)


def response_is_storable(request, response) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    cache_control = response.get("Cache-Control", "").lower()
    if any(directive in cache_control for directive in OPT_OUT_DIRECTIVES):
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


class PublicPageCacheMiddleware:
    """Serve anonymous public pages from the page cache; see the module docstring."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request_is_cacheable(request):
            return self.get_response(request)
        request.get_host()  # an unknown host is refused (400) before any cache is asked
        try:
            key = page_key(request, generation.token())
            stored = page_cache().get(key)
        except DatabaseError:
            return self.get_response(request)  # the view reports the outage (500 page, 503 health)
        except Exception:  # noqa: BLE001 (an unreachable cache must not take the site down)
            key, stored = None, None
        if stored is not None:
            return stored.response_for(request)
        response = self.get_response(request)
        if not response_is_storable(request, response):
            return response
        stored = StoredPage.from_response(response)
        if key is not None:
            timeout = int(getattr(settings, "TMSINFO_PAGE_CACHE_SECONDS", 600))
            try:
                page_cache().set(key, stored, timeout)
            except Exception:  # noqa: BLE001 (serve the page even if the cache is down)
                pass
        return stored.response_for(request)
