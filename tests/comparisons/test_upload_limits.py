"""Size limits: a form field or a JSON body over the in-memory limit, and a text one byte over the
10 MB cap, are refused with 413 at no cost, while a text at the cap is compared; the website says
an oversized upload in words."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from comparisons.models import Comparison
from tests.comparisons.refusals import assert_refused, multipart, post_multipart, post_raw

pytestmark = pytest.mark.usefixtures("no_job_left_unfinished")


def test_it_answers_413_for_a_text_field_over_the_memory_limit(alice, ledger, photos):
    body = multipart((b"source_url", None, b"x" * (6 * 1024 * 1024)), (b"file2", b"b", photos[1]))
    assert_refused(post_multipart(alice, body), ledger, 413, "request_too_large")


def test_it_answers_413_for_a_json_body_over_the_memory_limit(alice, ledger):
    body = '{"source_url": "http://a.test/%s"}' % ("x" * (6 * 1024 * 1024))
    assert_refused(post_raw(alice, body, "application/json"), ledger, 413, "request_too_large")


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


def test_the_website_shows_an_oversized_upload_as_a_message(alice, images, tmp_path):
    big = tmp_path / "big.png"
    big.write_bytes(images["astronaut"].read_bytes() + b"\0" * (2 * 1024 * 1024))
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice.user)
    token = browser.get("/").cookies["csrftoken"].value
    with (
        override_settings(MAX_UPLOAD_MB=1),
        big.open("rb") as f1,
        images["coffee"].open("rb") as f2,
    ):
        response = browser.post(
            "/compare", {"file1": f1, "file2": f2, "csrfmiddlewaretoken": token}, follow=True
        )
    assert response.status_code == 200
    assert "larger than the 1 MB limit" in response.content.decode()
    assert not Comparison.objects.exists()
