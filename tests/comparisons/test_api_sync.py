"""The synchronous API (images, subtitles, text): every status code of the contract, produced by
a real request, with no credit taken and nothing left behind when a comparison fails."""

from __future__ import annotations

import io
import time
import uuid

import pytest
from django.test import override_settings
from PIL import Image

from billing import selectors as billing
from comparisons.models import Comparison
from comparisons.verdicts import verdict
from tests.comparisons.refusals import assert_error, stored_objects


def credits(persona) -> int | None:
    return billing.credits_remaining(user=persona.user)


def test_it_compares_two_images_with_the_contract_fields(alice, images):
    response = alice.compare(images["astronaut"], images["astronaut_edited"])
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "done" and body["type"] == "image"
    assert 0 <= body["similarity"] <= 100
    # the bands: tests/.../test_verdicts.py; "Identical" only when nothing was found
    assert body["verdict"] == verdict(body["similarity"], identical=body["identical"])
    assert body["identical"] is False and body["summary"]
    assert {"ssim", "psnr", "mse"} <= set(body["metrics"])
    assert (body["mode"], body["threshold"]) == ("pixel", 85.0)  # the README's image defaults
    assert body["match"] == (body["similarity"] >= 85.0)
    assert body["confidence"] in ("high", "medium", "low", "none")
    assert body["credits_remaining"] == 9
    assert body["diff_url"] == f"/api/v1/compare/{body['job_id']}/diff.png"
    assert body["changes"], "the pasted patch is reported as a changed region"


def test_it_settles_the_credit_of_a_finished_comparison_for_good(alice, images):
    """Done means delivered: a late failure report (a retry, the sweep) cannot refund it."""
    from billing import services as billing_services

    body = alice.compare(images["astronaut"], images["coffee"]).json()
    with pytest.raises(billing_services.AlreadySettled):
        billing_services.credits_refund(comparison_id=uuid.UUID(body["job_id"]))
    assert credits(alice) == 9


def test_it_scores_a_near_duplicate_above_an_unrelated_photo(alice, images):
    near = alice.compare(images["astronaut"], images["astronaut_jpeg"]).json()["similarity"]
    far = alice.compare(images["astronaut"], images["chelsea"]).json()["similarity"]
    assert near > 85 > 40 > far


def test_it_serves_the_diff_png_to_its_owner_and_as_a_blob(alice, images):
    body = alice.compare(images["astronaut"], images["astronaut_edited"]).json()
    png = alice.client.get(body["diff_url"])
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(png.content)).format == "PNG"
    blob = alice.compare(images["astronaut"], images["astronaut_edited"], blob="true")
    assert blob.status_code == 200 and blob["Content-Type"] == "image/png"
    assert blob.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_it_shows_a_job_to_its_owner_only(alice, bob, images):
    job_id = alice.compare(images["astronaut"], images["coffee"]).json()["job_id"]
    assert alice.client.get(f"/api/v1/compare/{job_id}").json()["status"] == "done"
    for path in (f"/api/v1/compare/{job_id}", f"/api/v1/compare/{job_id}/diff.png"):
        response = bob.client.get(path)
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"
    assert alice.client.get(f"/api/v1/compare/{uuid.uuid4()}").status_code == 404
    assert alice.client.get("/api/v1/compare/not-a-uuid").status_code == 404


def test_it_compares_two_texts_and_lists_the_changes(alice, texts):
    response = alice.compare(texts["apache"], texts["apache_edited"])
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["type"] == "text" and 90 < body["similarity"] < 100
    assert "wer" in body["metrics"]
    assert any("Grantor" in (change["after"] or "") for change in body["changes"])


@pytest.mark.parametrize(("mode", "threshold"), [("feature", 80.0), ("pixel", 85.0)])
def test_it_runs_the_image_mode_it_was_asked_for(alice, images, mode, threshold):
    response = alice.compare(images["astronaut"], images["astronaut_jpeg"], mode=mode)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["mode"], body["threshold"]) == (mode, threshold)
    # only feature mode aligns keypoints: its metrics say so, pixel mode's do not
    assert ("inliers" in body["metrics"]) == (mode == "feature")


