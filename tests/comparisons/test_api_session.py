"""The website's session on the API: a signed-in browser posts to /api/v1/compare with its CSRF
token, under the same upload caps as a client with a key."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from tests.comparisons.refusals import COMPARE, assert_refused

pytestmark = pytest.mark.usefixtures("no_job_left_unfinished")


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
