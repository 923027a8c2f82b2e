"""Deleting a comparison from the History page: its row and every file stored for it (both
uploads, the diff image, the previews) go; the ledger keeps its entry; only the owner may, only
with a POST that confirms, and never while the job is still running."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from billing.models import LedgerEntry
from comparisons import services
from comparisons.models import Comparison
from tests.personas import Persona

pytestmark = pytest.mark.django_db


def web(persona: Persona) -> Client:
    client = Client()
    client.force_login(persona.user)
    return client


def stored(s3_server, comparison_id: str) -> list[str]:  # type: ignore[no-untyped-def]
    listing = s3_server.client().list_objects_v2(
        Bucket=s3_server.bucket, Prefix=f"comparisons/{comparison_id}/"
    )
    return sorted(item["Key"].rsplit("/", 1)[1] for item in listing.get("Contents", []))


@pytest.fixture
def image_job(alice: Persona, images: dict) -> str:
    """An API comparison whose diff image has been fetched (so drawn and stored)."""
    body = alice.compare(images["astronaut"], images["astronaut_edited"]).json()
    assert alice.client.get(body["diff_url"]).status_code == 200
    return str(body["job_id"])


def test_it_deletes_the_row_and_every_stored_file(
    alice: Persona, image_job: str, s3_server
) -> None:  # type: ignore[no-untyped-def]
    client = web(alice)
    assert client.get(f"/c/{image_job}/file1/thumb.png").status_code == 200  # makes a preview
    assert stored(s3_server, image_job) == ["a.png", "b.png", "diff.png", "thumb-a.png"]

    response = client.post(
        f"/c/{image_job}/delete", {"confirm": "yes", "next": "/history?type=image"}
    )
    assert response.status_code == 302 and response["Location"] == "/history?type=image"
    assert not Comparison.objects.filter(id=image_job).exists()
    assert stored(s3_server, image_job) == []
    assert LedgerEntry.objects.filter(comparison_id=image_job).exists()  # the books stay
    assert "Deleted the comparison of “astronaut.png”" in client.get("/history").content.decode()


def test_it_asks_for_confirmation_first(alice: Persona, image_job: str, s3_server) -> None:  # type: ignore[no-untyped-def]
    client = web(alice)
    page = client.get(f"/c/{image_job}/delete")
    assert page.status_code == 200 and "Delete this comparison?" in page.content.decode()
    unconfirmed = client.post(f"/c/{image_job}/delete")
    assert unconfirmed.status_code == 200
    assert Comparison.objects.filter(id=image_job).exists()
    assert len(stored(s3_server, image_job)) == 3


def test_another_account_cannot_delete_it(
    alice: Persona, bob: Persona, image_job: str, s3_server
) -> None:  # type: ignore[no-untyped-def]
    response = web(bob).post(f"/c/{image_job}/delete", {"confirm": "yes"})
    assert response.status_code == 404
    assert Comparison.objects.filter(id=image_job).exists()
    assert len(stored(s3_server, image_job)) == 3
    with pytest.raises(services.ComparisonNotYours):
        services.comparison_delete(comparison_id=uuid.UUID(image_job), by=bob.user)


def test_it_refuses_to_delete_a_running_comparison(alice: Persona, image_job: str) -> None:
    Comparison.objects.filter(id=image_job).update(status="processing")
    with pytest.raises(services.ComparisonRunning):
        services.comparison_delete(comparison_id=uuid.UUID(image_job), by=alice.user)
    response = web(alice).post(f"/c/{image_job}/delete", {"confirm": "yes"}, follow=True)
    assert "still running" in response.content.decode()
    assert Comparison.objects.filter(id=image_job).exists()


def test_it_never_redirects_off_site_after_a_delete(alice: Persona, image_job: str) -> None:
    response = web(alice).post(
        f"/c/{image_job}/delete", {"confirm": "yes", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/history"
