"""URL inputs: `source_url` and `target_url` are fetched safely. A URL to an address that is not
public, in another scheme, malformed or hostile, or not a string at all is refused with a 4xx
before any connection and at no cost; a public URL stands in for either upload."""

from __future__ import annotations

import functools
import socket
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from comparisons import fetch
from tests.comparisons.refusals import COMPARE, assert_refused

pytestmark = pytest.mark.usefixtures("no_job_left_unfinished")


class RecordingServer:
    """A plain HTTP server on loopback serving a folder, remembering every request it got."""

    def __init__(self, folder: Path) -> None:
        self.requests: list[str] = []
        recorder = self.requests

        class Handler(SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory=str(folder), **kwargs)

            def do_GET(self):
                recorder.append(self.path)
                super().do_GET()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"


@pytest.fixture
def photo_server(images):
    server = RecordingServer(images["astronaut"].parent)
    yield server
    server.httpd.shutdown()


def test_it_refuses_urls_to_private_addresses_without_connecting(alice, photo_server):
    for body in (
        {
            "source_url": photo_server.url("astronaut.png"),
            "target_url": photo_server.url("coffee.png"),
        },
        {
            "source_url": "http://169.254.169.254/latest/meta-data/",
            "target_url": "http://10.0.0.1/",
        },
        {"source_url": "file:///etc/passwd", "target_url": photo_server.url("coffee.png")},
    ):
        response = alice.client.post("/api/v1/compare", body, format="json")
        assert response.status_code == 400, response.content
        assert response.json()["error"] == "url_not_allowed"
    assert photo_server.requests == []


def test_it_compares_two_images_by_url(alice, photo_server, monkeypatch):
    """The address check is the only thing relaxed, and only for this server's port."""
    strict = fetch.fetch_url
    only_ours = functools.partial(
        strict, is_allowed_address=lambda _a, port: port == photo_server.port
    )
    monkeypatch.setattr(fetch, "fetch_url", only_ours)
    response = alice.client.post(
        "/api/v1/compare",
        {
            "source_url": photo_server.url("astronaut.png"),
            "target_url": photo_server.url("astronaut.jpg"),
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["type"] == "image" and body["similarity"] > 85
    assert body["files"]["file1"]["name"] == photo_server.url("astronaut.png")
    assert photo_server.requests == ["/astronaut.png", "/astronaut.jpg"]


def test_it_mixes_an_upload_and_a_url_as_form_fields(alice, images, photo_server, monkeypatch):
    strict = fetch.fetch_url
    monkeypatch.setattr(
        fetch, "fetch_url", functools.partial(strict, is_allowed_address=lambda *_: True)
    )
    with images["astronaut"].open("rb") as upload:
        response = alice.client.post(
            "/api/v1/compare", {"file1": upload, "target_url": photo_server.url("coffee.png")}
        )
    assert response.status_code == 200 and response.json()["similarity"] < 40


@pytest.fixture
def offline_dns(monkeypatch) -> None:
    """Resolution without the network: *.test names are loopback, other names are unknown."""

    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name.replace(".", "").isdigit():  # an address (the S3 server's) needs no lookup
            return real(host, port, *args, **kwargs)
        if not name.endswith(".test"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", int(port or 80)))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.mark.parametrize(
    "url, status",
    [
        ("http://" + "\x00\xff%" * 3400, 400),  # 10 KB of garbage
        ("http://example.com/" + "%zz\u00e9" * 2500, 422),  # a 10 KB path to a name unknown here
        ("http://b\u00fccher.test/a.png", 400),  # IDNA-encoded, resolves to loopback: refused
        ("http://\u2603.invalid/", 422),
        ("http://a..b/", 400),
        ("http://10.0.0.1:0/a.png", 400),
        ("http://example.com:99999/a.png", 400),
        ("http://user:secret@example.com/a.png", 400),
        ("http://user@example.com/a.png", 400),
        ("gopher://example.com/", 400),
    ],
)
def test_it_answers_hostile_urls_with_a_4xx(alice, ledger, offline_dns, url, status):
    body = {"source_url": url, "target_url": url}
    assert_refused(alice.client.post(COMPARE, body, format="json"), ledger, status)


def test_it_refuses_a_url_that_is_not_a_string(alice, ledger):
    for value in (["http://a.test/"], {"u": 1}, 5, True):
        body = {"source_url": value, "target_url": "http://a.test/"}
        response = alice.client.post(COMPARE, body, format="json")
        assert "source_url" in assert_refused(response, ledger, 400, "bad_request")
