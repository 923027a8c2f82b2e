"""The API's shapes: what a request may send and what a comparison looks like in an answer.

`ComparisonSerializer` is the one place that decides which fields a job shows in each state, for
the synchronous answer, the poll and the website alike."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from billing import selectors as billing_selectors
from comparisons import verdicts
from comparisons.models import Comparison


class CompareOptionsSerializer(serializers.Serializer):
    """The options of a comparison, however the files are sent; the view validates with it."""

    mode = serializers.ChoiceField(
        choices=["pixel", "feature"], required=False,
        help_text="Images only: `pixel` (default; SSIM/PSNR/MSE) or `feature` "
        "(keypoints; tolerates rotation, crops and lighting).",
    )  # fmt: skip
    threshold = serializers.FloatField(
        required=False, min_value=0, max_value=100,
        help_text="`match` is similarity >= threshold (default per type: "
        + ", ".join(f"{k} {v:g}" for k, v in verdicts.DEFAULT_THRESHOLDS.items())
        + "; image feature mode "
        + f"{verdicts.default_threshold('image', 'feature'):g}).",
    )  # fmt: skip
    blob = serializers.BooleanField(
        required=False,
        help_text="true (or ?blob=true): answer with the diff PNG itself instead of JSON.",
    )
    callback_url = serializers.URLField(
        required=False, max_length=2000,
        help_text="A public http(s) URL that gets the finished job (the poll's JSON) as a signed "
        "POST when it is done or failed (header DiffALL-Signature: t=…,v1=HMAC-SHA256). Needs the "
        "account's signing secret (Account → Webhooks).",
    )  # fmt: skip


class CompareJsonRequestSerializer(CompareOptionsSerializer):
    """A JSON body cannot carry files: it names them by URL."""

    source_url = serializers.URLField(help_text="The first file: a public http(s) URL.")
    target_url = serializers.URLField(help_text="The second file: a public http(s) URL.")


@extend_schema_field(OpenApiTypes.BINARY)
class UploadField(serializers.FileField):
    """A file upload; documented as binary (DRF's FileField reads as a URI string in a schema)."""


class CompareRequestSerializer(CompareOptionsSerializer):
    """The multipart form: each file an upload, or a URL in its place."""

    file1 = UploadField(required=False, help_text="The first file (multipart upload).")
    file2 = UploadField(required=False, help_text="The second file, of the same type.")
    source_url = serializers.URLField(required=False, help_text="Instead of file1: a public URL.")
    target_url = serializers.URLField(required=False, help_text="Instead of file2: a public URL.")


class ComparisonSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Comparison.Status.choices)
    job_id = serializers.UUIDField(source="id")
    type = serializers.CharField(
        source="media_type", help_text="image, video, audio, subtitle, text"
    )
    status_url = serializers.SerializerMethodField()
    progress = serializers.IntegerField(help_text="0-100 while queued or processing.")
    similarity = serializers.FloatField(allow_null=True, help_text="0-100, higher = more similar.")
    verdict = serializers.SerializerMethodField()
    match = serializers.SerializerMethodField()
    confidence = serializers.SerializerMethodField()
    threshold = serializers.FloatField()
    mode = serializers.CharField()
    metrics = serializers.DictField(help_text="Every sub-score computed (ssim, psnr, wer, ...).")
    matched_segments = serializers.ListField(source="segments", child=serializers.DictField())
    changes = serializers.ListField(child=serializers.DictField())
    diff_url = serializers.SerializerMethodField()
    files = serializers.SerializerMethodField()
    processing_time_ms = serializers.IntegerField(allow_null=True)
    credits_remaining = serializers.SerializerMethodField(
        help_text="Credits left (free today + paid); null on the unlimited Enterprise plan."
    )
    error = serializers.CharField(source="error_code")
    detail = serializers.CharField(source="error_detail")

    PENDING = ("status", "job_id", "type", "progress", "status_url")
    FIELDS_BY_STATUS: dict[str, tuple[str, ...]] = {
        Comparison.Status.QUEUED: PENDING,
        Comparison.Status.PROCESSING: PENDING,
        Comparison.Status.DONE: (
            "status", "job_id", "type", "similarity", "verdict", "match", "confidence",
            "threshold", "mode", "metrics", "matched_segments", "changes", "diff_url", "files",
            "processing_time_ms", "credits_remaining",
        ),
        Comparison.Status.ERROR: (
            "status", "job_id", "type", "error", "detail", "credits_remaining",
        ),
    }  # fmt: skip

    def to_representation(self, instance: Comparison) -> dict[str, Any]:
        data = super().to_representation(instance)
        wanted = self.FIELDS_BY_STATUS[instance.status]
        if not instance.diff_file:
            wanted = tuple(f for f in wanted if f != "diff_url")
        if not instance.mode:  # only images have modes
            wanted = tuple(f for f in wanted if f != "mode")
        return {field: data[field] for field in wanted}

    def get_status_url(self, obj: Comparison) -> str:
        return reverse("api-compare-detail", args=[obj.id])

    def get_verdict(self, obj: Comparison) -> str | None:
        return verdicts.verdict(obj.similarity) if obj.similarity is not None else None

    def get_match(self, obj: Comparison) -> bool | None:
        return (
            verdicts.is_match(obj.similarity, obj.threshold) if obj.similarity is not None else None
        )

    def get_confidence(self, obj: Comparison) -> str | None:
        return verdicts.confidence(obj.similarity) if obj.similarity is not None else None

    def get_diff_url(self, obj: Comparison) -> str | None:
        return reverse("api-compare-diff", args=[obj.id]) if obj.diff_file else None

    def get_files(self, obj: Comparison) -> dict[str, dict[str, Any]]:
        return {
            "file1": {"name": obj.name_a, "format": obj.format_a, "size": obj.size_a},
            "file2": {"name": obj.name_b, "format": obj.format_b, "size": obj.size_b},
        }

    def get_credits_remaining(self, obj: Comparison) -> int | None:
        return billing_selectors.credits_remaining(user=obj.user)


class AcceptedSerializer(serializers.Serializer):
    status = serializers.CharField(default="processing")
    job_id = serializers.UUIDField()
    status_url = serializers.CharField()


class ComparisonSchema(OpenApiSerializerExtension):  # type: ignore[no-untyped-call]
    """A job shows different fields in each state (FIELDS_BY_STATUS), so the schema may promise
    only the ones every state has; drf-spectacular would mark every field required, and a done
    result (which has no `progress` or `error`) would not match its own schema."""

    target_class = ComparisonSerializer

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        schema: dict[str, Any] = auto_schema._map_serializer(
            self.target, direction, bypass_extensions=True
        )
        always = set.intersection(*(set(f) for f in ComparisonSerializer.FIELDS_BY_STATUS.values()))
        schema["required"] = sorted(always)
        return schema


class CompareRequestSchema(OpenApiSerializerExtension):  # type: ignore[no-untyped-call]
    """Each file is an upload or a URL, exactly one of the two: say so in the schema, which
    could otherwise only mark every field optional (and an empty form "valid")."""

    target_class = CompareRequestSerializer

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        schema: dict[str, Any] = auto_schema._map_serializer(
            self.target, direction, bypass_extensions=True
        )
        slots = (("file1", "source_url"), ("file2", "target_url"))  # as comparisons.inputs reads
        schema["allOf"] = [
            {"oneOf": [{"required": [upload]}, {"required": [url]}]} for upload, url in slots
        ]
        return schema
