"""fetch_url against real local HTTP(S) servers over real sockets.

Nothing in the HTTP stack is replaced. Two things are observed or steered from outside it:
- Python's audit hook reports every `socket.connect` and `socket.getaddrinfo` the fetch makes, so
  a refused URL is proven to have caused no connection at all (not merely none that succeeded).
- For made-up host names, `socket.getaddrinfo` answers from a table (the resolver is the input
  under test: "this name resolves to loopback"); every other lookup goes to the real resolver.

Only loopback is ever connected to: the refused addresses are refused before any connect, and
should that ever regress, the audit hook aborts a connect to anything but loopback before the system
call is made, so a failing test never sends traffic off this machine.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import os
import socket
import ssl
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from comparisons.fetch import (
    USER_AGENT,
    FetchError,
    UrlFetchFailed,
    UrlNotAllowed,
    UrlTooLarge,
    fetch_url,
    is_public_address,
)
from diffall.api_errors import HttpStatus, status_of

LOOPBACK = ipaddress.ip_address("127.0.0.1")
MB = 1_000_000
# Time bounds allow for a shared, busy 2-core machine; the servers stall for 30-100 s, so a fetch
# that waited for them would still fail these bounds by far.
SLACK_S = 6.0


# ----------------------------------------------------------------------------- what the fetch did


@dataclass
class _Audit:
    """Network events of the test's own thread while recording (the servers run on others)."""

    recording: bool = False
    thread: int = 0
    connects: list[tuple[str, int]] = field(default_factory=list)
    lookups: list[str] = field(default_factory=list)


_AUDIT = _Audit()


def _audit_hook(event: str, args: tuple[Any, ...]) -> None:
    if not _AUDIT.recording:
        return
    if event == "socket.connect" and threading.get_ident() == _AUDIT.thread:
        # the servers' threads accept, never connect; connects come from the fetching thread
        address = args[1]
        if isinstance(address, tuple):
            _AUDIT.connects.append((str(address[0]), int(address[1])))
            _refuse_non_loopback(str(address[0]))
    elif event == "socket.getaddrinfo":  # from any thread: fetch resolves in a worker thread
        _AUDIT.lookups.append(str(args[0]))


class BlockedConnect(RuntimeError):
    """Not an OSError, so no layer of the HTTP stack can mistake it for a network failure."""


def _refuse_non_loopback(host: str) -> None:
    """A safety net for regressions: if fetch ever tried to reach a refused address, the test
    fails right here, before the connect system call, instead of sending traffic off this host."""
    if not ipaddress.ip_address(host.split("%")[0]).is_loopback:
        raise BlockedConnect(f"the test blocked a connect to {host}")


sys.addaudithook(_audit_hook)  # hooks cannot be removed; it is inert unless a test records


@pytest.fixture()
def audit() -> Iterator[_Audit]:
    _AUDIT.connects.clear()
    _AUDIT.lookups.clear()
    _AUDIT.thread = threading.get_ident()
    _AUDIT.recording = True
    yield _AUDIT
    _AUDIT.recording = False


# ----------------------------------------------------------------------------- a recording server

Route = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]


class RecordingServer:
    """A ThreadingHTTPServer on 127.0.0.1 (ephemeral port) that records every request."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Recorded] = []
        self.stop = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.server.daemon_threads = True
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def url(self, path: str = "/", host: str = "127.0.0.1", scheme: str = "http") -> str:
        return f"{scheme}://{host}:{self.port}{path}"

    def close(self) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                outer.requests.append(Recorded(self.path, dict(self.headers.items())))
                route = outer.routes.get(self.path.split("?")[0], _not_found)
                # the client may hang up on purpose (size cap, timeout)
                with contextlib.suppress(BrokenPipeError, ConnectionResetError, ssl.SSLError):
                    route(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


def _not_found(handler: BaseHTTPRequestHandler) -> None:
    handler.send_error(404)


def _body(data: bytes, content_type: str = "application/octet-stream") -> Route:
    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    return route


def _redirect(location: str, status: int = 302) -> Route:
    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return route


@pytest.fixture()
def server() -> Iterator[RecordingServer]:
    srv = RecordingServer()
    yield srv
    srv.close()


@pytest.fixture()
def other_server() -> Iterator[RecordingServer]:
    srv = RecordingServer()
    yield srv
    srv.close()


def only(*servers: RecordingServer) -> Callable[[ipaddress._BaseAddress, int], bool]:
    """A permissive check that lets exactly these local servers through, nothing else."""
    ports = {s.port for s in servers}
    return lambda address, port: address == LOOPBACK and port in ports


@pytest.fixture()
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Made-up names resolve to the addresses in this table; everything else really resolves."""
    table: dict[str, list[str]] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name not in table:
            return real(host, port, *args, **kwargs)
        if not table[name]:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        answers = []
        for address in table[name]:
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            answers.append((family, socket.SOCK_STREAM, 6, "", (address, int(port))))
        return answers

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return table


