"""Container health check: GET /healthz as the load balancer would; exit 0 when it answers 200.

Sends the first of DJANGO_ALLOWED_HOSTS as the Host header (Django refuses unknown hosts) and
X-Forwarded-Proto: https (so production settings do not redirect to HTTPS).
"""

import os
import sys
import urllib.request

hosts = [h.strip().lstrip(".") for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost").split(",") if h.strip()]
host = next((h for h in hosts if h != "*"), "localhost")
port = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000").rsplit(":", 1)[-1]
request = urllib.request.Request(
    f"http://127.0.0.1:{port}/healthz", headers={"Host": host, "X-Forwarded-Proto": "https"}
)
try:
    with urllib.request.urlopen(request, timeout=4) as response:  # noqa: S310 (a fixed local URL)
        sys.exit(0 if response.status == 200 else 1)
except OSError as exc:
    print(f"unhealthy: {exc}", file=sys.stderr)  # noqa: T201
    sys.exit(1)
