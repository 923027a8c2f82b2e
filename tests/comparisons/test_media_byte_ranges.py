"""The original files answer HTTP byte ranges, so <audio> and <video> can seek: one range is a
206 with exactly those bytes (from S3 a ranged GET; from a folder a seek), a range past the end
is a 416, and anything else is the whole file with `Accept-Ranges: bytes`."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import override_settings

from comparisons import storage
from diffall.byte_ranges import Unsatisfiable, requested_range
from tests.personas import Persona, signed_in_client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("header", "wanted"),
    [
        ("bytes=0-99", (0, 99)),
        ("bytes=100-", (100, 999)),
        ("bytes=-200", (800, 999)),
        ("bytes=-5000", (0, 999)),  # more than the file: all of it
        ("bytes=990-5000", (990, 999)),  # an end past the file stops at its last byte
        ("bytes = 5 - 9", (5, 9)),
        (None, None),
        ("", None),
        ("bytes=0-1,5-9", None),  # several ranges: the whole file (RFC 9110 allows it)
        ("bytes=9-5", None),  # not a valid range: ignored
        ("items=0-9", None),
        ("bytes=abc", None),
    ],
)
def test_it_reads_the_one_range_a_player_asks_for(header: str | None, wanted: object) -> None:
    assert requested_range(header, 1000) == wanted


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=5000-6000", "bytes=-0"])
def test_it_refuses_a_range_that_starts_past_the_end(header: str) -> None:
    with pytest.raises(Unsatisfiable):
        requested_range(header, 1000)


web = signed_in_client


def test_it_answers_a_range_of_an_original_with_206_and_those_bytes(
    alice: Persona, images: dict[str, Path]
) -> None:
    job = alice.compare(images["astronaut"], images["coffee"]).json()["job_id"]
    whole = images["coffee"].read_bytes()
    client = web(alice)

    full = client.get(f"/c/{job}/file2")
    assert full.status_code == 200 and full["Accept-Ranges"] == "bytes"
    assert full["Content-Length"] == str(len(whole))
    assert b"".join(full.streaming_content) == whole

    part = client.get(f"/c/{job}/file2", HTTP_RANGE="bytes=1000-1999")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 1000-1999/{len(whole)}"
    assert part["Content-Length"] == "1000"
    assert b"".join(part.streaming_content) == whole[1000:2000]
    assert part["Content-Type"] == "image/png" and "sandbox" in part["Content-Security-Policy"]

    tail = client.get(f"/c/{job}/file2", HTTP_RANGE="bytes=-10")
    assert b"".join(tail.streaming_content) == whole[-10:]

    refused = client.get(f"/c/{job}/file2", HTTP_RANGE=f"bytes={len(whole)}-")
    assert refused.status_code == 416 and refused["Content-Range"] == f"bytes */{len(whole)}"

    unchecked = client.get(f"/c/{job}/file2", HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"x"')
    assert unchecked.status_code == 200  # no validator to check If-Range against: all of it


def test_nobody_else_gets_a_range_either(alice: Persona, bob: Persona, images: dict) -> None:
    job = alice.compare(images["astronaut"], images["coffee"]).json()["job_id"]
    assert web(bob).get(f"/c/{job}/file1", HTTP_RANGE="bytes=0-9").status_code == 404


def test_a_range_from_a_folder_is_a_seek(tmp_path: Path) -> None:
    """The embedded default stores files in a folder: the same ranges, read by seeking."""
    data = bytes(range(256)) * 40
    folder = {"BACKEND": "django.core.files.storage.FileSystemStorage",
              "OPTIONS": {"location": tmp_path}}  # fmt: skip
    with override_settings(STORAGES={"default": folder, "staticfiles": folder}):
        source = tmp_path / "in.bin"
        source.write_bytes(data)
        name = storage.artifact_save(
            comparison_id=__import__("uuid").uuid4(), name="x.bin", data=data
        )
        window = storage.open_range(name=name, first=300, last=1299)
        try:
            read = b"".join(iter(lambda: window.read(333), b""))
        finally:
            window.close()
        assert read == data[300:1300]
        assert storage.size(name=name) == len(data)
