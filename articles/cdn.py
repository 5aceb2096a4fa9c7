"""Purge the CDN when public content changes, so no reader waits out ``s-maxage`` for an edit.

Set ``TMSINFO_CDN_PURGE_URL`` (and ``TMSINFO_CDN_PURGE_TOKEN``) and every committed change to
the articles app (the same event that renews the page cache, articles/caching.py) makes one
``POST`` to that URL with ``TMSINFO_CDN_PURGE_BODY`` (default ``{"purge_everything": true}``)
and ``Authorization: Bearer <token>``: Cloudflare's purge API as it is, and easy to point at
any other CDN's purge endpoint or a small relay. Purging everything is deliberate: an edit
changes the page, home, topic lists, search results, the sitemap and the feed.

The request is sent from a background thread a moment after the commit, so a burst of saves
(an import, a restore) makes one request, and an unreachable CDN never slows or fails a save:
it is logged, and the CDN's copies then expire after ``s-maxage`` as they would anyway.
"""

from __future__ import annotations

import logging
import threading
import time
import urllib.request

from django.conf import settings

logger = logging.getLogger(__name__)
COALESCE_SECONDS = 1.0
TIMEOUT_SECONDS = 10


class Purger:
    def __init__(self) -> None:
        self._wanted = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def request(self) -> None:
        """Ask for a purge soon. Cheap; does nothing when no purge URL is configured."""
        if not getattr(settings, "TMSINFO_CDN_PURGE_URL", ""):
            return
        self._wanted.set()
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="cdn-purge", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:  # one idle daemon thread per process, started by the first change
            self._wanted.wait()
            time.sleep(COALESCE_SECONDS)  # let a burst of saves finish: one request for them all
            self._wanted.clear()
            self.send()

    def send(self) -> bool:
        url = getattr(settings, "TMSINFO_CDN_PURGE_URL", "")
        if not url:
            return False
        body = getattr(settings, "TMSINFO_CDN_PURGE_BODY", "") or '{"purge_everything": true}'
        headers = {"Content-Type": "application/json"}
        token = getattr(settings, "TMSINFO_CDN_PURGE_TOKEN", "")
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 (configured URL)
                ok = 200 <= response.status < 300
        except OSError as exc:
            logger.warning("CDN purge failed: %s", exc)
            return False
        if not ok:
            logger.warning("CDN purge answered %s", response.status)
            return False
        logger.info("CDN purged")
        return True


purger = Purger()
