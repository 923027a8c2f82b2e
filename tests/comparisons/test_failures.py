"""When our side fails — the file store down, a result that cannot be saved — the client gets a
clear 5xx in the error shape, no credit is taken and nothing is left half-written."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client, override_settings

from billing import selectors as billing
from comparisons import fetch, storage
from comparisons.models import Comparison
from diffall.settings import s3_storage


def test_it_answers_503_and_keeps_nothing_when_storage_is_down(alice, images, s3_server):
    dead = {**s3_server.env, "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:1"}
    with override_settings(STORAGES={**settings.STORAGES, "default": s3_storage(dead)}):
        response = alice.compare(images["astronaut"], images["coffee"])
    assert response.status_code == 503, response.content
    assert response.json()["error"] == "storage_unavailable"
    assert response["Retry-After"] == "30"
    assert not Comparison.objects.exists()
    assert billing.credits_remaining(user=alice.user) == 10


def test_a_result_that_cannot_be_saved_fails_the_job_and_refunds(alice, images, monkeypatch):
    """The storage seam is where the outside world is; the S3 server itself stays up."""

    def refuse(**_: object) -> str:
        raise storage.StorageUnavailable()

    monkeypatch.setattr(storage, "artifact_save", refuse)
    response = alice.compare(images["astronaut"], images["astronaut_edited"])
    assert response.status_code == 503 and response.json()["error"] == "storage_unavailable"
    job = Comparison.objects.get(id=response.json()["job_id"])
    assert job.status == Comparison.Status.ERROR
    assert billing.credits_remaining(user=alice.user) == 10


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


@pytest.mark.parametrize("url", ["http://example.com:0/a.png", "https://example.com:0/"])
def test_it_refuses_port_zero_instead_of_reading_it_as_the_default(url, tmp_path):
    with pytest.raises(fetch.UrlNotAllowed, match="port 0"):
        fetch.fetch_url(url, tmp_path / "x", max_bytes=1000, timeout=1)
