"""Every API endpoint answers a method it does not serve with 405 in the error shape and an Allow
header."""

from __future__ import annotations

import pytest

from tests.comparisons.refusals import COMPARE, assert_error, endpoints

pytestmark = pytest.mark.usefixtures("no_job_left_unfinished")


def test_it_answers_405_in_the_error_shape_for_other_methods(alice, text_job):
    for path in endpoints(text_job):
        for method in ("PUT", "DELETE", "PATCH"):
            response = alice.client.generic(method, path)
            assert_error(response, 405, "method_not_allowed")
            assert response["Allow"]
    assert_error(alice.client.get(COMPARE), 405, "method_not_allowed")
    assert_error(alice.client.post(f"{COMPARE}/{text_job}"), 405, "method_not_allowed")
