"""Option values (`threshold`, `mode`, `blob`) out of range or of the wrong type, in a form or in
JSON, are refused with 400 naming the field; a zero written as -0, 1e-999 or 0.0 is zero."""

from __future__ import annotations

import pytest

from tests.comparisons.refusals import assert_refused, post_raw

pytestmark = pytest.mark.usefixtures("no_job_left_unfinished")


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