def fetch(url: str, dest: Path, **kwargs: Any) -> Any:
    kwargs.setdefault("max_bytes", 10 * MB)
    kwargs.setdefault("timeout", 5.0)
    return fetch_url(url, dest, **kwargs)


# ----------------------------------------------------------------------------- refused outright


REFUSED_URLS = [
    "http://127.0.0.1:{port}/",
    "http://localhost:{port}/",
    "http://[::1]:{port}/",
    "http://[::1]/",
    "http://0x7f000001:{port}/",
    "http://2130706433:{port}/",
    "http://0x7f.1:{port}/",
    "http://0177.0.0.1:{port}/",
    "http://127.1:{port}/",
    "http://10.0.0.1/",
    "http://192.168.1.1/",
    "http://172.16.0.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::ffff:127.0.0.1]:{port}/",
    "http://[::ffff:169.254.169.254]/",
    "http://[fe80::1]/",
    "http://[fd00::1]/",
    "http://100.64.0.1/",
    "http://0.0.0.0:{port}/",
    "http://[::]:{port}/",
    "http://224.0.0.1/",
    "https://127.0.0.1:{port}/",
    "file:///etc/passwd",
    "ftp://127.0.0.1/",
    "ftp://example.com/file.png",
    "gopher://127.0.0.1:{port}/_GET",
    "dict://127.0.0.1:6379/info",
    "http://user:secret@127.0.0.1:{port}/",
    "http:///no-host",
    "http://127.0.0.1:99999/",
]


@pytest.mark.parametrize("template", REFUSED_URLS)
def test_it_refuses_local_private_and_non_http_urls_without_connecting(
    template: str, server: RecordingServer, audit: _Audit, tmp_path: Path
) -> None:
    url = template.format(port=server.port)
    dest = tmp_path / "input"
    with pytest.raises(UrlNotAllowed) as caught:
        fetch(url, dest)
    assert status_of(caught.value) == HttpStatus(400)
    assert caught.value.detail
    assert audit.connects == []
    assert server.requests == []
    assert not dest.exists()


def test_it_refuses_a_name_that_resolves_to_loopback(
    server: RecordingServer, fake_dns: dict[str, list[str]], audit: _Audit, tmp_path: Path
) -> None:
    fake_dns["files.example"] = ["127.0.0.1"]
    with pytest.raises(UrlNotAllowed, match=r"127\.0\.0\.1"):
        fetch(server.url(host="files.example"), tmp_path / "input")
    assert audit.connects == []
    assert server.requests == []


def test_it_refuses_a_name_when_any_of_its_addresses_is_private(
    fake_dns: dict[str, list[str]], audit: _Audit, tmp_path: Path
) -> None:
    # 93.184.215.14 is public, but the name also answers with the metadata address: a client that
    # tried the addresses in turn could end up there, so the whole name is refused.
    fake_dns["mixed.example"] = ["93.184.215.14", "169.254.169.254"]
    with pytest.raises(UrlNotAllowed, match=r"169\.254\.169\.254"):
        fetch("http://mixed.example/photo.png", tmp_path / "input")
    assert audit.connects == []


@pytest.mark.parametrize(
    "address",
    ["8.8.8.8", "1.1.1.1", "93.184.215.14", "2606:4700:4700::1111", "2002:808:808::1"],
)
def test_it_counts_public_addresses_as_public(address: str) -> None:
    assert is_public_address(ipaddress.ip_address(address), 443)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "127.255.255.254", "10.1.2.3", "172.31.255.255", "192.168.0.1",
        "169.254.169.254", "100.64.0.1", "100.127.255.255", "0.0.0.0",  # noqa: S104
        "255.255.255.255",
        "224.0.0.251", "240.0.0.1", "198.18.0.1", "::1", "::", "fe80::1", "fc00::1",
        "fd12:3456::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::127.0.0.1",
        "2002:7f00:1::1", "2002:a9fe:a9fe::1", "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe",
        "2001:db8::1",
    ],
)  # fmt: skip
def test_it_counts_local_private_and_special_addresses_as_not_public(address: str) -> None:
    assert not is_public_address(ipaddress.ip_address(address), 80)


