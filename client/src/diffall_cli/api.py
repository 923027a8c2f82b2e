"""DiffALL's HTTP API as the client uses it: the one place that sends requests.

Every request waits for its turn in the key's rate limit, and what is safe to send again is sent
again: a 429 after its Retry-After (never shown to the user unless it outlasts `max_wait_s`), a
connection failure, a timeout or a gateway error a few times with backoff. A comparison carries
one `Idempotency-Key` for all its attempts, so the server never runs (or charges) a retried
comparison twice: a retry gets the first attempt's answer, or 409 while that attempt is still
being accepted (then it is asked again a moment later). Error answers become `ApiError` with the
API's own detail.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from diffall_cli import __version__
from diffall_cli.limiter import RateLimiter, Stopped

DEFAULT_URL = "https://diff-all.com"
USER_AGENT = f"diffall-cli/{__version__}"
CONNECT_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 300.0  # a large upload compared synchronously can take a while
IN_PROGRESS = (409, "idempotency_in_progress")  # our own earlier attempt is still being accepted
NETWORK_RETRIES = 3  # after the first attempt; waits 1, 2, 4 s
RETRIED_STATUSES = (502, 503, 504)  # a proxy or a restarting server: worth another try
FINAL_STATUSES = ("done", "error")


class ClientError(Exception):
    """Something the user has to act on; `str()` is the message shown."""


class ApiError(ClientError):
    def __init__(self, status: int, code: str, detail: str, body: Mapping[str, Any] | None = None):
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.body = dict(body or {})


class Unreachable(ClientError):
    """No answer at all: refused, unresolvable, timed out, cut off."""


class RateLimitExhausted(ClientError):
    """The key stayed rate-limited for longer than the client may wait."""


@dataclass(frozen=True)
class Source:
    """One side of a comparison: a local file, or a URL the server fetches itself."""

    text: str

    @property
    def is_url(self) -> bool:
        return urlsplit(self.text).scheme.lower() in ("http", "https")

    @property
    def path(self) -> Path:
        return Path(self.text)


class Api:
    def __init__(
        self,
        url: str,
        api_key: str,
        limiter: RateLimiter,
        *,
        max_wait_s: float = 300.0,
        timeout_s: float = READ_TIMEOUT_S,
        stop: threading.Event | None = None,
    ) -> None:
        self.base = url.rstrip("/") + "/"
        self.api_key = api_key
        self.limiter = limiter
        self.max_wait_s = max_wait_s
        self.timeout_s = timeout_s
        self.stop = stop or threading.Event()
        self._local = threading.local()  # a requests.Session per thread

    # --- endpoints -------------------------------------------------------------------------

    def me(self) -> dict[str, Any]:
        return self._json(self._send("GET", "api/v1/me"))

    def submit(
        self, first: Source, second: Source, fields: Mapping[str, str], *, key: str | None = None
    ) -> dict[str, Any]:
        """POST /api/v1/compare. The answer is the result (200) or the accepted job (202)."""
        headers = {"Idempotency-Key": key or str(uuid.uuid4())}

        def body(files: ExitStack) -> dict[str, Any]:  # opened afresh for every attempt
            data = dict(fields)
            uploads = {}
            for (upload, url_field), source in zip(
                (("file1", "source_url"), ("file2", "target_url")), (first, second), strict=True
            ):
                if source.is_url:
                    data[url_field] = source.text
                else:
                    handle = files.enter_context(source.path.open("rb"))
                    uploads[upload] = (source.path.name, handle, "application/octet-stream")
            return {"data": data, "files": uploads or None}

        return self._json(self._send("POST", "api/v1/compare", body=body, headers=headers))

    def poll(self, status_url: str) -> dict[str, Any]:
        return self._json(self._send("GET", status_url))

    def download(self, url: str) -> bytes:
        response = self._send("GET", url)
        if response.status_code >= 400:
            self._json(response)  # raises with the API's detail
        return response.content

    def wait(
        self,
        answer: dict[str, Any],
        on_progress: Callable[[int], None] | None = None,
        first_interval_s: float = 1.0,
        max_interval_s: float = 5.0,
    ) -> dict[str, Any]:
        """Poll an accepted job until it is done or failed; the first answer if already final."""
        interval = first_interval_s
        while answer.get("status") not in FINAL_STATUSES:
            if on_progress is not None:
                on_progress(int(answer.get("progress") or 0))
            self._sleep(interval)
            interval = min(max_interval_s, interval * 1.5)
            answer = self.poll(answer["status_url"])
        return answer

    # --- sending ---------------------------------------------------------------------------

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers.update({"X-API-Key": self.api_key, "User-Agent": USER_AGENT})
            self._local.session = session
        return session

    def _send(
        self,
        method: str,
        path: str,
        *,
        body: Callable[[ExitStack], dict[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> requests.Response:
        url = urljoin(self.base, path)  # status_url and diff_url are paths from the site root
        waited_s, failures, limited = 0.0, 0, 0
        while True:
            slot = self.limiter.acquire(self.stop)
            try:
                with ExitStack() as files:
                    response = self._session().request(
                        method, url, headers=dict(headers or {}),
                        # each attempt after a timeout waits twice as long for its answer
                        timeout=(CONNECT_TIMEOUT_S, self.timeout_s * 2**failures),
                        **(body(files) if body else {}),
                    )  # fmt: skip
                response.content  # noqa: B018 - the whole answer is in before the slot ends
            except (requests.ConnectionError, requests.Timeout) as exc:
                failures += 1
                delay = 2.0 ** (failures - 1)
                if failures > NETWORK_RETRIES or waited_s + delay > self.max_wait_s:
                    raise Unreachable(_unreachable(self.base, exc, failures)) from None
            else:
                if response.status_code == 429:
                    limited += 1
                    delay = _retry_after(response) + random.uniform(0, 0.25)  # noqa: S311
                    if waited_s + delay > self.max_wait_s:
                        raise RateLimitExhausted(_exhausted(limited, waited_s)) from None
                    self.limiter.hold(delay)
                elif _is_in_progress(response) and waited_s + 1.0 <= self.max_wait_s:
                    delay = _retry_after(response)  # the first attempt's answer comes soon
                elif response.status_code in RETRIED_STATUSES and failures < NETWORK_RETRIES:
                    failures += 1
                    delay = _retry_after(response, default=2.0 ** (failures - 1))
                    if waited_s + delay > self.max_wait_s:
                        return response
                else:
                    return response
            finally:
                self.limiter.release(slot)  # whatever happened, even an error opening a file
            self._sleep(delay)
            waited_s += delay

    def _sleep(self, seconds: float) -> None:
        if self.stop.wait(seconds):
            raise Stopped()

    def _json(self, response: requests.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code >= 400 or not isinstance(body, dict):
            raise _api_error(response, body)
        return body


def _is_in_progress(response: requests.Response) -> bool:
    if response.status_code != IN_PROGRESS[0]:
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("error") == IN_PROGRESS[1]


def _api_error(response: requests.Response, body: Any) -> ApiError:
    status = response.status_code
    if isinstance(body, dict) and "detail" in body:
        return ApiError(status, str(body.get("error") or "error"), str(body["detail"]), body)
    kind = response.headers.get("Content-Type", "unknown content").split(";")[0]
    return ApiError(
        status, "not_diffall",
        f"HTTP {status} with {kind} from {response.url}: not an answer of the DiffALL API. "
        "Check DIFFALL_URL (or --url): it is the site's address, e.g. https://diff-all.com.",
    )  # fmt: skip


def _retry_after(response: requests.Response, default: float = 1.0) -> float:
    """Retry-After in seconds (a number or an HTTP date), at least 0.5."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return default
    try:
        return max(0.5, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(0.5, when.timestamp() - time.time())


def _unreachable(base: str, exc: Exception, attempts: int) -> str:
    text = str(exc)
    if "refused" in text.lower():
        reason = "the connection was refused (nothing is listening there)"
    elif isinstance(exc, requests.Timeout):
        reason = "it did not answer in time"
    elif "Name or service not known" in text or "getaddrinfo" in text or "resolve" in text:
        reason = "the host name could not be resolved"
    else:
        reason = f"the connection failed ({type(exc).__name__})"
    return (
        f"Cannot reach DiffALL at {base.rstrip('/')}: {reason} "
        f"({attempts} attempt{'s' if attempts > 1 else ''}). Check DIFFALL_URL (or --url) and "
        "your network."
    )


def _exhausted(tries: int, waited_s: float) -> str:
    return (
        f"Still rate-limited (HTTP 429) after {tries} tries over {waited_s:.0f} s: another client "
        "is using this API key at the same time. Run one check per key at a time, lower "
        "--concurrency, or allow a longer wait with --max-wait."
    )