def test_it_takes_a_threshold_for_match(alice, images):
    body = alice.compare(images["astronaut"], images["astronaut_edited"], threshold="99.9").json()
    assert body["threshold"] == 99.9 and body["match"] is False


def test_it_compares_subtitles_of_a_whole_film(alice, tmp_path):
    """The one-minute cap is for video and audio: subtitles of a 10-minute film are fine."""
    times = [f"00:{i // 60:02d}:{i % 60:02d}" for i in range(600)]
    cues = [f"{i + 1}\n{t},000 --> {t},900\nLine {i}.\n" for i, t in enumerate(times)]
    (tmp_path / "film.srt").write_text("\n".join(cues))
    response = alice.compare(tmp_path / "film.srt", tmp_path / "film.srt")
    assert response.status_code == 200, response.content
    assert response.json()["similarity"] == 100


def test_it_sets_no_cors_headers_for_a_browsers_origin(alice, images):
    """The contract: "Server-side only: no CORS headers are set" - a page on another site must
    not be able to call the API with a key it found."""
    origin = {"HTTP_ORIGIN": "https://elsewhere.example"}
    with images["astronaut"].open("rb") as a, images["coffee"].open("rb") as b:
        posted = alice.client.post("/api/v1/compare", {"file1": a, "file2": b}, **origin)
    preflight = alice.client.options(
        "/api/v1/compare", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST", **origin
    )
    polled = alice.client.get(f"/api/v1/compare/{posted.json()['job_id']}", **origin)
    assert posted.status_code == polled.status_code == 200
    for response in (posted, preflight, polled):
        assert not [h for h in response.headers if h.lower().startswith("access-control-")]


def test_it_goes_by_content_not_by_the_file_name(alice, images, tmp_path):
    mislabelled = tmp_path / "song.mp3"
    mislabelled.write_bytes(images["astronaut"].read_bytes())
    response = alice.compare(mislabelled, images["astronaut_jpeg"])
    assert response.status_code == 200, response.content
    assert response.json()["type"] == "image"
    assert response.json()["files"]["file1"] == {
        "name": "song.mp3",
        "format": "png",
        "size": mislabelled.stat().st_size,
    }


# --- errors: the contract's status codes, no credit taken, nothing left behind -------------------


def test_it_answers_400_when_a_file_is_missing(alice, images):
    body = assert_error(alice.compare(images["astronaut"], None), 400, "missing_file")
    assert "file2" in body["detail"]
    assert credits(alice) == 10


def test_it_answers_400_for_mismatched_types(alice, images, texts):
    body = assert_error(
        alice.compare(images["astronaut"], texts["apache"]), 400, "mismatched_types"
    )
    assert "file1 is an image" in body["detail"] and "file2 is a text" in body["detail"]
    assert credits(alice) == 10 and not Comparison.objects.exists()


def test_it_answers_400_for_an_unsupported_type(alice, images, tmp_path):
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n" + bytes(range(256)))
    assert_error(alice.compare(pdf, images["astronaut"]), 400, "unsupported_type")


def test_it_answers_400_for_a_mode_the_type_does_not_have(alice, texts):
    assert_error(
        alice.compare(texts["apache"], texts["apache"], mode="feature"), 400, "invalid_mode"
    )


@pytest.mark.parametrize("threshold", ["lots", "101", "-5", "nan"])
def test_it_answers_400_for_a_bad_threshold(alice, images, threshold):
    response = alice.compare(images["astronaut"], images["coffee"], threshold=threshold)
    assert "threshold" in assert_error(response, 400, "invalid_threshold")["detail"]


def test_it_shows_no_mode_for_types_that_have_none_and_refuses_one(alice, texts):
    body = alice.compare(texts["apache"], texts["apache_edited"]).json()
    assert "mode" not in body
    response = alice.compare(texts["apache"], texts["apache"], mode="default")
    assert_error(response, 400, "invalid_mode")