@pytest.mark.parametrize("url", ["http://example.com:0/a.png", "https://example.com:0/"])
def test_it_refuses_port_zero_instead_of_reading_it_as_the_default(url, tmp_path):
    with pytest.raises(UrlNotAllowed, match="port 0"):
        fetch_url(url, tmp_path / "x", max_bytes=1000, timeout=1)


# ----------------------------------------------------------------------------- fetching


def test_it_writes_the_exact_bytes_of_a_200_answer(server: RecordingServer, tmp_path: Path) -> None:
    data = os.urandom(300_000)  # several chunks
    server.routes["/photo.png"] = _body(data, "image/png")
    dest = tmp_path / "input"
    fetched = fetch(server.url("/photo.png"), dest, is_allowed_address=only(server))
    assert dest.read_bytes() == data
    assert fetched.path == dest
    assert fetched.size == len(data)
    assert fetched.content_type == "image/png"
    assert fetched.final_url == server.url("/photo.png")


def test_it_sends_its_user_agent_and_the_original_host_to_the_pinned_address(
    server: RecordingServer, fake_dns: dict[str, list[str]], audit: _Audit, tmp_path: Path
) -> None:
    fake_dns["files.example"] = ["127.0.0.1"]
    server.routes["/a.txt"] = _body(b"hello")
    fetch(
        server.url("/a.txt?v=1", host="files.example"),
        tmp_path / "in",
        is_allowed_address=only(server),
    )
    [request] = server.requests
    assert request.headers["User-Agent"] == USER_AGENT
    assert request.headers["Host"] == f"files.example:{server.port}"
    assert request.path == "/a.txt?v=1"
    assert audit.connects == [("127.0.0.1", server.port)]


def test_it_resolves_each_name_once_so_a_rebinding_answer_is_never_used(
    server: RecordingServer, monkeypatch: pytest.MonkeyPatch, audit: _Audit, tmp_path: Path
) -> None:
    """The first answer is checked and connected to; a second lookup would get 127.0.0.2."""
    calls = 0
    real_getaddrinfo = socket.getaddrinfo

    def rebinding(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        if host != "rebind.example":
            return real_getaddrinfo(host, port, *args, **kwargs)
        calls += 1
        address = "127.0.0.1" if calls == 1 else "127.0.0.2"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port)))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    server.routes["/x"] = _body(b"pinned")
    dest = tmp_path / "in"
    fetch(server.url("/x", host="rebind.example"), dest, is_allowed_address=only(server))
    assert dest.read_bytes() == b"pinned"
    assert calls == 1
    assert audit.lookups == ["127.0.0.1"]  # the connect "resolved" only the pinned literal
    assert audit.connects == [("127.0.0.1", server.port)]


def test_it_rechecks_the_connected_peer_before_sending_the_request(
    server: RecordingServer, tmp_path: Path
) -> None:
    """A check that passes the resolved address but fails the socket's peer stops the request."""
    verdicts = iter([True, False])

    def allowed_once(address: Any, port: int) -> bool:
        return next(verdicts)

    server.routes["/x"] = _body(b"never sent")
    with pytest.raises(UrlNotAllowed):
        fetch(server.url("/x"), tmp_path / "in", is_allowed_address=allowed_once)
    assert server.requests == []


def test_it_follows_redirects_and_reports_the_final_url(
    server: RecordingServer, tmp_path: Path
) -> None:
    server.routes["/start"] = _redirect("/middle", 301)
    server.routes["/middle"] = _redirect(server.url("/final"), 307)
    server.routes["/final"] = _body(b"arrived", "text/plain")
    fetched = fetch(server.url("/start"), tmp_path / "in", is_allowed_address=only(server))
    assert fetched.final_url == server.url("/final")
    assert (tmp_path / "in").read_bytes() == b"arrived"
    assert [r.path for r in server.requests] == ["/start", "/middle", "/final"]


def test_it_refuses_a_redirect_to_another_local_port(
    server: RecordingServer, other_server: RecordingServer, audit: _Audit, tmp_path: Path
) -> None:
    other_server.routes["/secret"] = _body(b"internal")
    server.routes["/start"] = _redirect(other_server.url("/secret"))
    with pytest.raises(UrlNotAllowed) as caught:
        fetch(server.url("/start"), tmp_path / "in", is_allowed_address=only(server))
    assert caught.value.detail.startswith(f"{server.url('/start')} redirects to a URL")
    assert f"127.0.0.1:{other_server.port}/secret" in caught.value.detail
    assert [r.path for r in server.requests] == ["/start"]
    assert other_server.requests == []
    assert ("127.0.0.1", other_server.port) not in audit.connects


