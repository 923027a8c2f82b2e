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
from comparisons import ignore_regions as ignoring
from comparisons import verdicts
from comparisons.engines import MEDIA_TYPES, REGISTRY
from comparisons.errors import InvalidIgnoreRegions
from comparisons.models import Comparison

_REGION = {
    "type": "object",
    "properties": {
        "x": {"type": "integer", "minimum": 0, "maximum": ignoring.MAX_PIXELS},
        "y": {"type": "integer", "minimum": 0, "maximum": ignoring.MAX_PIXELS},
        "width": {"type": "integer", "minimum": 1, "maximum": ignoring.MAX_PIXELS},
        "height": {"type": "integer", "minimum": 1, "maximum": ignoring.MAX_PIXELS},
    },
    "required": list(ignoring.KEYS),
    "additionalProperties": False,
}
_REGIONS = {"type": "array", "items": _REGION, "maxItems": ignoring.MAX_REGIONS}
_IGNORE_REGIONS_HELP = (
    "Images only: rectangles of file1, in its pixels, left out of the score and the changes — "
    f"a JSON array such as {ignoring.EXAMPLE}, at most {ignoring.MAX_REGIONS}."
)


@extend_schema_field(_REGIONS)
class IgnoreRegionsField(
    serializers.Field[tuple[ignoring.Box, ...], Any, list[dict[str, int]], Any]
):
    """`ignore_regions`: a JSON array of rectangles, or its JSON text."""

    def to_internal_value(self, data: Any) -> tuple[ignoring.Box, ...]:
        try:
            return ignoring.parse(data)
        except InvalidIgnoreRegions as exc:
            raise serializers.ValidationError(exc.detail) from None

    def to_representation(self, value: Any) -> list[dict[str, int]]:
        return ignoring.as_json(value)


@extend_schema_field({"type": "string", "example": ignoring.EXAMPLE})
class IgnoreRegionsTextField(IgnoreRegionsField):
    """In a multipart form a field is text: the array is sent as its JSON text."""


def _mode_help() -> str:
    """e.g. "Images only: `pixel` (default; SSIM/PSNR/MSE) or `feature` (keypoints; ...)." """
    return " ".join(
        f"{spec.noun.capitalize()} only: "
        + " or ".join(
            f"`{mode.name}` ({'default; ' if mode is spec.modes[0] else ''}{mode.summary})"
            for mode in spec.modes
        )
        + "."
        for spec in REGISTRY.values()
        if spec.mode_names
    )


def _threshold_help() -> str:
    defaults = ", ".join(f"{spec.name} {spec.modes[0].threshold:g}" for spec in REGISTRY.values())
    others = "".join(
        f"; {spec.name} {mode.name} mode {mode.threshold:g}"
        for spec in REGISTRY.values()
        for mode in spec.modes[1:]
    )
    return f"`match` is similarity >= threshold (default per type: {defaults}{others})."


class CompareOptionsSerializer(serializers.Serializer[dict[str, Any]]):
    """The options of a comparison, however the files are sent; the view validates with it."""

    mode = serializers.ChoiceField(
        choices=list(dict.fromkeys(name for spec in REGISTRY.values() for name in spec.mode_names)),
        required=False,
        help_text=_mode_help(),
    )
    threshold = serializers.FloatField(
        required=False, min_value=0, max_value=100, help_text=_threshold_help()
    )
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
    ignore_regions = IgnoreRegionsField(required=False, help_text=_IGNORE_REGIONS_HELP)


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
    ignore_regions = IgnoreRegionsTextField(
        required=False, help_text=_IGNORE_REGIONS_HELP + " In a form: the JSON text."
    )


class ChangesField(serializers.ListField):
    """`changes`: documented as the change model's union (comparisons/schema.py)."""

    child = serializers.DictField()


class ComparisonSerializer(serializers.Serializer[Comparison]):
    status = serializers.ChoiceField(choices=Comparison.Status.choices)
    job_id = serializers.UUIDField(source="id")
    type = serializers.CharField(source="media_type", help_text=", ".join(MEDIA_TYPES))
    status_url = serializers.SerializerMethodField()
    progress = serializers.IntegerField(help_text="0-100 while queued or processing.")
    similarity = serializers.FloatField(allow_null=True, help_text="0-100, higher = more similar.")
    verdict = serializers.SerializerMethodField()
    identical = serializers.SerializerMethodField(
        help_text="true only when nothing was found beyond encoding noise (then `changes` is "
        "empty and the verdict is Identical); `match` answers another question: the same "
        "content at the threshold."
    )
    summary = serializers.CharField(
        help_text="One sentence built from the changes: "
        '"seconds 20\u201324 differ", "2 cues retimed, 1 cue changed", "No differences found."'
    )
    match = serializers.SerializerMethodField()
    confidence = serializers.SerializerMethodField()
    threshold = serializers.FloatField()
    mode = serializers.CharField()
    ignore_regions = serializers.SerializerMethodField(
        help_text="Images: the rectangles of file1 left out, as sent (empty when none)."
    )
    metrics = serializers.DictField(help_text="Every sub-score computed (ssim, psnr, wer, ...).")
    matched_segments = serializers.ListField(source="segments", child=serializers.DictField())
    changes = ChangesField(
        help_text="What differs: each change has a `kind`, exactly one location (`region`, "
        "`time`, `lines`, `path`, `cell`; subtitles `cue` and `time`), `before`, `after` and a "
        "`magnitude` from 0 to 1."
    )
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
            "status", "job_id", "type", "similarity", "verdict", "identical", "summary", "match",
            "confidence", "threshold", "mode", "ignore_regions", "metrics", "matched_segments",
            "changes", "diff_url", "files", "processing_time_ms", "credits_remaining",
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
        if not instance.mode:  # only images have modes, and regions to ignore
            wanted = tuple(f for f in wanted if f not in ("mode", "ignore_regions"))
        return {field: data[field] for field in wanted}

    def get_status_url(self, obj: Comparison) -> str:
        return reverse("api:compare_detail", args=[obj.id])

    def get_verdict(self, obj: Comparison) -> str | None:
        if obj.similarity is None:
            return None
        return verdicts.verdict(obj.similarity, identical=self.get_identical(obj))

    def get_identical(self, obj: Comparison) -> bool:
        """As the engine decided (stored when the job finished); never with a change listed."""
        return obj.identical is not False and not obj.changes

    @extend_schema_field(_REGIONS)
    def get_ignore_regions(self, obj: Comparison) -> list[dict[str, int]]:
        regions: list[dict[str, int]] = obj.options.get("ignore_regions", [])
        return regions

    def get_match(self, obj: Comparison) -> bool | None:
        return (
            verdicts.is_match(obj.similarity, obj.threshold) if obj.similarity is not None else None
        )

    def get_confidence(self, obj: Comparison) -> str | None:
        return verdicts.confidence(obj.similarity) if obj.similarity is not None else None

    def get_diff_url(self, obj: Comparison) -> str | None:
        return reverse("api:compare_diff", args=[obj.id]) if obj.diff_file else None

    def get_files(self, obj: Comparison) -> dict[str, dict[str, Any]]:
        return {
            "file1": {"name": obj.name_a, "format": obj.format_a, "size": obj.size_a},
            "file2": {"name": obj.name_b, "format": obj.format_b, "size": obj.size_b},
        }

    def get_credits_remaining(self, obj: Comparison) -> int | None:
        return billing_selectors.credits_remaining(user=obj.user)


class AcceptedSerializer(serializers.Serializer[dict[str, Any]]):
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
