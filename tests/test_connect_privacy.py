"""Health-record traffic carries diagnoses: nothing a /connect/ request sends is kept anywhere.

The production server runs for real (the container entrypoint, gunicorn with its config, Redis as
the shared cache), answers /connect/ requests that carry a distinctive code, display name and
patient details, and then every log line, every table of the database and every key and value in
Redis are searched for them.
"""

import os
import shutil
import sqlite3
import time
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pytest

from tests import redis_server
from tests.test_production import free_port, serve_production

# What a request carries that must leave no trace: a code outside any real code's spelling, a
# display name, a SNOMED CT id, and patient details the responder never reads.
CODE = "F33.1X7Q"
TRACES = ("F33.1X7Q", "F331X7Q", "1X7Q", "ZEBRAFINCH", "QUOKKA", "987654321098765", "NEBRASKA")
PATIENT = {"age.v.v": "47", "age.v.u": "a", "patientPerson.administrativeGenderCode.c": "F",
           "encounter.c.c": "QUOKKA", "performer.healthCareProvider.c.c": "NEBRASKA"}  # fmt: skip


def connect_url(base: str, endpoint: str, system: str, code: str, **extra) -> str:
    params = {"mainSearchCriteria.v.cs": system, "mainSearchCriteria.v.c": code,
              "mainSearchCriteria.v.dn": "Depression ZEBRAFINCH", **PATIENT, **extra}  # fmt: skip
    return f"{base}/connect/{endpoint}?{urlencode(params)}"


def get(url: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url)
    opener = urllib.request.build_opener(NoRedirects)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def redis_url(tmp_path):
    """A throwaway redis-server on 127.0.0.1 (no disk persistence), stopped afterwards."""
    server = shutil.which("redis-server")
    if server is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI: redis-server is missing; the privacy test must run with Redis.")
        pytest.skip("redis-server is not installed (apt-get install -y redis-server)")
    port = free_port()
    process = redis_server.start(server, port, tmp_path)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def server(tmp_path, redis_url):
    port = free_port()
    with serve_production(
        tmp_path, port, TMSINFO_IMPORT_CONTENT="1", REDIS_URL=redis_url, DJANGO_LOG_LEVEL="DEBUG"
    ) as log:
        yield f"http://127.0.0.1:{port}", log, tmp_path / "site.sqlite3", redis_url


def database_text(path) -> str:
    """Every value of every row of every table, as text."""
    with sqlite3.connect(path) as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return "\n".join(repr(row) for table in tables for row in db.execute(f'SELECT * FROM "{table}"'))  # noqa: S608


def redis_contents(url: str) -> bytes:
    import redis

    client = redis.Redis.from_url(url)
    held = []
    for key in client.scan_iter(count=1000):
        held.append(key)
        if client.type(key) == b"string":
            held.append(client.get(key) or b"")
    return b"\n".join(held)


def test_no_code_or_patient_detail_from_a_request_is_logged_stored_or_cached(server):
    base, log, database, redis_url = server
    icd, snomed = "2.16.840.1.113883.6.90", "2.16.840.1.113883.6.96"
    answers = [
        get(connect_url(base, "service", icd, CODE)),
        get(connect_url(base, "service", icd, CODE)),  # the second one from the cache
        get(connect_url(base, "service", icd, CODE, knowledgeResponseType="application/json")),
        get(connect_url(base, "application", icd, CODE)),
        get(connect_url(base, "application", snomed, "987654321098765")),
        get(connect_url(base, "service", "1.2.3.QUOKKA", CODE)),
        get(connect_url(base, "application", "1.2.3.QUOKKA", CODE)),
    ]
    assert [status for status, _ in answers] == [200, 200, 200, 200, 200, 400, 400]
    assert b"/tms/is-tms-right-for-me/" in answers[0][1] and answers[0][1] == answers[1][1]  # F33.1X7Q -> F33
    for _, body in answers:
        assert not any(trace.encode() in body.upper() for trace in TRACES), body[:300]
    time.sleep(0.5)  # let the worker flush its log lines

    logged = log.read_text()
    assert logged.count('"path": "/connect/service"') == 4 and logged.count('"path": "/connect/application"') == 3
    stored = database_text(database)
    cached = redis_contents(redis_url)
    assert b"TMS Info Connect" in cached  # the answers are in Redis, under their map entries
    for trace in TRACES:
        assert trace not in logged.upper(), f"log: {trace}"
        assert trace not in stored.upper(), f"database: {trace}"
        assert trace.encode() not in cached.upper(), f"Redis: {trace}"
