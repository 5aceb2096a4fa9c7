"""Fast public pages: a server-side page cache, conditional GET and CDN-friendly headers.

One middleware (``PublicPageCacheMiddleware``, listed in settings.MIDDLEWARE right after
WhiteNoise) covers every public page, including views added later:

* Only anonymous ``GET``/``HEAD`` requests outside the admin are cached: a request that carries a
  session or messages cookie (an editor, a reviewer, anyone logged in) always reaches the view.
* Only ``200`` responses that set no cookie and did not opt out with ``Cache-Control: private``,
  ``no-cache`` or ``no-store`` (``/healthz``, draft previews) are stored.
* Stored pages are kept rendered and compressed (gzip and brotli), so a repeat costs a look-up in
  this process's memory (``RecentPages``), or one in the shared cache. They carry a weak ``ETag``
  (a hash of the page), ``Last-Modified`` (when it was rendered) and ``Cache-Control: public,
  max-age=..., s-maxage=...``; a repeat with ``If-None-Match`` or ``If-Modified-Since`` gets
  ``304 Not Modified``.

Invalidation: every cache key contains the site-wide content *generation*, the local date (review
notices change at midnight) and a release id (code, templates, hashed CSS names and site
settings). Saving or deleting any model of the ``articles`` app bumps the generation at once and
again after the transaction commits, so the edited page, home, search, sitemap and feed all
render afresh on their next request. See docs/caching.md.

Where the generation lives: it is the database fingerprint (the number of articles and the newest
history row, which every save of a page writes) and a counter, both read at most once per
``TMSINFO_GENERATION_CHECK_SECONDS`` per process, so a cached page costs no round trip at all:

* With a shared cache (Redis, ``REDIS_URL``): the counter is in that cache and every save of any
  model increments it, so every web node and worker sees an edit within the check interval.
* With the default per-process memory cache, or while the shared cache is unreachable: the
  counter is the process's own, and other processes learn of a page's edit from the fingerprint.

A shared cache that does not answer is not asked again by pages: a background thread retries it
every ``RETRY_SECONDS`` and sends it the saves made meanwhile; until then pages are kept in
process memory for ``OUTAGE_PAGE_SECONDS`` only. docs/caching.md states the bounds.
"""

from __future__ import annotations

import functools
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
from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS, DatabaseError, transaction
from django.db.models import Count, Max
from django.dispatch import receiver
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from . import cdn

GENERATION_KEY = "tmsinfo:content-generation"
PAGE_KEY_PREFIX = "tmsinfo:page:"
OPT_OUT_DIRECTIVES = ("private", "no-cache", "no-store")
COMPRESSIBLE_TYPES = ("text/", "application/xml", "application/atom+xml", "application/rss+xml", "application/json")
MIN_COMPRESS_BYTES = 200
# Headers a stored page does not keep: they are set afresh for each reply.
FRESH_HEADERS = {"content-length", "content-encoding", "etag", "last-modified", "cache-control", "date", "expires"}


@dataclass(frozen=True)
class Options:
    cache: object
    shared: bool
    check_interval: float
    page_seconds: int
    cache_control: str


@functools.cache
def options() -> Options:
    """Settings and the cache backend, looked up once (again whenever a setting changes)."""
    cache = caches[getattr(settings, "TMSINFO_PAGE_CACHE_ALIAS", "default")]
    max_age = int(getattr(settings, "TMSINFO_CACHE_MAX_AGE", 60))
    s_maxage = int(getattr(settings, "TMSINFO_CACHE_S_MAXAGE", 300))
    return Options(
        cache=cache,
        shared=not isinstance(cache, (LocMemCache, DummyCache)),
        check_interval=float(getattr(settings, "TMSINFO_GENERATION_CHECK_SECONDS", 1.0)),
        page_seconds=int(getattr(settings, "TMSINFO_PAGE_CACHE_SECONDS", 600)),
        cache_control=f"public, max-age={max_age}, s-maxage={s_maxage}",
    )


@receiver(setting_changed)
def _settings_changed(**kwargs) -> None:
    options.cache_clear()
    generation.forget()


def page_cache():
    return options().cache


