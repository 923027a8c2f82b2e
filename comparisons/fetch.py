"""Safe download of URL inputs (`source_url` / `target_url`).

A URL a user gives us is a request our server makes on their behalf, so it must never reach what
only our server can reach (SSRF): loopback, private networks, the cloud metadata address. The rules:

- http and https only; no user name or password in the URL.
- The host is resolved once, and EVERY address it resolves to must pass `is_allowed_address`
  (by default `is_public_address`). Numeric spellings such as `2130706433` or `0x7f.1` are resolved
  by the system resolver like any name, so they meet the same check on the address they mean.
- The connection goes to the checked address itself (pinned: no second lookup between the check and
  the connect, so DNS rebinding cannot swap it), with the original Host header and, for https, the
  original name for SNI and certificate checking. After connecting, the socket's peer address is
  checked again before a byte of the request is sent.
- Redirects are followed by hand, at most `MAX_REDIRECTS`, each Location checked from scratch.
- One deadline covers everything (resolution, connects, redirects, the body); the body is streamed
  to `dest` with the size cap enforced while reading, and a partial file is deleted on any failure.

Errors share `FetchError` (comparisons/errors.py), whose `detail` is written for the user:
`UrlNotAllowed`, `UrlTooLarge` and `UrlFetchFailed`.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NameResolutionError,
    NewConnectionError,
    ReadTimeoutError,
    SSLError,
)

from comparisons.errors import FetchError, UrlFetchFailed, UrlNotAllowed, UrlTooLarge

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# (address, port) -> may we connect there? The port is passed so that tests can let exactly one
# local server through; the default ignores it.
AddressCheck = Callable[[IPAddress, int], bool]

USER_AGENT = "DiffALL-fetch/1.0"
MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CHUNK_SIZE = 64 * 1024
DEFAULT_PORTS = {"http": 80, "https": 443}
_URL_SHOWN_CHARS = 200  # long URLs are shortened in messages

# Special-purpose blocks that `ipaddress`' is_global/is_private do not refuse on every Python 3.11
# patch release. Listed here so the policy does not depend on the interpreter's version.
_DENIED_NETWORKS = tuple(
    ipaddress.ip_network(net)
    for net in (
        "0.0.0.0/8",  # "this network"
        "100.64.0.0/10",  # carrier-grade NAT (shared address space)
        "192.0.0.0/24",  # IETF protocol assignments
        "198.18.0.0/15",  # benchmarking
        "240.0.0.0/4",  # reserved, incl. the broadcast address
        "64:ff9b:1::/48",  # local-use NAT64
        "2001::/23",  # IETF protocol assignments, incl. Teredo
        "fec0::/10",  # deprecated site-local
    )
)
_NAT64_WELL_KNOWN = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated ::a.b.c.d form


@dataclass(frozen=True)
class Fetched:
    path: Path
    final_url: str
    content_type: str | None
    size: int


# ----------------------------------------------------------------------------- address policy


def is_public_address(address: IPAddress, port: int = 0) -> bool:
    """True when `address` is on the public internet. `port` is ignored (see `AddressCheck`)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None and not is_public_address(embedded):
            return False
    flags = (
        address.is_loopback,
        address.is_private,
        address.is_link_local,
        address.is_multicast,
        address.is_reserved,
        address.is_unspecified,
    )
    if any(flags) or not address.is_global:
        return False
    return not any(address in net for net in _DENIED_NETWORKS if net.version == address.version)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, NAT64, IPv4-compatible), if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64_WELL_KNOWN or (address in _IPV4_COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _parse_ip(text: str) -> IPAddress:
    return ipaddress.ip_address(text.split("%", 1)[0])  # drop an IPv6 zone ("fe80::1%eth0")


# ----------------------------------------------------------------------------- deadline


class _Deadline:
    """One time budget for the whole fetch."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds

    def remaining(self) -> float:
        left = self._end - time.monotonic()
        if left <= 0:
            raise TimeoutError
        return left


# getaddrinfo has no timeout of its own; a small pool lets the deadline cover resolution too.
_RESOLVER = ThreadPoolExecutor(max_workers=4, thread_name_prefix="diffall-fetch-dns")


def _resolve(host: str, port: int, deadline: _Deadline) -> list[IPAddress]:
    future = _RESOLVER.submit(socket.getaddrinfo, host, port, 0, socket.SOCK_STREAM)
    try:
        infos = future.result(timeout=deadline.remaining())
    except FutureTimeout:
        raise TimeoutError from None
    addresses: list[IPAddress] = []
    for *_, sockaddr in infos:
        address = _parse_ip(str(sockaddr[0]))
        if address not in addresses:
            addresses.append(address)
    return addresses


# ----------------------------------------------------------------------------- one hop


@dataclass(frozen=True)
class _Target:
    """A validated URL: where to connect (pinned address) and what to say to the server."""

    url: str
    scheme: str
    host: str  # ASCII host name (or IP literal) for Host, SNI and the certificate check
    port: int
    address: IPAddress
    request_path: str

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = DEFAULT_PORTS[self.scheme] == self.port
        return host if default else f"{host}:{self.port}"


def _shown(url: str) -> str:
    return url if len(url) <= _URL_SHOWN_CHARS else url[: _URL_SHOWN_CHARS - 1] + "…"


def _split(url: str) -> tuple[str, str, int, str]:
    """(scheme, ASCII host, port, request path) of an http(s) URL, or UrlNotAllowed."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise UrlNotAllowed(f"{_shown(url)} is not a valid URL.") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise UrlNotAllowed(
            f"{_shown(url)} is not an http or https URL; only http:// and https:// are fetched."
        )
    if parts.username is not None or parts.password is not None:
        raise UrlNotAllowed(f"{_shown(url)} contains a user name or password; remove them.")
    if not parts.hostname:
        raise UrlNotAllowed(f"{_shown(url)} has no host name.")
    try:
        host = parts.hostname.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise UrlNotAllowed(f"{_shown(url)} has a host name that is not valid.") from None
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    if parts.query:
        path += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
    if port == 0:  # `port or default` would quietly turn :0 into 80
        raise UrlNotAllowed(f"{_shown(url)} names port 0, which no server listens on.")
    return scheme, host, port if port is not None else DEFAULT_PORTS[scheme], path


