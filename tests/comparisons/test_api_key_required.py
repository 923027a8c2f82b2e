"""Every API endpoint needs a valid API key: without one, or with a malformed one, the answer is
401 in the error shape, with WWW-Authenticate."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.comparisons.refusals import COMPARE, assert_error, endpoints

pytestmark = pytest.mark.usefixtures("no_job_left_unfinished")


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