def cache_is_shared() -> bool:
    """True when every process sees the same cache (Redis), False for per-process memory."""
    return options().shared


# --- the content generation ----------------------------------------------------------------------
# How often a process that could not reach the shared cache tries it again (and re-sends a change
# it could not announce), in a background thread: no page ever waits for an unreachable cache.
RETRY_SECONDS = 0.25
# While the shared cache is unreachable, pages are kept only in each process's memory, this long.
OUTAGE_PAGE_SECONDS = 5


def _clock_ms() -> int:
    """A new counter starts from the clock, so a lost key never comes back as an old value."""
    return time.time_ns() // 1_000_000


class Generation:
    """The part of every page key that changes whenever public content may have changed.

    ``current()`` gives the prefix (release id, generation token, today's date) and whether pages
    under it may be shared with other processes; ``bump()`` changes it. The token is the database
    fingerprint (what any process's save of a page leaves behind) and a counter: the shared
    cache's, which every save increments, or this process's own while there is no shared cache or
    it cannot be reached. Both are read at most once per check interval (docs/caching.md states
    the bound); this process's own saves show at once.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.local_bumps = 0
        self._prefix: tuple[str, bool] | None = None
        self._checked_at = 0.0
        self._today = ("", 0.0)
        self._wanted = 0  # saves this process made with a shared cache...
        self._sent = 0  # ...and how many of them the shared cache has counted
        self._down = False  # the shared cache did not answer: only the watcher asks it again
        self._watcher: threading.Thread | None = None

    def forget(self) -> None:
        with self._lock:
            self._prefix = None
            self._today = ("", 0.0)  # the time zone may have changed
            self._wanted = self._sent = 0
            self._down = False

    def _date(self, now: float) -> str:
        today, checked = self._today
        if now - checked >= 1.0:
            today = timezone.localdate().isoformat()  # "Review overdue" appears at midnight
            self._today = (today, now)
        return today

    def current(self) -> tuple[str, bool]:
        """(prefix, shared): ``shared`` is False when pages under this prefix must stay in this
        process (no shared cache, or it is unreachable, or it has not yet counted a save made here)."""
        opts = options()
        now = time.monotonic()
        found = self._prefix
        if found is not None and now - self._checked_at < opts.check_interval:
            return found
        seen = self.local_bumps
        counter = self._shared_counter(opts) if opts.shared else None
        token = f"{database_fingerprint()}.{'s' + str(counter) if counter is not None else 'l' + str(seen)}"
        found = (f"{release_id()}:{token}:{self._date(now)}", counter is not None)
        with self._lock:
            if self.local_bumps == seen:  # no save here meanwhile, or this prefix would hide it
                self._prefix, self._checked_at = found, now
        return found

    def prefix(self) -> str:
        return self.current()[0]

    def _shared_counter(self, opts: Options):
        if self._down:
            return None
        if self._sent < self._wanted and not self._send(opts):
            return None
        try:
            value = opts.cache.get(GENERATION_KEY)
            if value is None:
                opts.cache.add(GENERATION_KEY, _clock_ms(), timeout=None)
                value = opts.cache.get(GENERATION_KEY)
        except Exception:  # noqa: BLE001 (any cache failure: carry on without it)
            self.cache_failed()
            return None
        return value

    def bump(self) -> None:
        opts = options()
        with self._lock:
            self.local_bumps += 1
            self._prefix = None
            if opts.shared:
                self._wanted += 1
        if opts.shared and not self._down:
            self._send(opts)

    def _send(self, opts: Options) -> bool:
        """Count this process's saves in the shared cache; False (and retried) if it does not answer."""
        wanted = self._wanted
        try:
            try:
                opts.cache.incr(GENERATION_KEY)
            except ValueError:  # no counter yet (or evicted): start one from the clock
                opts.cache.add(GENERATION_KEY, _clock_ms(), timeout=None)
        except Exception:  # noqa: BLE001 (an unreachable shared cache never fails a save or a page)
            self.cache_failed()
            return False
        with self._lock:
            self._sent = max(self._sent, wanted)
            self._prefix = None
        return True

    def cache_failed(self) -> None:
        """The shared cache did not answer: pages stay in this process until the watcher, asking
        every RETRY_SECONDS, finds it again and has sent it the saves made meanwhile."""
        with self._lock:
            self._down = True
            self._prefix = None
            if self._watcher is None or not self._watcher.is_alive():
                self._watcher = threading.Thread(target=self._watch, name="page-cache-watch", daemon=True)
                self._watcher.start()

    def _watch(self) -> None:
        while True:
            time.sleep(RETRY_SECONDS)
            opts = options()
            if opts.shared:
                try:
                    opts.cache.get(GENERATION_KEY)
                except Exception:  # noqa: BLE001, S112 (still unreachable: ask again later)
                    continue
                if self._sent < self._wanted and not self._send(opts):
                    continue
            with self._lock:
                self._down = False
                self._prefix = None
            return


