"""CDN purge: a committed change asks the CDN (a real HTTP server here) to purge, once per burst,
and a CDN that cannot be reached never stops a save."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction

from articles import cdn, workflow

pytestmark = pytest.mark.django_db(transaction=True)  # real commits, as in production
WAIT = cdn.COALESCE_SECONDS + 2


class FakeCdn(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 (http.server's API)
        length = int(self.headers.get("Content-Length", 0))
        self.received.append((self.path, dict(self.headers), self.rfile.read(length)))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'{"success": true}')

    def log_message(self, *args):
        pass


@pytest.fixture
def cdn_server():
    FakeCdn.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeCdn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, FakeCdn.received
    server.shutdown()
    server.server_close()


def wait_for(received, count):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline and len(received) < count:
        time.sleep(0.05)
    time.sleep(0.2)  # anything more would have arrived by now


def save(article, title):
    article.title = title
    workflow.article_save(article=article, change=workflow.EDITORIAL)


def test_a_committed_edit_purges_the_cdn_with_the_configured_request(settings, cdn_server, make_article):
    server, received = cdn_server
    settings.TMSINFO_CDN_PURGE_URL = f"http://127.0.0.1:{server.server_port}/zones/abc/purge_cache"
    settings.TMSINFO_CDN_PURGE_TOKEN = "secret-token"
    article = make_article()
    wait_for(received, 1)
    received.clear()
    with transaction.atomic():  # as the admin saves: the purge waits for the commit
        save(article, "A new title")
        time.sleep(WAIT)
        assert received == []
    wait_for(received, 1)
    assert len(received) == 1
    path, headers, body = received[0]
    assert path == "/zones/abc/purge_cache"
    assert headers["Authorization"] == "Bearer secret-token" and headers["Content-Type"] == "application/json"
    assert json.loads(body) == {"purge_everything": True}


def test_a_burst_of_saves_makes_one_purge(settings, cdn_server, make_article):
    server, received = cdn_server
    settings.TMSINFO_CDN_PURGE_URL = f"http://127.0.0.1:{server.server_port}/purge"
    article = make_article()
    wait_for(received, 1)
    received.clear()
    for n in range(5):
        save(article, f"Title {n}")
    wait_for(received, 2)
    assert len(received) == 1


def test_without_a_purge_url_nothing_is_sent(settings, cdn_server, make_article):
    _server, received = cdn_server
    settings.TMSINFO_CDN_PURGE_URL = ""
    save(make_article(), "Changed")
    wait_for(received, 1)
    assert received == []


def test_an_unreachable_cdn_never_stops_a_save_and_is_logged(settings, make_article, caplog):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeCdn)
    port = server.server_port
    server.server_close()  # nothing listens there now
    settings.TMSINFO_CDN_PURGE_URL = f"http://127.0.0.1:{port}/purge"
    article = make_article()
    save(article, "Saved anyway")
    assert cdn.purger.send() is False
    assert "CDN purge failed" in caplog.text
    article.refresh_from_db()
    assert article.title == "Saved anyway"
