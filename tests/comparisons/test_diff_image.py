"""The diff image: `blob=true` in the query string answers the PNG itself, and a text comparison
has no diff.png (404 in the error shape). An image comparison answered through the API stores no
diff image; the first request for it draws it from the stored inputs (the same picture a website
comparison stores at once) and stores it, and the upload purge draws any missing one before it
deletes the inputs."""

from __future__ import annotations

from datetime import timedelta

import cv2
import pytest
from django.test import Client
from django.utils import timezone

from billing import selectors as billing
from comparisons import services, storage
from comparisons.errors import StorageUnavailable
from comparisons.models import Comparison
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


def _page(persona, job_id) -> str:
    """The comparison's result page, as its owner sees it."""
    client = Client()
    client.force_login(persona.user)
    response = client.get(f"/c/{job_id}")
    assert response.status_code == 200
    return response.content.decode()


def _stored(name: str) -> bool:
    try:
        storage.size(name=name)
    except FileNotFoundError:
        return False
    return True


@pytest.fixture
def cropped(images, tmp_path):
    """The astronaut with 60 columns cut off its left: feature mode fits it back onto the whole
    photo, pixel mode does not, so their diff images differ."""
    photo = cv2.imread(str(images["astronaut"]))
    path = tmp_path / "astronaut-cropped.png"
    assert cv2.imwrite(str(path), photo[:, 60:])
    return path


# Each case's diff image depends on the options: drawn again without them, it came out different
# (the feature case: pixel mode's picture of the same pair).
@pytest.mark.parametrize(
    "second, options",
    [
        ("astronaut_edited", {}),
        ("astronaut_edited", {"ignore_regions": '[{"x":300,"y":40,"width":100,"height":100}]'}),
        ("cropped", {"mode": "feature"}),
    ],
    ids=["pixel", "ignore_regions", "feature"],
)
def test_an_api_comparison_draws_its_diff_image_when_first_asked_for_it(
    alice, images, cropped, s3_server, second, options
):
    a, b = images["astronaut"], cropped if second == "cropped" else images[second]
    body = alice.compare(a, b, **options).json()
    job = Comparison.objects.get(id=body["job_id"])
    assert body["diff_url"] == f"{COMPARE}/{job.id}/diff.png"
    assert not _stored(job.diff_file)  # the answer did not wait for it

    drawn = alice.client.get(body["diff_url"])
    assert drawn.status_code == 200 and drawn["Content-Type"] == "image/png"
    assert _stored(job.diff_file)
    at_once = alice.compare(a, b, blob="true", **options)  # drawn with its result
    assert drawn.content == at_once.content
    assert alice.client.get(body["diff_url"]).content == drawn.content  # read, not drawn
    assert billing.credits_remaining(user=alice.user) == 8  # drawing it costs no credit


def test_the_upload_purge_draws_a_missing_diff_image_before_it_deletes_the_inputs(
    alice, images, s3_server
):
    body = alice.compare(images["astronaut"], images["astronaut_edited"]).json()
    job = Comparison.objects.get(id=body["job_id"])
    assert _stored(job.file_a) and not _stored(job.diff_file)
    assert services.uploads_purge(now=timezone.now() + timedelta(hours=25)) == 1
    assert not _stored(job.file_a) and not _stored(job.file_b)
    assert _stored(job.diff_file)
    answer = alice.client.get(body["diff_url"])
    assert answer.status_code == 200 and answer.content.startswith(b"\x89PNG")
    page = _page(alice, job.id)
    assert 'id="diff-image"' in page and "the difference map below remains" in page


def test_the_purge_keeps_the_inputs_while_the_diff_image_cannot_be_stored(
    alice, images, s3_server, monkeypatch
):
    body = alice.compare(images["astronaut"], images["astronaut_edited"]).json()
    job = Comparison.objects.get(id=body["job_id"])

    def refuse(**_: object) -> str:
        raise StorageUnavailable()

    monkeypatch.setattr(storage, "artifact_save", refuse)
    assert services.uploads_purge(now=timezone.now() + timedelta(hours=25)) == 0
    assert _stored(job.file_a) and _stored(job.file_b)
    assert Comparison.objects.get(id=job.id).files_purged_at is None
    # and the request that would have drawn it says the store is down, the job untouched
    response = alice.client.get(body["diff_url"])
    assert_error(response, 503, "storage_unavailable")
    assert Comparison.objects.get(id=job.id).status == Comparison.Status.DONE


def test_a_diff_image_that_can_no_longer_be_drawn_answers_404(alice, images, s3_server):
    """Its inputs lost before anyone asked for it (the purge draws it first; this is the file
    store losing them): a plain 404 in the error shape, not a 500."""
    body = alice.compare(images["astronaut"], images["astronaut_edited"]).json()
    job = Comparison.objects.get(id=body["job_id"])
    storage.delete(name=job.file_a)
    storage.delete(name=job.file_b)
    assert_error(alice.client.get(body["diff_url"]), 404, "not_found")
    assert Comparison.objects.get(id=job.id).status == Comparison.Status.DONE


def test_the_purge_stops_offering_a_diff_image_it_cannot_draw(alice, images, s3_server):
    """Inputs lost before the purge came: the answer and the result page stop pointing at a
    picture that would answer 404 for good."""
    body = alice.compare(images["astronaut"], images["astronaut_edited"]).json()
    job = Comparison.objects.get(id=body["job_id"])
    storage.delete(name=job.file_a)
    assert services.uploads_purge(now=timezone.now() + timedelta(hours=25)) == 1
    answer = alice.client.get(f"{COMPARE}/{job.id}").json()
    assert answer["status"] == "done" and "diff_url" not in answer
    assert_error(alice.client.get(body["diff_url"]), 404, "not_found")
    # and the page says so, rather than promise a map below that is not there
    page = _page(alice, job.id)
    assert 'id="diff-image"' not in page and "the difference map below remains" not in page
    assert "no difference map could be kept" in page
