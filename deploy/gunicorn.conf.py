"""gunicorn settings for production. Every value can be overridden by GUNICORN_* variables.

Access log: one JSON line per request on stdout with the time, method, path (never the query
string: search terms can be personal), status, bytes sent and duration. No client address, no user
agent, no cookies, no referrer. The error log leaves out the client address gunicorn names when it
refuses a malformed request. Nobody's request body is ever logged.
"""

import datetime as dt
import json
import multiprocessing
import os
import re

from gunicorn.glogging import Logger

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Sync workers: the page cache answers most requests in about a millisecond of CPU each.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On SIGTERM (a deploy, a scale-down) workers finish the requests in flight for up to this long.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Workers are not recycled by default: a new worker starts with an empty page cache (without
# Redis) and pays a cold start, which showed as p99 spikes under load. Set GUNICORN_MAX_REQUESTS
# (with jitter) to recycle them anyway, as a hedge against a slow memory leak.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "0"))
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Only the load balancer or CDN in front may say which scheme (https) the client used.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Long request lines reach Django, which answers with a page that keeps the crisis lines (a long
# pasted search, or a 414 page past MAX_QUERY_STRING_LENGTH) instead of gunicorn's bare 400.
limit_request_line = int(os.environ.get("GUNICORN_LIMIT_REQUEST_LINE", "8190"))
# Temporary worker files in memory, not on a possibly slow or read-only container disk.
# No runtime control socket: it would need a writable home directory, and nothing here uses it.
control_socket_disable = True
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR", "/dev/shm" if os.path.isdir("/dev/shm") else None)


_CLIENT_ADDRESS = re.compile(r"\bip=\S*?(?=: |\s|$)")


class JsonAccessLogger(Logger):
    """Access log lines as JSON objects; see the module docstring for what is left out and why."""

    def warning(self, msg, *args, **kwargs):
        # "Invalid request from ip=203.0.113.7: ..." (gunicorn's message for a malformed request).
        super().warning(_CLIENT_ADDRESS.sub("ip=[removed]", str(msg)), *args, **kwargs)

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        record = {
            "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
            "method": req.method,
            "path": req.path,
            "status": resp.status_code,
            "bytes": resp.sent,
            "ms": round(request_time.total_seconds() * 1000, 1),
        }
        self.access_log.info(json.dumps(record, ensure_ascii=True))


logger_class = JsonAccessLogger