generation = Generation()


def database_fingerprint() -> str:
    """What other processes' saves leave behind: the number of articles and the newest history
    row (every save and delete writes one). Both are index look-ups, cheap at 10,000 pages;
    without a history table, the latest ``updated_at`` (a scan of the articles table)."""
    from .models import Article

    history = getattr(Article, "history", None)
    if history is not None:
        latest = history.model.objects.aggregate(latest=Max("pk"))["latest"] or 0
        return f"{Article.objects.count()}-h{latest}"
    stats = Article.objects.aggregate(count=Count("id"), latest=Max("updated_at"))
    latest = stats["latest"].timestamp() if stats["latest"] else 0
    return f"{stats['count']}-{latest:.6f}"


def _bump_after_commit() -> None:
    generation.bump()
    cdn.purger.request()


def content_changed(sender, using=None, **kwargs) -> None:
    """Signal receiver: any saved or deleted model of the articles app invalidates every page
    (except models that say ``changes_public_pages = False``).

    Bumps at once (the saving process sees its change immediately, also inside a transaction) and
    once more after the transaction commits, so a page rendered by another process between the
    save and the commit, from the old rows, is never kept under the new generation.
    """
    if sender._meta.app_label != "articles" or not getattr(sender, "changes_public_pages", True):
        return  # reader feedback, for one, changes no page: a flood of it must not empty the cache
    try:
        generation.bump()
    except Exception:  # noqa: BLE001 (an unreachable shared cache must never block a save)
        pass
    connection = transaction.get_connection(using or DEFAULT_DB_ALIAS)
    if not connection.in_atomic_block:
        cdn.purger.request()  # already committed
    elif not any(item[1] is _bump_after_commit for item in connection.run_on_commit):
        transaction.on_commit(_bump_after_commit, using=using or DEFAULT_DB_ALIAS, robust=True)


# --- keys ----------------------------------------------------------------------------------------
@functools.cache
def release_id() -> str:
    """Changes with the code, templates, hashed static names and the settings a page shows."""
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
    return digest.hexdigest()[:12]


# Added to shared links by social networks, mail tools and ads, unique per click (fbclid), and
# never read by a view: without them in the key, a link shared to thousands is one cached page.
TRACKING_PARAMS = frozenset(
    ("fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid", "_ga", "_gl")
)


def cache_path(request) -> str:
    """The path and query string that identify a page: tracking parameters left out. A /connect/
    answer is named by the code map entry that answers it, never by the health-record codes in
    its address (articles/connect.py, docs/connect.md)."""
    if request.path.startswith("/connect/"):
        from . import connect

        return connect.cache_path(request)
    query = request.META.get("QUERY_STRING", "")
    if not query:
        return request.path
    kept = [
        part
        for part in query.split("&")
        if part and not (name := part.split("=", 1)[0].lower()).startswith("utm_") and name not in TRACKING_PARAMS
    ]
    return f"{request.path}?{'&'.join(kept)}" if kept else request.path


def page_key(request, prefix: str, host: str | None = None) -> str:
    """The cache key of a page: the generation prefix (release, content, date) and the URL."""
    url = f"{request.scheme}://{host or request.get_host()}{cache_path(request)}"
    return f"{PAGE_KEY_PREFIX}{prefix}:{hashlib.sha256(url.encode()).hexdigest()[:40]}"