def _target(url: str, deadline: _Deadline, allowed: AddressCheck) -> _Target:
    """Validate `url` from scratch and pick the (checked) address to connect to."""
    scheme, host, port, path = _split(url)
    try:
        addresses = _resolve(host, port, deadline)
    except (socket.gaierror, UnicodeError):
        raise UrlFetchFailed(
            f"could not download {_shown(url)}: the host name {host} could not be found."
        ) from None
    if not addresses:
        raise UrlFetchFailed(f"could not download {_shown(url)}: {host} has no address.")
    refused = [a for a in addresses if not allowed(a, port)]
    if refused:
        raise UrlNotAllowed(
            f"{_shown(url)} points to {refused[0]}, a loopback, private, link-local or otherwise "
            "non-public address; DiffALL only downloads from public internet addresses."
        )
    return _Target(url, scheme, host, port, addresses[0], path)


class _PeerCheck:
    """Checks, right after the TCP connect and before any byte is sent, that the socket is
    connected where the validation said it would be."""

    def __init__(self, target: _Target, allowed: AddressCheck) -> None:
        self.target = target
        self.allowed = allowed

    def __call__(self, sock: socket.socket) -> None:
        peer = sock.getpeername()
        address, port = _parse_ip(str(peer[0])), int(peer[1])
        if address != self.target.address or not self.allowed(address, port):
            sock.close()
            raise UrlNotAllowed(
                f"{_shown(self.target.url)} connected to {address}, which is not allowed."
            )


