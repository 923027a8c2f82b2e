"""Uploads are deleted after the retention period (24 hours); the result, its diff image and the
answer stay."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from comparisons import services
from comparisons.models import Comparison


def test_it_deletes_uploads_after_the_retention_period_and_keeps_results(alice, images, s3_server):
    body = alice.compare(images["astronaut"], images["astronaut_edited"]).json()
    job = Comparison.objects.get(id=body["job_id"])
    bucket = s3_server.client()

    def exists(key: str) -> bool:
        return bucket.list_objects_v2(Bucket=s3_server.bucket, Prefix=key).get("KeyCount", 0) > 0

    assert exists(job.file_a) and exists(job.file_b)  # the diff image: drawn when first asked for
    assert services.uploads_purge(now=timezone.now() + timedelta(hours=23)) == 0
    assert services.uploads_purge(now=timezone.now() + timedelta(hours=25)) == 1
    assert not exists(job.file_a) and not exists(job.file_b)
    assert exists(job.diff_file)
    assert alice.client.get(body["diff_url"]).status_code == 200
    assert alice.client.get(f"/api/v1/compare/{job.id}").json()["similarity"] == body["similarity"]
    assert services.uploads_purge(now=timezone.now() + timedelta(hours=26)) == 0
