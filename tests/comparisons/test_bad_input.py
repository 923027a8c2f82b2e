"""Malformed requests are refused in the one error shape, never with a 500: multipart forms no
client library would write, bodies that cannot be parsed, JSON that is not a request object. A
refusal creates no job, takes no credit and stores nothing."""

from __future__ import annotations

import pytest

from tests.comparisons.refusals import COMPARE, assert_refused, multipart, post_multipart, post_raw

pytestmark = pytest.mark.usefixtures("no_job_left_unfinished")


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


def test_it_answers_400_for_a_body_it_cannot_parse(alice, ledger):
    for body, content_type in (
        (b"file1=x", "text/plain"),
        (b"\x00\x01", "application/octet-stream"),
        (b"--x\r\n", "multipart/form-data"),  # no boundary
    ):
        assert_refused(post_raw(alice, body, content_type), ledger, 400)


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
