"""Production promises: the container entrypoint, gunicorn's request log, the database in use.

The entrypoint and gunicorn run for real, as separate processes, against a throwaway SQLite file.
"""

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)
BIN = Path(sys.executable).parent
CONTENT_FILES = len(list((ROOT / "content").glob("*.md"))) + len(
    list((ROOT / "content" / "es").glob("*.md"))
)  # both editions


def production_env(tmp_path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUNICORN_", "TMSINFO_", "REDIS_"))}
    env.update(
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",  # `python` and `gunicorn` from this environment
        DJANGO_SECRET_KEY="test-only-not-secret",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DATABASE_URL=f"sqlite:///{tmp_path / 'site.sqlite3'}",
    )
    env.update(extra)
    return env


def run_entrypoint(tmp_path, *command, **extra) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["sh", str(ROOT / "deploy" / "entrypoint.sh"), *command], env=production_env(tmp_path, **extra),
        cwd=tmp_path, capture_output=True, text=True, timeout=180,
    )  # fmt: skip


COUNT = "from articles.models import Article; print('articles:', Article.objects.count())"
COUNT_ARTICLES = ["python", "manage.py", "shell", "-c", COUNT]


def test_entrypoint_waits_migrates_imports_content_when_asked_then_runs_the_command(tmp_path):
    result = run_entrypoint(tmp_path, *COUNT_ARTICLES, TMSINFO_IMPORT_CONTENT="1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Database is ready." in result.stdout
    assert "Applying articles.0001_initial... OK" in result.stdout
    assert f"Imported content: {CONTENT_FILES} created" in result.stdout
    assert f"articles: {CONTENT_FILES}" in result.stdout


def test_entrypoint_imports_nothing_unless_asked_and_a_second_start_changes_nothing(tmp_path):
    first = run_entrypoint(tmp_path, *COUNT_ARTICLES)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "articles: 0" in first.stdout and "Imported" not in first.stdout
    again = run_entrypoint(tmp_path, *COUNT_ARTICLES)
    assert again.returncode == 0 and "No migrations to apply." in again.stdout


def test_entrypoint_gives_up_clearly_when_the_database_never_answers(tmp_path):
    result = run_entrypoint(
        tmp_path, "echo", "should not run", TMSINFO_DB_WAIT_SECONDS="1",
        DATABASE_URL="postgres://nobody:nothing@127.0.0.1:9/none?connect_timeout=1",
    )  # fmt: skip
    assert result.returncode != 0
    assert "did not answer within 1 seconds" in result.stderr
    assert "should not run" not in result.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str, **headers) -> int:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@contextlib.contextmanager
def serve_production(tmp_path, port: int, **env):
    """gunicorn as the container runs it (entrypoint, then gunicorn with its config file) on
    127.0.0.1:``port``, once /healthz answers 200; yields the log file. Stopped on the way out."""
    env = production_env(tmp_path, GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS="1", **env)
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["sh", str(ROOT / "deploy" / "entrypoint.sh"), "gunicorn", "tmsinfo.wsgi:application",
             "--config", str(ROOT / "deploy" / "gunicorn.conf.py"), "--chdir", str(ROOT)],
            env=env, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 120
            while fetch_quietly(f"http://127.0.0.1:{port}/healthz") != 200:
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.25)
            yield log
        finally:
            process.terminate()
            process.wait(timeout=60)


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory):
    """The production server, importing content/ as the container does on its first start: one
    for this file's tests, which only read from it (starting it takes seconds)."""
    port = free_port()
    with serve_production(tmp_path_factory.mktemp("gunicorn"), port, TMSINFO_IMPORT_CONTENT="1") as log:
        yield f"http://127.0.0.1:{port}", log


def fetch_quietly(url: str) -> int | None:
    try:
        return fetch(url)
    except OSError:
        return None


def test_gunicorn_logs_one_json_line_per_request_without_personal_data(gunicorn):
    base, log = gunicorn
    private = {
        "User-Agent": "PatientPhone/1.0",
        "X-Forwarded-For": "203.0.113.77",
        "Referer": "https://mail.example/inbox/private-thread",
        "Cookie": "sessionid=private-session-value",
    }
    assert fetch(base + "/?q=my+private+worry", **private) == 200
    assert fetch(base + "/tms/no-such-page/?email=someone%40example.org", **private) == 404
    time.sleep(0.5)  # let the worker flush its log line
    text = log.read_text()
    requests = [json.loads(line) for line in text.splitlines() if line.startswith("{") and '"method"' in line]
    paths = [(entry["method"], entry["path"], entry["status"]) for entry in requests]
    assert ("GET", "/", 200) in paths and ("GET", "/tms/no-such-page/", 404) in paths
    for entry in requests:
        assert set(entry) == {"time", "method", "path", "status", "bytes", "ms"}
    lines_for_missing_page = [line for line in text.splitlines() if "no-such-page" in line]
    assert len(lines_for_missing_page) == 1, lines_for_missing_page  # one line per request
    for secret in ("private worry", "private+worry", "someone", "203.0.113.77", "PatientPhone", "private-thread",
                   "private-session-value"):  # fmt: skip
        assert secret not in text, secret


def test_gunicorn_serves_cached_compressed_pages_and_hashed_static_files_for_a_year(gunicorn):
    base, _ = gunicorn
    request = urllib.request.Request(base + "/", headers={"Accept-Encoding": "br"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.headers["Content-Encoding"] == "br"
        assert "public" in response.headers["Cache-Control"]
        html = response.read()
    import brotli

    page = brotli.decompress(html).decode()
    css = page.split('href="/static/css/', 1)[1].split('"', 1)[0]
    assert css.count(".") >= 2, f"not a hashed name: {css}"
    request = urllib.request.Request(f"{base}/static/css/{css}", headers={"Accept-Encoding": "br"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.headers["Content-Encoding"] == "br"
        assert "max-age=31536000" in response.headers["Cache-Control"]
        assert "immutable" in response.headers["Cache-Control"]


@pytest.mark.django_db
def test_the_suite_runs_on_the_database_that_database_url_names():
    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    assert connection.vendor == expected


def test_dockerfile_runs_gunicorn_with_its_config_as_an_unprivileged_user():
    dockerfile = (ROOT / "Dockerfile").read_text()
    user_lines = [line for line in dockerfile.splitlines() if line.startswith("USER ")]
    assert user_lines and user_lines[-1].split()[1].split(":")[0] not in ("root", "0")
    assert "collectstatic" in dockerfile and 'ENTRYPOINT ["/app/deploy/entrypoint.sh"]' in dockerfile
    assert '"--config", "deploy/gunicorn.conf.py"' in dockerfile and "HEALTHCHECK" in dockerfile
