"""The Comparison API against hostile and careless clients: malformed multipart, lying headers,
odd JSON, absurd option values, broken media, wrong methods, no key. Whatever comes in, the
answer is a 4xx in the one error shape (never a 500), no credit is taken for a failed
comparison, no job is left unfinished and nothing is stored for a refused request."""

from __future__ import annotations

import socket
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client, override_settings

from billing import selectors as billing
from comparisons import storage
from comparisons.models import Comparison

COMPARE = "/api/v1/compare"
BOUNDARY = "hostile-boundary"
FINAL = (Comparison.Status.DONE, Comparison.Status.ERROR)


# --- what every test checks ---------------------------------------------------------------------


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


@pytest.fixture
def ledger(alice, s3_server) -> Ledger:
    book = Ledger(alice, s3_server)
    book.snapshot()
    return book


@pytest.fixture(autouse=True)
def no_job_left_unfinished(db) -> Iterator[None]:
    """Whatever a test sent, no job may be left queued or processing after it."""
    yield
    assert not Comparison.objects.exclude(status__in=FINAL).exists()


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


@pytest.fixture
def photos(images) -> tuple[bytes, bytes]:
    return images["astronaut"].read_bytes(), images["coffee"].read_bytes()


# --- multipart forms ----------------------------------------------------------------------------


def test_it_refuses_file_parts_with_an_empty_file_name(alice, ledger, photos):
    body = multipart((b"file1", b"", photos[0]), (b"file2", b"", photos[1]))
    detail = assert_refused(post_multipart(alice, body), ledger, 400, "missing_file")
    assert "file name" in detail


def test_it_refuses_a_file_field_sent_twice(alice, ledger, photos):
    body = multipart(
        (b"file1", b"a.png", photos[0]), (b"file1", b"b.png", photos[1]),
        (b"file2", b"b.png", photos[1]),
    )  # fmt: skip
    detail = assert_refused(post_multipart(alice, body), ledger, 400, "duplicate_field")
    assert "file1" in detail


def test_it_refuses_a_file_and_a_url_for_the_same_file(alice, ledger, photos):
    body = multipart(
        (b"file1", b"a.png", photos[0]), (b"source_url", None, b"https://example.com/a.png"),
        (b"file2", b"b.png", photos[1]),
    )  # fmt: skip
    assert_refused(post_multipart(alice, body), ledger, 400, "conflicting_inputs")


def test_it_explains_a_file_sent_as_a_text_field(alice, ledger, photos):
    body = multipart((b"file1", None, b"before.png"), (b"file2", b"b.png", photos[1]))
    detail = assert_refused(post_multipart(alice, body), ledger, 400, "missing_file")
    assert "-F file1=@" in detail


@pytest.mark.parametrize("field", [b"a/b", b"../../etc/x", b"/", b"x\x00y"])
def test_it_ignores_extra_file_fields_whatever_their_names(alice, photos, field):
    """Field names are the client's text; one used to become part of a path (500 for "a/b")."""
    body = multipart(
        (field, b"x.png", photos[1]), (b"file1", b"a.png", photos[0]),
        (b"file2", b"b.png", photos[1]),
    )  # fmt: skip
    response = post_multipart(alice, body)
    assert response.status_code == 200, response.content[:500]
    assert response.json()["similarity"] < 40  # astronaut vs coffee: the extra field was ignored


def test_it_refuses_too_many_fields_and_files_in_the_error_shape(alice, ledger):
    fields = {f"field{i}": "x" for i in range(1200)}  # Django's default limit is 1,000
    assert_refused(alice.client.post(COMPARE, fields), ledger, 400, "bad_request")
    files = multipart(*[(f"f{i}".encode(), b"x.txt", b"x") for i in range(120)])  # limit 100
    assert_refused(post_multipart(alice, files), ledger, 400, "bad_request")


def test_it_answers_413_for_a_text_field_over_the_memory_limit(alice, ledger, photos):
    body = multipart((b"source_url", None, b"x" * (6 * 1024 * 1024)), (b"file2", b"b", photos[1]))
    assert_refused(post_multipart(alice, body), ledger, 413, "request_too_large")


def test_it_answers_400_for_a_body_it_cannot_parse(alice, ledger):
    for body, content_type in (
        (b"file1=x", "text/plain"),
        (b"\x00\x01", "application/octet-stream"),
        (b"--x\r\n", "multipart/form-data"),  # no boundary
    ):
        assert_refused(post_raw(alice, body, content_type), ledger, 400)


# --- URLs ----------------------------------------------------------------------------------------


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


# --- JSON bodies --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "[1, 2]",
        "42",
        '"source_url"',
        "null",
        "[" * 10_000 + "]" * 10_000,  # deeper than Python's recursion limit: was a 500
        '{"a":' * 50_000 + "1" + "}" * 50_000,
        "{bad",
        '{"threshold": NaN, "source_url": "http://a.test/", "target_url": "http://b.test/"}',
        b'{"source_url": "\xff\xfe"}',
        "\ufeff{}",
    ],
)
def test_it_answers_400_for_json_that_is_not_a_request_object(alice, ledger, body):
    assert_refused(post_raw(alice, body, "application/json"), ledger, 400)


