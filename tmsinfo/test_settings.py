"""Settings for the test suite, so that `pytest` runs bare from the project root.

The site's own settings (debug off, as in production, over plain HTTP) with test-only values for
what production must be given. `make test` passes the same values in the environment; anything
already set in the environment wins.
"""

import os

for name, value in {
    "DJANGO_SECRET_KEY": "insecure-test-only-key",
    "DJANGO_SECURE_SSL_REDIRECT": "0",
    "DJANGO_SECURE_COOKIES": "0",
    "DJANGO_ALLOWED_HOSTS": "localhost,127.0.0.1,testserver",
    # Playwright's sync API runs an event loop in the test thread; Django's ORM is used beside it.
    "DJANGO_ALLOW_ASYNC_UNSAFE": "true",
}.items():
    os.environ.setdefault(name, value)

# pytest-xdist runs the suite in several processes at once (`make test`), and the cache tests
# empty the cache and count what reaches Redis: each worker (gw0, gw1, ...) gets a Redis
# database of its own (0, 1, ...), as it gets a test database of its own.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if os.environ.get("REDIS_URL") and _worker.startswith("gw"):
    from urllib.parse import urlsplit, urlunsplit

    _url = urlsplit(os.environ["REDIS_URL"])
    os.environ["REDIS_URL"] = urlunsplit(_url._replace(path=f"/{int(_worker[2:]) % 16}"))

from tmsinfo.settings import *  # noqa: E402, F403