def test_it_answers_401_without_a_valid_key(alice, images):
    from rest_framework.test import APIClient

    anonymous = APIClient()
    response = anonymous.post("/api/v1/compare", {})
    assert_error(response, 401, "invalid_api_key")
    anonymous.credentials(HTTP_X_API_KEY=alice.key[:-1] + ("A" if alice.key[-1] != "A" else "B"))
    assert_error(anonymous.post("/api/v1/compare", {}), 401, "invalid_api_key")


def test_it_answers_402_when_no_credits_are_left_and_keeps_nothing(alice, images, s3_server):
    before = stored_objects(s3_server)
    with override_settings(FREE_CREDITS_PER_DAY=0):
        assert_error(alice.compare(images["astronaut"], images["coffee"]), 402, "no_credits")
    assert not Comparison.objects.exists()
    assert stored_objects(s3_server) == before


def test_it_answers_413_for_a_file_over_the_cap_while_reading(alice, images, tmp_path):
    big = tmp_path / "big.png"
    big.write_bytes(images["astronaut"].read_bytes() + b"\0" * (2 * 1024 * 1024))
    with override_settings(MAX_UPLOAD_MB=1):
        assert_error(alice.compare(big, images["coffee"]), 413, "file_too_large")
    assert credits(alice) == 10 and not Comparison.objects.exists()


def test_it_answers_413_for_a_text_over_the_text_cap(alice, tmp_path):
    long_text = tmp_path / "long.txt"
    long_text.write_text("word " * 300_000)  # 1.5 MB of text
    with override_settings(MAX_TEXT_UPLOAD_MB=1):
        assert_error(alice.compare(long_text, long_text), 413, "file_too_large")


def test_it_answers_422_at_submit_for_a_file_cut_short_and_makes_no_job(alice, images, tmp_path):
    truncated = tmp_path / "truncated.png"
    truncated.write_bytes(images["astronaut"].read_bytes()[:5000])
    body = assert_error(alice.compare(truncated, images["astronaut"]), 422, "unreadable_file")
    assert body["detail"].startswith("file1 could not be read")
    assert credits(alice) == 10 and not Comparison.objects.exists()


def test_it_answers_422_when_the_engine_cannot_decode_and_refunds_the_credit(
    alice, images, tmp_path
):
    """The header is whole (so the submit-time probe passes, a job is made and a credit taken);
    zeros over the compressed pixels make the decode fail in the job, which must refund it."""
    content = bytearray(images["coffee"].read_bytes())
    middle = len(content) // 2
    content[middle : middle + 4096] = bytes(4096)
    corrupt = tmp_path / "corrupt.png"
    corrupt.write_bytes(bytes(content))
    body = assert_error(alice.compare(images["coffee"], corrupt), 422, "unreadable_file")
    job = Comparison.objects.get(id=body["job_id"])
    assert (job.status, job.error_code) == (Comparison.Status.ERROR, "unreadable_file")
    assert "file2" in job.error_detail
    assert credits(alice) == 10


def test_it_answers_400_for_a_zero_byte_file(alice, images, tmp_path):
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    body = assert_error(alice.compare(empty, images["astronaut"]), 400, "unsupported_type")
    assert body["detail"].startswith("file1 looks like an empty file")
    assert credits(alice) == 10 and not Comparison.objects.exists()


def _wait_for_new_second() -> None:
    time.sleep(1 - (time.time() % 1) + 0.01)


@pytest.mark.ratelimits
def test_it_answers_429_with_retry_after_on_the_4th_request_in_a_second(alice):
    missing = f"/api/v1/compare/{uuid.uuid4()}"
    _wait_for_new_second()
    statuses = [alice.client.get(missing).status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]
    limited = alice.client.get(missing)
    assert limited.status_code == 429 and int(limited["Retry-After"]) >= 1
    assert limited.json()["error"] == "rate_limited"


@pytest.mark.ratelimits
def test_it_limits_each_key_separately(alice, bob):
    missing = f"/api/v1/compare/{uuid.uuid4()}"
    _wait_for_new_second()
    assert [alice.client.get(missing).status_code for _ in range(4)][-1] == 429
    assert bob.client.get(missing).status_code == 404