def test_it_answers_413_for_a_json_body_over_the_memory_limit(alice, ledger):
    body = '{"source_url": "http://a.test/%s"}' % ("x" * (6 * 1024 * 1024))
    assert_refused(post_raw(alice, body, "application/json"), ledger, 413, "request_too_large")


# --- options ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field, value",
    [
        ("threshold", "NaN"),
        ("threshold", "nan"),
        ("threshold", "inf"),
        ("threshold", "-Infinity"),
        ("threshold", "1e999"),
        ("threshold", "-1e999"),
        ("threshold", "0x10"),
        ("threshold", "100.0001"),
        ("mode", "NaN"),
        ("mode", "1e999"),
        ("mode", "PIXEL"),
        ("mode", "feature\x00"),
        ("blob", "maybe"),
        ("blob", "2"),
    ],
)
def test_it_answers_400_for_absurd_option_values(alice, ledger, images, field, value):
    response = alice.compare(images["astronaut"], images["coffee"], **{field: value})
    assert field in assert_refused(response, ledger, 400)


@pytest.mark.parametrize(
    ("options", "code"),
    [
        ('"threshold": 1e999', "invalid_threshold"),  # valid JSON, which Python reads as inf
        ('"threshold": -1e999', "invalid_threshold"),
        ('"threshold": [50]', "invalid_threshold"),
        ('"mode": {"a": 1}', "invalid_mode"),
        ('"blob": "maybe"', "bad_request"),
    ],
)
def test_it_answers_400_for_absurd_json_option_values(alice, ledger, options, code):
    body = '{"source_url": "http://a.test/", "target_url": "http://b.test/", ' + options + "}"
    assert_refused(post_raw(alice, body, "application/json"), ledger, 400, code)


@pytest.mark.parametrize("value", ["-0", "1e-999", "0.0"])
def test_it_reads_a_negative_or_vanishing_zero_as_threshold_zero(alice, images, value):
    response = alice.compare(images["astronaut"], images["coffee"], threshold=value)
    assert response.status_code == 200, response.content
    assert response.json()["threshold"] == 0 and response.json()["match"] is True


def test_it_answers_the_diff_png_for_blob_true_in_the_query_string(alice, images):
    with images["astronaut"].open("rb") as a, images["astronaut_edited"].open("rb") as b:
        response = alice.client.post(f"{COMPARE}?blob=true", {"file1": a, "file2": b})
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n")


# --- broken and odd media -----------------------------------------------------------------------


def test_it_answers_422_for_a_png_header_with_a_garbage_body(alice, ledger, images, tmp_path):
    png = images["astronaut"].read_bytes()
    garbage = tmp_path / "garbage.png"
    garbage.write_bytes(png[:33] + bytes(range(256)) * 80)  # signature and IHDR, then noise
    response = alice.compare(garbage, images["astronaut"])
    assert_error(response, 422, "unreadable_file")
    assert "file1" in response.json()["detail"]
    assert billing.credits_remaining(user=alice.user) == ledger.credits


def test_it_answers_422_for_a_gif_with_no_frames(alice, ledger, tmp_path):
    empty_gif = tmp_path / "empty.gif"
    empty_gif.write_bytes(b"GIF89a" + struct.pack("<HHBBB", 10, 10, 0, 0, 0) + b";")
    assert_error(alice.compare(empty_gif, empty_gif), 422)
    assert billing.credits_remaining(user=alice.user) == ledger.credits


def test_it_compares_ten_megabytes_of_one_character(alice, tmp_path):
    """At the text cap exactly: a single 10 MB line must neither crash nor take long."""
    ones = tmp_path / "ones.txt"
    ones.write_bytes(b"a" * (10 * 1024 * 1024))
    newlines = tmp_path / "newlines.txt"
    newlines.write_bytes(b"\n" * (10 * 1024 * 1024))
    same = alice.compare(ones, ones)
    assert same.status_code == 200 and same.json()["similarity"] == 100
    different = alice.compare(ones, newlines)
    assert different.status_code == 200 and different.json()["similarity"] < 5


def test_it_answers_413_one_byte_over_the_text_cap(alice, ledger, tmp_path):
    at_cap = tmp_path / "at-cap.txt"
    at_cap.write_bytes(b"a" * (10 * 1024 * 1024))
    over = tmp_path / "over.txt"
    over.write_bytes(b"a" * (10 * 1024 * 1024 + 1))
    assert "file2" in assert_refused(alice.compare(at_cap, over), ledger, 413, "file_too_large")


