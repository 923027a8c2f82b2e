"""What every refusal test checks, and requests no client library would send.

A refusal answers in the one error shape (never a 500), with no job row, no credit taken and no
file stored: `assert_refused` checks it against a `Ledger` taken before the request (the `ledger`
fixture in conftest.py). `multipart` writes a form body by hand, so that it can say what a client
library never would."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from billing import selectors as billing
from comparisons.models import Comparison

COMPARE = "/api/v1/compare"
BOUNDARY = "hostile-boundary"
FINAL = (Comparison.Status.DONE, Comparison.Status.ERROR)


def stored_objects(s3_server: Any) -> int:
    listing = s3_server.client().list_objects_v2(Bucket=s3_server.bucket, Prefix="comparisons/")
    return int(listing.get("KeyCount", 0))


@dataclass
class Ledger:
    """Credits and stored files before a request, to prove a refusal cost and kept nothing."""

    persona: Any
    s3_server: Any
    credits: int | None = None
    objects: int = 0

    def snapshot(self) -> None:
        self.credits = billing.credits_remaining(user=self.persona.user)
        self.objects = stored_objects(self.s3_server)

    def assert_untouched(self) -> None:
        assert billing.credits_remaining(user=self.persona.user) == self.credits
        assert stored_objects(self.s3_server) == self.objects


def assert_error(response: Any, status: int, error: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert body["status"] == "error" and body["detail"], body
    assert isinstance(body["error"], str) and body["error"], body
    if error is not None:
        assert body["error"] == error, body
    return dict(body)


def assert_refused(response: Any, ledger: Ledger, status: int, error: str | None = None) -> str:
    """A refusal before any job: the error shape, no job row, no credit, no stored file."""
    body = assert_error(response, status, error)
    assert not Comparison.objects.exists()
    ledger.assert_untouched()
    return str(body["detail"])


def multipart(*parts: tuple[bytes, bytes | None, bytes]) -> bytes:
    """A multipart body written by hand, so that it can say what a client library never would."""
    out = b""
    for name, filename, data in parts:
        disposition = b'form-data; name="' + name + b'"'
        if filename is not None:
            disposition += b'; filename="' + filename + b'"'
        out += b"--" + BOUNDARY.encode() + b"\r\nContent-Disposition: " + disposition
        out += b"\r\nContent-Type: application/octet-stream\r\n\r\n" + data + b"\r\n"
    return out + b"--" + BOUNDARY.encode() + b"--\r\n"


def post_multipart(persona: Any, body: bytes) -> Any:
    return post_raw(persona, body, f"multipart/form-data; boundary={BOUNDARY}")


def post_raw(persona: Any, body: bytes | str, content_type: str) -> Any:
    return persona.client.generic("POST", COMPARE, body, content_type=content_type)


def endpoints(job: str) -> list[str]:
    return [COMPARE, f"{COMPARE}/{job}", f"{COMPARE}/{job}/diff.png", "/api/v1/me"]