class _CheckedHTTPConnection(HTTPConnection):
    def __init__(self, *args: Any, peer_check: _PeerCheck, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._peer_check = peer_check

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        self._peer_check(sock)
        return sock


class _CheckedHTTPSConnection(HTTPSConnection):
    def __init__(self, *args: Any, peer_check: _PeerCheck, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._peer_check = peer_check

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()  # the TLS handshake happens after this returns
        self._peer_check(sock)
        return sock


def _pool(target: _Target, allowed: AddressCheck, seconds: float) -> urllib3.HTTPConnectionPool:
    """A one-connection pool bound to the pinned address; it never reads proxy variables."""
    common: dict[str, Any] = {
        "port": target.port,
        "maxsize": 1,
        "retries": False,
        "timeout": urllib3.Timeout(connect=seconds, read=seconds),
        "peer_check": _PeerCheck(target, allowed),
    }
    if target.scheme == "https":
        pool: urllib3.HTTPConnectionPool = urllib3.HTTPSConnectionPool(
            str(target.address),
            server_hostname=target.host,  # SNI names the host, not the address
            assert_hostname=target.host,  # and the certificate must be for that host
            cert_reqs="CERT_REQUIRED",
            **common,
        )
        pool.ConnectionCls = _CheckedHTTPSConnection
    else:
        pool = urllib3.HTTPConnectionPool(str(target.address), **common)
        pool.ConnectionCls = _CheckedHTTPConnection
    return pool


def _request(pool: urllib3.HTTPConnectionPool, target: _Target) -> urllib3.BaseHTTPResponse:
    headers = {
        "Host": target.host_header,
        "User-Agent": USER_AGENT,
        "Accept": "*/*",
        "Accept-Encoding": "identity",  # the bytes we store are the bytes the server holds
    }
    return pool.urlopen(
        "GET",
        target.request_path,
        headers=headers,
        redirect=False,
        retries=False,
        preload_content=False,
        assert_same_host=False,
    )


# ----------------------------------------------------------------------------- the body


def _check_length(response: urllib3.BaseHTTPResponse, url: str, max_bytes: int) -> None:
    """Refuse before reading when the server announces more than the cap."""
    try:
        announced = int(response.headers.get("Content-Length", ""))
    except ValueError:
        return  # absent or malformed: the cap is enforced while streaming
    if announced > max_bytes:
        raise UrlTooLarge(
            f"{_shown(url)} is {_megabytes(announced)}, over the {_megabytes(max_bytes)} limit."
        )


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size < 10_000_000 else f"{size // 1_000_000} MB"


def _stream(
    response: urllib3.BaseHTTPResponse, dest: Path, url: str, max_bytes: int, deadline: _Deadline
) -> int:
    """Copy the body to `dest`, stopping at the cap or the deadline; returns the size."""
    size = 0
    with dest.open("wb") as out:
        while True:
            _set_read_timeout(response, deadline.remaining())
            # read1: at most one socket read, so a trickling server cannot outlast the deadline
            chunk = response.read1(CHUNK_SIZE)
            if not chunk:
                return size
            size += len(chunk)
            if size > max_bytes:
                raise UrlTooLarge(f"{_shown(url)} is over the {_megabytes(max_bytes)} limit.")
            out.write(chunk)


def _set_read_timeout(response: urllib3.BaseHTTPResponse, seconds: float) -> None:
    sock = getattr(response.connection, "sock", None)
    if sock is not None:
        sock.settimeout(seconds)


def _status_error(url: str, status: int) -> UrlFetchFailed:
    try:
        phrase = f" ({HTTPStatus(status).phrase})"
    except ValueError:
        phrase = ""
    return UrlFetchFailed(
        f"could not download {_shown(url)}: the server answered {status}{phrase}."
    )


# ----------------------------------------------------------------------------- entry point


def fetch_url(
    url: str,
    dest: Path,
    *,
    max_bytes: int,
    timeout: float,
    is_allowed_address: AddressCheck = is_public_address,
) -> Fetched:
    """Download `url` to `dest` safely (see the module docstring), or raise a `FetchError`."""
    deadline = _Deadline(timeout)
    try:
        return _follow(url, dest, max_bytes, deadline, is_allowed_address)
    except FetchError:
        dest.unlink(missing_ok=True)
        raise
    except BaseException as exc:
        dest.unlink(missing_ok=True)
        failure = _translate(exc, url, deadline)
        if failure is None:
            raise
        raise failure from exc


def _follow(
    url: str, dest: Path, max_bytes: int, deadline: _Deadline, allowed: AddressCheck
) -> Fetched:
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        target = _checked_hop(url, current, deadline, allowed)
        pool = _pool(target, allowed, deadline.remaining())
        try:
            response = _request(pool, target)
            location = response.headers.get("Location")
            if response.status in REDIRECT_STATUSES and location:
                current = urljoin(current, location.strip())
                continue
            if not 200 <= response.status < 300:
                raise _status_error(url, response.status)
            _check_length(response, url, max_bytes)
            size = _stream(response, dest, url, max_bytes, deadline)
            content_type = response.headers.get("Content-Type")
            return Fetched(path=dest, final_url=current, content_type=content_type, size=size)
        finally:
            pool.close()
    raise UrlFetchFailed(f"could not download {_shown(url)}: more than {MAX_REDIRECTS} redirects.")


def _checked_hop(url: str, current: str, deadline: _Deadline, allowed: AddressCheck) -> _Target:
    """`_target`, with a refused redirect explained in terms of the URL the user gave."""
    try:
        return _target(current, deadline, allowed)
    except UrlNotAllowed as exc:
        if current == url:
            raise
        raise UrlNotAllowed(
            f"{_shown(url)} redirects to a URL DiffALL does not fetch: {exc}"
        ) from None


_LOCAL_FILE_ERRORS = (FileNotFoundError, PermissionError, IsADirectoryError, NotADirectoryError)


def _translate(
    exc: BaseException, url: str, deadline: _Deadline, verb: str = "download"
) -> FetchError | None:
    """The user-facing error for a network failure; None for anything that is not one."""
    prefix = f"could not {verb} {_shown(url)}"
    if isinstance(exc, NewConnectionError):  # checked first: it subclasses ConnectTimeoutError
        return UrlFetchFailed(f"{prefix}: the server could not be reached ({exc.__cause__}).")
    if isinstance(exc, TimeoutError | ReadTimeoutError | ConnectTimeoutError | socket.timeout):
        limit = f"{deadline.seconds:g}-second"
        return UrlFetchFailed(f"{prefix}: no complete answer within the {limit} time limit.")
    if isinstance(exc, NameResolutionError):
        return UrlFetchFailed(f"{prefix}: the host name could not be found.")
    if isinstance(exc, SSLError):
        return UrlFetchFailed(f"{prefix}: the secure (TLS) connection failed ({exc}).")
    if isinstance(exc, _LOCAL_FILE_ERRORS):
        return None  # writing `dest` failed: the caller's bug, not the server's
    if isinstance(exc, HTTPError | OSError):
        return UrlFetchFailed(f"{prefix}: the server could not be reached or broke off ({exc}).")
    return None


# ----------------------------------------------------------------------------- outbound POST


def check_url(
    url: str, *, timeout: float, is_allowed_address: AddressCheck = is_public_address
) -> None:
    """Refuse, before anything is sent, a URL that points where DiffALL never connects (the
    same rules as for downloads): UrlNotAllowed, or UrlFetchFailed when the host is unknown."""
    _target(url, _Deadline(timeout), is_allowed_address)


def post_url(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    timeout: float,
    is_allowed_address: AddressCheck = is_public_address,
) -> int:
    """POST `body` to `url` under the download rules (checked, pinned addresses; every redirect
    checked from scratch). Only 307/308 redirects are followed, since they keep the method and
    body. Returns the final status code; a network failure raises UrlFetchFailed."""
    deadline = _Deadline(timeout)
    current = url
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            target = _checked_hop(url, current, deadline, is_allowed_address)
            pool = _pool(target, is_allowed_address, deadline.remaining())
            try:
                response = pool.urlopen(
                    "POST", target.request_path, body=body,
                    headers={"Host": target.host_header, "User-Agent": USER_AGENT, **headers},
                    redirect=False, retries=False, assert_same_host=False,
                )  # fmt: skip
            finally:
                pool.close()
            location = response.headers.get("Location")
            if response.status in (307, 308) and location:
                current = urljoin(current, location.strip())
                continue
            return int(response.status)
    except FetchError:
        raise
    except BaseException as exc:
        failure = _translate(exc, url, deadline, verb="deliver to")
        if failure is None:
            raise
        raise failure from exc
    raise UrlFetchFailed(
        f"could not deliver to {_shown(url)}: more than {MAX_REDIRECTS} redirects."
    )
