"""The diff image: `blob=true` in the query string answers the PNG itself, and a text comparison
has no diff.png (404 in the error shape)."""

from __future__ import annotations

import pytest

from tests.comparisons.refusals import COMPARE, assert_error

pytestmark = pytest.mark.usefixtures("no_job_left_unfinished")


def test_it_answers_the_diff_png_for_blob_true_in_the_query_string(alice, images):
    with images["astronaut"].open("rb") as a, images["astronaut_edited"].open("rb") as b:
        response = alice.client.post(f"{COMPARE}?blob=true", {"file1": a, "file2": b})
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n")


def test_it_answers_404_for_the_diff_png_of_a_text_job(alice, texts):
    job = alice.compare(texts["apache"], texts["apache_edited"]).json()["job_id"]
    assert_error(alice.client.get(f"{COMPARE}/{job}/diff.png"), 404, "not_found")
