"""Files that claim a format but cannot be decoded — a PNG signature over noise, a GIF with no
frames — are answered with 422 and cost no credit."""

from __future__ import annotations

import struct

import pytest

from billing import selectors as billing
from tests.comparisons.refusals import assert_error

pytestmark = pytest.mark.usefixtures("no_job_left_unfinished")


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