def test_it_compares_json_with_csv_as_two_texts(alice, tmp_path):
    as_json = tmp_path / "people.json"
    as_json.write_text('[{"name": "alice", "age": 31}, {"name": "bob", "age": 42}]\n')
    as_csv = tmp_path / "people.csv"
    as_csv.write_text("name,age\nalice,31\nbob,42\n")
    response = alice.compare(as_json, as_csv)
    assert response.status_code == 200, response.content
    result = response.json()
    assert result["type"] == "text" and "diff_url" not in result
    assert (result["files"]["file1"]["format"], result["files"]["file2"]["format"]) == (
        "json",
        "csv",
    )


def test_it_answers_404_for_the_diff_png_of_a_text_job(alice, texts):
    job = alice.compare(texts["apache"], texts["apache_edited"]).json()["job_id"]
    assert_error(alice.client.get(f"{COMPARE}/{job}/diff.png"), 404, "not_found")


def test_it_keeps_no_file_when_storing_the_second_one_fails(alice, ledger, images, monkeypatch):
    """Storage failing between the two uploads used to leave file1 stored with no job row,
    where the purge (which goes by rows) would never find it."""
    real = storage.input_save

    def second_fails(**kwargs: Any) -> str:
        if kwargs["slot"] == "b":
            raise OSError("the storage server is unreachable")
        return real(**kwargs)

    monkeypatch.setattr(storage, "input_save", second_fails)
    alice.client.raise_request_exception = False
    response = alice.compare(images["astronaut"], images["coffee"])
    assert_error(response, 500, "internal_error")  # our outage, said in the API's shape
    assert not Comparison.objects.exists()
    ledger.assert_untouched()


# --- methods and keys ---------------------------------------------------------------------------


@pytest.fixture
def text_job(alice, texts) -> str:
    return str(alice.compare(texts["apache"], texts["apache_edited"]).json()["job_id"])


def endpoints(job: str) -> list[str]:
    return [COMPARE, f"{COMPARE}/{job}", f"{COMPARE}/{job}/diff.png", "/api/v1/me"]


def test_it_answers_405_in_the_error_shape_for_other_methods(alice, text_job):
    for path in endpoints(text_job):
        for method in ("PUT", "DELETE", "PATCH"):
            response = alice.client.generic(method, path)
            assert_error(response, 405, "method_not_allowed")
            assert response["Allow"]
    assert_error(alice.client.get(COMPARE), 405, "method_not_allowed")
    assert_error(alice.client.post(f"{COMPARE}/{text_job}"), 405, "method_not_allowed")


def test_it_answers_401_in_the_error_shape_without_a_key(text_job):
    anonymous = Client()
    for path in endpoints(text_job):
        for method in ("GET", "POST", "PUT", "DELETE"):
            response = anonymous.generic(method, path)
            assert_error(response, 401, "invalid_api_key")
            assert response["WWW-Authenticate"] == "X-API-Key"


@pytest.mark.parametrize(
    "key", ["", " ", "dk_live_", "dk_live_" + "A" * 4000, "dk_live_\u00e9\u00ff", "Bearer x"]
)
def test_it_answers_401_for_a_malformed_key(text_job, key):
    response = Client().get(f"{COMPARE}/{text_job}", HTTP_X_API_KEY=key)
    assert_error(response, 401, "invalid_api_key")


@pytest.mark.parametrize(
    "job_id", ["%00", "%ff", "..%2F..%2Fetc", "00000000-0000-0000-0000-000000000000", "x" * 300]
)
def test_it_answers_404_for_job_ids_that_are_no_job(alice, job_id):
    for path in (f"{COMPARE}/{job_id}", f"{COMPARE}/{job_id}/diff.png"):
        assert_error(alice.client.get(path), 404, "not_found")


# --- the website's session on the API ------------------------------------------------------------


@pytest.fixture
def signed_in(alice) -> tuple[Client, str]:
    """alice's browser: a session and a CSRF token, with CSRF checks on as in production."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice.user)
    browser.get("/")
    return browser, browser.cookies["csrftoken"].value


def test_it_compares_for_a_signed_in_session(signed_in, images):
    """The CSRF check reads the body before the view runs: the capped upload handler used to
    be set too late, which answered every session POST with a 500."""
    browser, token = signed_in
    with images["astronaut"].open("rb") as a, images["coffee"].open("rb") as b:
        response = browser.post(COMPARE, {"file1": a, "file2": b}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200, response.content[:500]
    assert response.json()["type"] == "image"


def test_it_caps_uploads_for_a_signed_in_session_too(signed_in, ledger, images, tmp_path):
    browser, token = signed_in
    big = tmp_path / "big.png"
    big.write_bytes(images["astronaut"].read_bytes() + b"\0" * (2 * 1024 * 1024))
    with override_settings(MAX_UPLOAD_MB=1), big.open("rb") as a, images["coffee"].open("rb") as b:
        response = browser.post(COMPARE, {"file1": a, "file2": b}, HTTP_X_CSRFTOKEN=token)
    assert_refused(response, ledger, 413, "file_too_large")


# --- Content-Length that lies, on a real socket --------------------------------------------------


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
