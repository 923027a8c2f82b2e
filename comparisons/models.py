"""A `Comparison` is one request to compare two files: the job row that the API, the website and the
worker all read. Transitions happen in `comparisons.services`, never here."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class Comparison(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued"
        PROCESSING = "processing"
        DONE = "done"
        ERROR = "error"

    class Source(models.TextChoices):
        API = "api"
        WEB = "web"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comparisons"
    )
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.API)
    media_type = models.CharField(max_length=16)
    mode = models.CharField(max_length=16)  # one of the type's modes (the registry's); "" if none
    threshold = models.FloatField()
    # Other options of the request, as the API takes them: {"ignore_regions": [{x, y, ...}]}
    options = models.JSONField(default=dict, blank=True)

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)

    # The two inputs, as stored through comparisons.storage (S3 in production).
    file_a = models.CharField(max_length=255, blank=True)
    file_b = models.CharField(max_length=255, blank=True)
    name_a = models.CharField(max_length=255, blank=True)
    name_b = models.CharField(max_length=255, blank=True)
    format_a = models.CharField(max_length=16, blank=True)
    format_b = models.CharField(max_length=16, blank=True)
    size_a = models.BigIntegerField(default=0)
    size_b = models.BigIntegerField(default=0)

    similarity = models.FloatField(null=True, blank=True)
    metrics = models.JSONField(default=dict, blank=True)
    segments = models.JSONField(default=list, blank=True)
    changes = models.JSONField(default=list, blank=True)
    # True when the engine found nothing beyond encoding noise (then `changes` is empty)
    identical = models.BooleanField(null=True, blank=True)
    summary = models.TextField(blank=True)  # one sentence built from the changes
    diff_file = models.CharField(max_length=255, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    error_detail = models.TextField(blank=True)
    processing_time_ms = models.PositiveIntegerField(null=True, blank=True)
    callback_url = models.URLField(max_length=2000, blank=True)  # POSTed to when final

    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Async jobs: when the message reached the broker (null = still in the outbox), and the lease
    # of the attempt running now, kept alive by its worker's heartbeat (comparisons/jobs.py).
    enqueued_at = models.DateTimeField(null=True, blank=True)
    lease = models.UUIDField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=255, blank=True)  # the node running the attempt
    finished_at = models.DateTimeField(null=True, blank=True)
    files_purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        indexes = [
            models.Index(fields=["user", "-created_at"]),
            models.Index(fields=["status", "started_at"]),
            models.Index(fields=["files_purged_at", "created_at"]),
            models.Index(fields=["status", "enqueued_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(similarity__isnull=True) | Q(similarity__gte=0, similarity__lte=100),
                name="comparison_similarity_0_100",
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="comparison_progress_le_100"
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(similarity__isnull=False),
                name="comparison_done_has_similarity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.media_type} comparison {self.id} ({self.status})"

    @property
    def is_final(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.ERROR)


class IdempotentRequest(models.Model):
    """One `Idempotency-Key` a user sent to POST /api/v1/compare, and the answer it got.

    The row is inserted before the comparison starts (the unique constraint decides which of
    several concurrent requests runs), and the answer is written once it is known; a request that
    failed deletes its row, so retrying it is allowed (a failure never costs a credit)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idempotent_requests"
    )
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # sha256 of the request's fields and files
    comparison = models.ForeignKey(Comparison, null=True, on_delete=models.CASCADE)
    response_status = models.PositiveSmallIntegerField(null=True)  # null while being accepted
    response_body = models.JSONField(null=True)  # null for a blob (PNG) answer
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user")
        ]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"Idempotency-Key {self.key} of {self.user_id}"
