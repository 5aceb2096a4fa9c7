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

from tmsinfo.settings import *  # noqa: E402, F403
