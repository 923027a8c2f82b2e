"""A job id that is no job — encoded bytes, a path traversal, an unknown UUID, 300 characters — is
answered with 404 in the error shape, for the job and for its diff.png."""

from __future__ import annotations

import pytest

from tests.comparisons.refusals import COMPARE, assert_error

pytestmark = pytest.mark.usefixtures("no_job_left_unfinished")


@pytest.mark.parametrize(
    "job_id", ["%00", "%ff", "..%2F..%2Fetc", "00000000-0000-0000-0000-000000000000", "x" * 300]
)
def test_it_answers_404_for_job_ids_that_are_no_job(alice, job_id):
    for path in (f"{COMPARE}/{job_id}", f"{COMPARE}/{job_id}/diff.png"):
        assert_error(alice.client.get(path), 404, "not_found")