@pytest.mark.parametrize(
    "location",
    [
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://[::ffff:a9fe:a9fe]/latest/meta-data/",
        "http://2852039166/latest/meta-data/",
        "http://10.0.0.1/admin",
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_FLUSHALL",
    ],
)
def test_it_refuses_a_redirect_to_the_metadata_address_private_nets_and_other_schemes(
    location: str, server: RecordingServer, audit: _Audit, tmp_path: Path
) -> None:
    server.routes["/start"] = _redirect(location)
    dest = tmp_path / "in"
    with pytest.raises(UrlNotAllowed):
        fetch(server.url("/start"), dest, is_allowed_address=only(server))
    assert audit.connects == [("127.0.0.1", server.port)]  # the first hop, nothing after
    assert not dest.exists()


def test_it_gives_up_after_five_redirects(server: RecordingServer, tmp_path: Path) -> None:
    server.routes["/loop"] = _redirect("/loop")
    with pytest.raises(UrlFetchFailed, match="more than 5 redirects"):
        fetch(server.url("/loop"), tmp_path / "in", is_allowed_address=only(server))
    assert len(server.requests) == 6  # the request and five redirects followed


# ----------------------------------------------------------------------------- the size cap


def _unsized(total: int) -> Route:
    """A body with no Content-Length (HTTP/1.0 style: ends when the connection closes)."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.protocol_version = "HTTP/1.0"
        handler.close_connection = True
        handler.send_response(200)
        handler.end_headers()
        block = b"x" * 65536
        for _ in range(total // len(block)):
            handler.wfile.write(block)

    return route


def test_it_cuts_a_body_without_length_at_the_cap_and_leaves_no_file(
    server: RecordingServer, tmp_path: Path
) -> None:
    server.routes["/big"] = _unsized(8 * MB)
    dest = tmp_path / "in"
    with pytest.raises(UrlTooLarge) as caught:
        fetch(server.url("/big"), dest, max_bytes=1 * MB, is_allowed_address=only(server))
    assert status_of(caught.value) == HttpStatus(413)
    assert not dest.exists()


def test_it_accepts_a_body_without_length_under_the_cap(
    server: RecordingServer, tmp_path: Path
) -> None:
    server.routes["/small"] = _unsized(4 * 65536)
    fetched = fetch(
        server.url("/small"), tmp_path / "in", max_bytes=1 * MB, is_allowed_address=only(server)
    )
    assert fetched.size == 4 * 65536
    assert fetched.content_type is None


def test_it_refuses_an_announced_length_over_the_cap_before_reading_the_body(
    server: RecordingServer, tmp_path: Path
) -> None:
    """The body only comes 30 s after the headers: reading any of it would take that long."""

    def announced(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(50 * MB))
        handler.end_headers()
        handler.wfile.flush()
        if not server.stop.wait(30):
            handler.wfile.write(b"x" * 65536)

    server.routes["/huge"] = announced
    dest = tmp_path / "in"
    started = time.monotonic()
    with pytest.raises(UrlTooLarge, match="50 MB"):
        fetch(
            server.url("/huge"),
            dest,
            max_bytes=10 * MB,
            timeout=10,
            is_allowed_address=only(server),
        )
    assert time.monotonic() - started < SLACK_S
    assert not dest.exists()


# ----------------------------------------------------------------------------- failures


def test_it_reports_a_404_as_a_failed_download(server: RecordingServer, tmp_path: Path) -> None:
    dest = tmp_path / "in"
    with pytest.raises(UrlFetchFailed, match="the server answered 404") as caught:
        fetch(server.url("/missing.png"), dest, is_allowed_address=only(server))
    assert status_of(caught.value) == HttpStatus(422)
    assert server.url("/missing.png") in caught.value.detail
    assert not dest.exists()


def test_it_times_out_on_a_server_that_never_answers(
    server: RecordingServer, tmp_path: Path
) -> None:
    def silent(handler: BaseHTTPRequestHandler) -> None:
        server.stop.wait(30)

    server.routes["/slow"] = silent
    started = time.monotonic()
    with pytest.raises(UrlFetchFailed, match="within the 1-second time limit"):
        fetch(server.url("/slow"), tmp_path / "in", timeout=1.0, is_allowed_address=only(server))
    assert time.monotonic() - started < 1 + SLACK_S


def test_it_times_out_on_a_server_that_trickles_the_body(
    server: RecordingServer, tmp_path: Path
) -> None:
    """Each byte arrives well within a per-read timeout; only a total deadline stops this."""

    def trickle(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", "1000")
        handler.end_headers()
        for _ in range(1000):  # 100 s of body
            handler.wfile.write(b"x")
            handler.wfile.flush()
            if server.stop.wait(0.1):
                return

    server.routes["/trickle"] = trickle
    dest = tmp_path / "in"
    started = time.monotonic()
    with pytest.raises(UrlFetchFailed, match=r"within the 1\.5-second time limit"):
        fetch(server.url("/trickle"), dest, timeout=1.5, is_allowed_address=only(server))
    assert time.monotonic() - started < 1.5 + SLACK_S
    assert not dest.exists()


def test_it_reports_a_refused_connection(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago, with nobody listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(UrlFetchFailed, match="could not be reached"):
        fetch(
            f"http://127.0.0.1:{port}/", tmp_path / "in", is_allowed_address=lambda a, p: p == port
        )


def test_it_reports_a_name_that_does_not_resolve(
    fake_dns: dict[str, list[str]], tmp_path: Path
) -> None:
    fake_dns["nowhere.example"] = []
    with pytest.raises(UrlFetchFailed, match="could not be found"):
        fetch("https://nowhere.example/a.png", tmp_path / "in")


def test_every_fetch_error_has_a_status_code_and_a_detail() -> None:
    errors = (UrlNotAllowed("a"), UrlTooLarge("b"), UrlFetchFailed("c"))
    assert [(status_of(exc), exc.detail) for exc in errors] == [
        (HttpStatus(400), "a"),
        (HttpStatus(413), "b"),
        (HttpStatus(422), "c"),
    ]
    assert all(issubclass(cls, FetchError) for cls in (UrlNotAllowed, UrlTooLarge, UrlFetchFailed))


# ----------------------------------------------------------------------------- https


@dataclass
class _Tls:
    ca_file: Path
    server: RecordingServer
    sni: list[str | None]


def _certificate(tmp_path: Path, name: str) -> tuple[Path, Path]:
    """A self-signed certificate for `name` (it is its own CA)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / f"{name}.crt", tmp_path / f"{name}.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@pytest.fixture()
