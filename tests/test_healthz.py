"""Health checks tell the truth (issue 19, item 5): /healthz reads a real table, so a database
file that is locked, corrupt, truncated or empty answers 503, quickly; a sound one answers 200
with one cheap query, cheap enough to poll every second.

Each broken file is a copy of a real migrated database, and each check runs in a fresh process
(as a web worker starting against that file would)."""

import os
import shutil
import sqlite3
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext


def healthz_against(path) -> tuple[str, float]:
    """The status /healthz answers in a fresh process whose database is the SQLite file `path`,
    and how long the request took."""
    env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "tmsinfo.settings", "DATABASE_URL": f"sqlite:///{path}",
        "DJANGO_ALLOWED_HOSTS": "testserver", "DJANGO_SECRET_KEY": "test-only", "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_DEBUG": "",
    }  # fmt: skip
    code = (
        "import time, django; django.setup(); from django.test import Client\n"
        "c = Client(raise_request_exception=False); t = time.monotonic(); r = c.get('/healthz')\n"
        "print(r.status_code, round(time.monotonic() - t, 3))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=60
    )
    status, _, seconds = result.stdout.strip().rpartition("\n")[2].partition(" ")
    assert status, result.stdout + result.stderr
    return status, float(seconds)


@pytest.fixture(scope="module")
def sound_database(tmp_path_factory):
    """A migrated SQLite database file with one page in it."""
    path = tmp_path_factory.mktemp("healthz") / "site.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}", "DJANGO_SECRET_KEY": "test-only", "DJANGO_DEBUG": ""}
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], env=env, cwd=settings.BASE_DIR,
                   check=True, capture_output=True, timeout=180)  # fmt: skip
    with sqlite3.connect(path) as db:
        db.execute(
            "INSERT INTO articles_article (slug, title, summary, body, body_html, toc, plain_text, word_count, "
            'status, topic, topic_rank, "order", reviewed_fingerprint, fingerprint, updated_on, created_at, '
            "updated_at, version, language, source_fingerprint) VALUES ('p', 'P', 'S', 'B', '', '[]', '', 0, "
            "'published', 'basics', 0, 0, '', '', '2026-11-01', '2026-11-01', '2026-11-01', 1, 'en', '')"
        )
    return path


def broken_copy(sound_database, tmp_path, damage) -> str:
    path = tmp_path / "broken.sqlite3"
    shutil.copy(sound_database, path)
    damage(path)
    return path


def truncate_to_half(path):
    with open(path, "r+b") as file:
        file.truncate(os.path.getsize(path) // 2)


def overwrite_the_start(path):
    with open(path, "r+b") as file:
        file.write(b"\xde\xad\xbe\xef" * 4096)  # the header and the schema's first pages


def empty(path):
    open(path, "wb").close()


def test_a_sound_database_answers_200(sound_database):
    assert healthz_against(sound_database)[0] == "200"


@pytest.mark.parametrize(
    "damage", [truncate_to_half, overwrite_the_start, empty], ids=["truncated", "overwritten", "empty"]
)
def test_a_damaged_database_file_answers_503(sound_database, tmp_path, damage):
    assert healthz_against(broken_copy(sound_database, tmp_path, damage))[0] == "503"


def test_a_database_locked_by_another_connection_answers_503_within_a_second(sound_database, tmp_path):
    path = broken_copy(sound_database, tmp_path, lambda path: None)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        status, seconds = healthz_against(path)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert status == "503" and seconds < 1.5
    assert healthz_against(path)[0] == "200"  # the lock released, healthy again


@pytest.mark.django_db
def test_healthz_reads_one_row_of_the_articles_table_and_nothing_more(client):
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        for _ in range(20):
            assert client.get("/healthz").status_code == 200
        per_request = (time.perf_counter() - started) / 20
    reads = [q["sql"] for q in queries.captured_queries if not q["sql"].upper().startswith("PRAGMA")]
    assert reads == ['SELECT 1 FROM "articles_article" LIMIT 1'] * 20
    assert per_request < 0.05