# --- stored pages --------------------------------------------------------------------------------
@dataclass
class StoredPage:
    """A rendered page as the cache keeps it: body in each encoding, headers ready to send."""

    status: int
    headers: dict[str, tuple[str, str]]
    etag: str
    last_modified: int
    variants: dict[str | None, tuple[bytes, dict[str, tuple[str, str]]]] = field(default_factory=dict)
    cache_control: str | None = None  # the view's own public Cache-Control (a QR code: a day), if any

    compressible: bool = False

    @classmethod
    def from_response(cls, response, accept_encoding: str = "") -> StoredPage:
        """The page to store, compressed now in the encoding this request asked for; the other
        encoding is made when a client first asks for it (``response_for``)."""
        body = response.content
        headers = {name.lower(): (name, value) for name, value in response.items() if name.lower() not in FRESH_HEADERS}
        etag = f'W/"{hashlib.sha256(body).hexdigest()[:32]}"'
        last_modified = int(time.time())
        headers["etag"] = ("ETag", etag)
        headers["last-modified"] = ("Last-Modified", http_date(last_modified))
        content_type = response.get("Content-Type", "")
        page = cls(
            status=response.status_code,
            headers=headers,
            etag=etag,
            last_modified=last_modified,
            cache_control=response.get("Cache-Control") or None,
            compressible=len(body) >= MIN_COMPRESS_BYTES and content_type.startswith(COMPRESSIBLE_TYPES),
        )
        if page.compressible:
            vary = [v.strip() for v in headers.get("vary", ("Vary", ""))[1].split(",") if v.strip()]
            if "accept-encoding" not in {v.lower() for v in vary}:
                headers["vary"] = ("Vary", ", ".join([*vary, "Accept-Encoding"]))
        page._add_variant(None, body)
        wanted = choose_encoding(accept_encoding, COMPRESSORS) if page.compressible else None
        if wanted:
            page._add_variant(wanted, COMPRESSORS[wanted](body))
        return page

    def _add_variant(self, encoding: str | None, content: bytes) -> None:
        extra = {"content-length": ("Content-Length", str(len(content)))}
        if encoding:
            extra["content-encoding"] = ("Content-Encoding", encoding)
        self.variants[encoding] = (content, extra)

    def response_for(self, request) -> HttpResponse:
        accept_encoding = request.META.get("HTTP_ACCEPT_ENCODING", "")
        encoding = choose_encoding(accept_encoding, COMPRESSORS if self.compressible else self.variants)
        if encoding not in self.variants:  # first asked for here: kept with this process's copy
            self._add_variant(encoding, COMPRESSORS[encoding](self.variants[None][0]))
        body, extra = self.variants[encoding]
        response = HttpResponse(b"" if request.method == "HEAD" else body, status=self.status)
        # Headers were checked and encoded when the page was stored: set them without re-checking.
        store = response.headers._store
        store.clear()
        store.update(self.headers)
        store.update(extra)
        store["cache-control"] = ("Cache-Control", self.cache_control or options().cache_control)
        if CONDITIONAL_HEADERS.intersection(request.META):
            return get_conditional_response(
                request, etag=self.etag, last_modified=self.last_modified, response=response
            )
        return response


# Quality 5 / level 6: as small as the maximum settings for pages this size (within 1%), at a
# fraction of the cost, which matters for pages rendered once (a search nobody made before).
COMPRESSORS = {
    "br": lambda body: brotli.compress(body, quality=5),
    "gzip": lambda body: gzip.compress(body, compresslevel=6, mtime=0),
}


CONDITIONAL_HEADERS = frozenset(
    ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE")
)


@functools.lru_cache(maxsize=256)
def _accepted(accept_encoding: str) -> tuple[str, ...]:
    """The encodings of brotli and gzip that an Accept-Encoding value allows, best first (q=0 honoured)."""
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
    return tuple(
        name for name in ("br", "gzip") if (accepted[name] if name in accepted else accepted.get("*", 0.0)) > 0
    )


