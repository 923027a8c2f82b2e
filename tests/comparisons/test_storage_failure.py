"""When our side fails — the file store down, a result that cannot be saved, storage failing
between the two uploads — the client gets a clear 5xx in the error shape, no credit is taken and
nothing is left half-written."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings

from billing import selectors as billing
from comparisons import storage
from comparisons.errors import StorageUnavailable
from comparisons.models import Comparison
from diffall.settings import s3_storage
from tests.comparisons.refusals import assert_error

pytestmark = pytest.mark.usefixtures("no_job_left_unfinished")


def test_it_answers_503_and_refunds_when_storage_is_down(alice, images, s3_server):
    """The inputs are stored while the engine runs, so the job exists by the time the store
    answers: it fails, refunded, like a job whose result could not be saved."""
    dead = {**s3_server.env, "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:1"}
    with override_settings(STORAGES={**settings.STORAGES, "default": s3_storage(dead)}):
        response = alice.compare(images["astronaut"], images["coffee"])
    assert response.status_code == 503, response.content
    assert response.json()["error"] == "storage_unavailable"
    assert response["Retry-After"] == "30"
    job = Comparison.objects.get(id=response.json()["job_id"])
    assert job.status == Comparison.Status.ERROR and job.error_code == "storage_unavailable"
    assert billing.credits_remaining(user=alice.user) == 10


def test_a_result_that_cannot_be_saved_fails_the_job_and_refunds(alice, images, monkeypatch):
    """The storage seam is where the outside world is; the S3 server itself stays up."""

    def refuse(**_: object) -> str:
        raise storage.StorageUnavailable()

    monkeypatch.setattr(storage, "artifact_save", refuse)
    # blob=true: this answer is the diff image, so it is stored with the result
    response = alice.compare(images["astronaut"], images["astronaut_edited"], blob="true")
    assert response.status_code == 503 and response.json()["error"] == "storage_unavailable"
    job = Comparison.objects.get(id=response.json()["job_id"])
    assert job.status == Comparison.Status.ERROR
    assert billing.credits_remaining(user=alice.user) == 10


def test_it_keeps_no_file_when_storing_the_second_one_fails(alice, ledger, images, monkeypatch):
    """Storage failing between the two uploads used to leave file1 stored with no job row, where
    the purge (which goes by rows) would never find it. Now the job fails, refunded, and the
    input that was stored is deleted with it."""
    real = storage.input_save

    def second_fails(**kwargs: Any) -> str:
        if kwargs["slot"] == "b":  # what storage.py makes of any backend error
            raise StorageUnavailable() from OSError("the storage server is unreachable")
        return real(**kwargs)

    monkeypatch.setattr(storage, "input_save", second_fails)
    response = alice.compare(images["astronaut"], images["coffee"])
    body = assert_error(response, 503, "storage_unavailable")
    assert response["Retry-After"] == "30"
    assert Comparison.objects.get(id=body["job_id"]).status == Comparison.Status.ERROR
    ledger.assert_untouched()  # the credit refunded, no file kept