def tls_server(tmp_path: Path) -> Iterator[_Tls]:
    """An https server for files.example that notes the SNI name of each handshake."""
    cert_file, key_file = _certificate(tmp_path, "files.example")
    sni: list[str | None] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    context.sni_callback = lambda sock, name, ctx: sni.append(name)
    srv = RecordingServer(tls=context)
    yield _Tls(cert_file, srv, sni)
    srv.close()


def test_it_fetches_https_from_the_pinned_address_with_the_host_name_for_sni_and_cert(
    tls_server: _Tls,
    fake_dns: dict[str, list[str]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_server.ca_file))  # trust the test certificate
    fake_dns["files.example"] = ["127.0.0.1"]
    tls_server.server.routes["/p.png"] = _body(b"over tls", "image/png")
    url = tls_server.server.url("/p.png", host="files.example", scheme="https")
    fetched = fetch(url, tmp_path / "in", is_allowed_address=only(tls_server.server))
    assert (tmp_path / "in").read_bytes() == b"over tls"
    assert fetched.final_url == url
    assert tls_server.sni == ["files.example"]


def test_it_refuses_a_certificate_that_is_not_trusted(
    tls_server: _Tls, fake_dns: dict[str, list[str]], tmp_path: Path
) -> None:
    fake_dns["files.example"] = ["127.0.0.1"]
    tls_server.server.routes["/p.png"] = _body(b"over tls")
    url = tls_server.server.url("/p.png", host="files.example", scheme="https")
    with pytest.raises(UrlFetchFailed, match="TLS"):
        fetch(url, tmp_path / "in", is_allowed_address=only(tls_server.server))
    assert tls_server.server.requests == []


def test_it_refuses_a_certificate_for_another_name(
    tls_server: _Tls,
    fake_dns: dict[str, list[str]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_server.ca_file))
    fake_dns["other.example"] = ["127.0.0.1"]
    url = tls_server.server.url("/p.png", host="other.example", scheme="https")
    with pytest.raises(UrlFetchFailed, match="TLS"):
        fetch(url, tmp_path / "in", is_allowed_address=only(tls_server.server))
    assert tls_server.sni == ["other.example"]
    assert tls_server.server.requests == []