def choose_encoding(accept_encoding: str, available) -> str | None:
    """The best of brotli or gzip that the client accepts and the page has, else None (as is)."""
    if not accept_encoding:
        return None
    for name in _accepted(accept_encoding[:200]):
        if name in available:
            return name
    return None


# --- the middleware ------------------------------------------------------------------------------
def request_is_cacheable(request) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    if request.path_info.startswith((f"/{settings.ADMIN_PATH}", "/markdownx/")):
        return False
    if request.path_info == "/healthz":  # never cached; its answer is its own read of the database
        return False
    # Anyone with a session (editors, reviewers, a pending message) always reaches the view.
    cookies = request.COOKIES
    return not (cookies and (settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies))


def opts_out(response) -> bool:
    """The view said this response is never to be stored (``/healthz``, a staff preview)."""
    cache_control = response.get("Cache-Control", "").lower()
    return any(directive in cache_control for directive in OPT_OUT_DIRECTIVES)


def response_is_storable(request, response) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies or opts_out(response):
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


class OptedOut:
    """Addresses whose last response opted out of the cache (``/healthz``, polled every second
    by a load balancer): they skip the look-up, which could never find them. One response that
    does not opt out takes an address off the list."""

    MAX_ENTRIES = 1024

    def __init__(self) -> None:
        self._paths: set[str] = set()

    def __contains__(self, path: str) -> bool:
        return path in self._paths

    def note(self, path: str, response) -> None:
        if opts_out(response):
            if len(self._paths) >= self.MAX_ENTRIES:
                self._paths.clear()
            self._paths.add(path)
        else:
            self._paths.discard(path)

    def clear(self) -> None:
        self._paths.clear()


opted_out = OptedOut()


class RecentPages:
    """This process's most recent hits, kept as objects: no unpickling, no round trip to Redis.

    Keys carry the generation, so an entry here is exactly as fresh as the shared cache's; it
    also expires with the page cache timeout.
    """

    MAX_ENTRIES = 256

    def __init__(self) -> None:
        self._pages: dict[str, tuple[float, StoredPage]] = {}

    def get(self, key: str) -> StoredPage | None:
        found = self._pages.get(key)
        if found is None or found[0] < time.monotonic():
            return None
        return found[1]

    def put(self, key: str, page: StoredPage, seconds: int) -> None:
        if len(self._pages) >= self.MAX_ENTRIES:
            self._pages.clear()
        self._pages[key] = (time.monotonic() + seconds, page)

    def clear(self) -> None:
        self._pages.clear()


recent = RecentPages()


class PublicPageCacheMiddleware:
    """Serve anonymous public pages from the page cache; see the module docstring."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request_is_cacheable(request):
            return self.get_response(request)
        host = request.get_host()  # an unknown host is refused (400) before any cache is asked
        path = cache_path(request)
        if path in opted_out:
            response = self.get_response(request)
            opted_out.note(path, response)
            return response
        opts = options()
        try:
            prefix, shared = generation.current()
            # Pages go to the shared cache only under a prefix every process agrees on.
            cache = opts.cache if shared or not opts.shared else None
            key = page_key(request, prefix, host)
            stored = recent.get(key)
            if stored is None and cache is not None:
                stored = cache.get(key)
                if stored is not None:
                    recent.put(key, stored, opts.page_seconds)
        except DatabaseError:
            return self.get_response(request)  # the view reports the outage (500 page, 503 health)
        except Exception:  # noqa: BLE001 (an unreachable cache must not take the site down)
            if opts.shared:
                generation.cache_failed()
            key, stored = None, None
        if stored is not None:
            return stored.response_for(request)
        response = self.get_response(request)
        opted_out.note(path, response)
        if not response_is_storable(request, response):
            return response
        stored = StoredPage.from_response(response, request.META.get("HTTP_ACCEPT_ENCODING", ""))
        if key is not None:
            recent.put(key, stored, opts.page_seconds if cache is not None else OUTAGE_PAGE_SECONDS)
            try:
                if cache is not None:
                    cache.set(key, stored, opts.page_seconds)
            except Exception:  # noqa: BLE001 (serve the page even if the cache is down)
                generation.cache_failed()
        return stored.response_for(request)
