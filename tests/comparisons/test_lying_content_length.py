"""A Content-Length that lies — shorter than the body, or longer because the client broke off — is
answered with 400 in the error shape on a real socket; nothing is charged or stored."""

from __future__ import annotations

import socket

import pytest

from billing import selectors as billing
from comparisons.models import Comparison
from tests.comparisons.refusals import BOUNDARY, COMPARE, multipart, stored_objects

pytestmark = pytest.mark.usefixtures("no_job_left_unfinished")


def _raw_post(server_url: str, key: str, sent: bytes, declared: int) -> bytes:
    """Send `sent` under a Content-Length of `declared`, then stop sending, as a client that
    lied or broke off would; return the raw answer."""
    host, port = server_url.removeprefix("http://").split(":")
    head = (
        f"POST {COMPARE} HTTP/1.1\r\nHost: {host}\r\nX-API-Key: {key}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {declared}\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection((host, int(port)), timeout=20) as sock:
        sock.sendall(head + sent)
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


@pytest.mark.django_db(transaction=True)
def test_it_answers_400_when_content_length_lies(live_server, alice, s3_server, photos):
    body = multipart((b"file1", b"a.png", photos[0]), (b"file2", b"b.png", photos[1]))
    before = stored_objects(s3_server)
    lies = [
        (body, len(body) - 1000),  # shorter than sent: the server reads a truncated form
        (body, len(body) // 2),
        (body, 100),
        (body[: len(body) // 2], len(body)),  # longer than sent: the client broke off
        (body[:-1000], len(body) + 1000),
    ]
    for sent, declared in lies:
        answer = _raw_post(live_server.url, alice.key, sent, declared)
        status_line, _, rest = answer.partition(b"\r\n")
        assert status_line.split()[1] == b"400", answer[:600]
        assert b'"status":"error"' in rest
    assert billing.credits_remaining(user=alice.user) == 10
    assert not Comparison.objects.exists() and stored_objects(s3_server) == before
