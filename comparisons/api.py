"""The Comparison API (the contract: docs/api-contract.txt, the page served at /api). One view
per endpoint, listed in diffall/api_urls.py; each calls one service. Authentication is the
X-API-Key header (or the website's session); every endpoint is rate limited per key."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any, cast

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import ParseError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.authentication import ApiKeyAuthentication, ApiKeyView
from accounts.models import User
from comparisons import idempotency, inputs, selectors, services
from comparisons.engines import REGISTRY
from comparisons.errors import BadRequest, InvalidIgnoreRegions, InvalidMode, InvalidThreshold
from comparisons.models import Comparison
from comparisons.serializers import (
    AcceptedSerializer,
    CompareJsonRequestSerializer,
    CompareOptionsSerializer,
    CompareRequestSerializer,
    ComparisonSerializer,
)
from diffall.api_errors import ApiError, ErrorSerializer, headers_for_code, status_for_code
from diffall.ratelimits import limits_text


def _errors(*codes: int) -> dict[int, OpenApiResponse]:
    meaning = {
        400: "Bad input: missing file, unsupported type, mismatched types, too long.",
        401: "Invalid or missing API key.",
        402: "No credits remaining.",
        404: "No such job (or not yours).",
        409: "A request with this Idempotency-Key is still being accepted; retry shortly.",
        413: "File too large.",
        422: "Files could not be compared (e.g. unreadable).",
        429: f"Rate-limited: {limits_text(short=True)} per key. See Retry-After.",
        503: "Our file store or database is down: nothing charged. Retry after Retry-After "
        "seconds. A comparison written meanwhile is failed and refunded; its job_id is given.",
    }
    return {code: OpenApiResponse(ErrorSerializer, description=meaning[code]) for code in codes}


def _types(*, runs_async: bool) -> str:
    """e.g. "Image, subtitle, text": the media types answered at once (or run as jobs)."""
    return ", ".join(t.name for t in REGISTRY.values() if t.runs_async == runs_async).capitalize()


_DONE = f"{_types(runs_async=False)}: the result (with blob=true, for images: the diff PNG itself)."
_ACCEPTED = f"{_types(runs_async=True)}: poll status_url."


class ApiView(ApiKeyView):
    """X-API-Key (or the website's session), rate limited per key."""

    authentication_classes = [ApiKeyAuthentication, SessionAuthentication]


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser, answering a body nested deeper than Python's recursion limit (`[[[…`
    10,000 deep) as bad input: json.loads raises RecursionError there, which DRF let through
    as a 500."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the body is nested too deeply.") from None


class CompareSchema(AutoSchema):
    """A comparison always needs a body: drf-spectacular marks one required only when some field
    is, and file1 is optional on its own (source_url may replace it)."""

    def _get_request_body(self, direction: str = "request") -> dict[str, Any] | None:
        body: dict[str, Any] | None = super()._get_request_body(direction)  # type: ignore[no-untyped-call]
        if body is not None:
            body["required"] = True
        return body


class CompareView(ApiView):
    parser_classes = [MultiPartParser, FormParser, BoundedJSONParser]
    schema = CompareSchema()

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # The capped handler must be in place before anything reads the body, and DRF's session
        # authentication reads it (the CSRF check reads request.POST) before the view runs:
        # setting it inside post() was too late and answered every session POST with a 500.
        with TemporaryDirectory(prefix="diffall-in-") as tmp:
            self.workdir = Path(tmp)
            request.upload_handlers = [inputs.CappedUploadHandler(self.workdir, request)]
            return super().dispatch(request, *args, **kwargs)

    @extend_schema(
        operation_id="compare",
        summary="Compare two files",
        request={
            "multipart/form-data": CompareRequestSerializer,
            "application/json": CompareJsonRequestSerializer,
        },
        responses={
            (200, "application/json"): OpenApiResponse(ComparisonSerializer, description=_DONE),
            (200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY, description=_DONE),
            202: OpenApiResponse(AcceptedSerializer, description=_ACCEPTED),
            **_errors(400, 401, 402, 409, 413, 422, 429, 503),
        },
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=False,
                description="Optional, 1-255 printable ASCII characters (a UUID). A replay within "
                "24 h returns the first answer (header Idempotent-Replayed: true) with no second "
                "charge; the same key with a different request answers 422 "
                "idempotency_mismatch; a failed request frees its key.",
            )
        ],
    )
    def post(self, request: Request) -> Response | HttpResponse:
        options = _options(request.data, request.query_params)  # before any URL is fetched
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return self._submit(request, options)[0]
        key = idempotency.checked_key(key)
        replay = idempotency.request_claim(
            user=request.user, key=key, fingerprint=_fingerprint(request)
        )
        if replay is not None:
            return _replayed(replay)
        try:
            response, comparison_id = self._submit(request, options)
        except BaseException:
            idempotency.request_release(user=request.user, key=key)
            raise
        body = response.data if isinstance(response, Response) else None
        idempotency.request_complete(
            user=request.user, key=key, status=response.status_code, body=body,
            comparison_id=comparison_id,
        )  # fmt: skip
        return response

    def _submit(
        self, request: Request, options: dict[str, Any]
    ) -> tuple[Response | HttpResponse, uuid.UUID]:
        """The answer, and the job it is about (an Idempotency-Key remembers both)."""
        file_a, file_b = inputs.collect(request.FILES, request.data, self.workdir)
        comparison = services.comparison_submit(
            user=cast(User, request.user), file_a=file_a, file_b=file_b,
            mode=options.get("mode"), threshold=options.get("threshold"),
            ignore_regions=options.get("ignore_regions", ()),
            callback_url=options.get("callback_url") or "",
            # the diff image only when this answer is it; otherwise drawn when first fetched
            diff_image_now=bool(options.get("blob")),
        )  # fmt: skip
        return _answer(comparison, blob=bool(options.get("blob"))), comparison.id


def _fingerprint(request: Request) -> str:
    """What the request asks for: its fields (and query string) and the bytes of its uploads."""
    data = request.data if isinstance(request.data, Mapping) else {"": [request.data]}
    getlist = getattr(data, "getlist", None)
    fields = {
        name: (getlist(name) if getlist else [data[name]])
        for name in data
        if name not in request.FILES
    }
    fields.update({f"?{name}": request.query_params.getlist(name) for name in request.query_params})
    files = {
        f"{name}#{i}": upload.chunks()
        for name in request.FILES
        for i, upload in enumerate(request.FILES.getlist(name))
    }
    return idempotency.fingerprint(fields, files)


def _replayed(replay: idempotency.Replay) -> Response | HttpResponse:
    """The kept answer of the first request with this key (a PNG answer is read again)."""
    if replay.body is None and replay.comparison_id is not None:
        comparison = Comparison.objects.get(id=replay.comparison_id)
        response: Response | HttpResponse = _png(comparison)
    else:
        response = Response(replay.body, status=replay.status)
    response["Idempotent-Replayed"] = "true"
    return response


def _options(data: Any, query: Mapping[str, Any]) -> dict[str, Any]:
    """mode, threshold, blob and ignore_regions from the body; blob also from the query string
    (`?blob=true`, as PixLab takes it)."""
    if not isinstance(data, Mapping):  # a JSON list or number: collect() explains the shape
        data = {}
    names = ("mode", "threshold", "blob", "callback_url", "ignore_regions")
    fields = {k: data[k] for k in names if k in data and data[k] != ""}
    if "blob" not in fields and query.get("blob"):
        fields["blob"] = query["blob"]
    serializer = CompareOptionsSerializer(data=fields)
    if not serializer.is_valid():
        field, problems = next(iter(serializer.errors.items()))
        error = {
            "threshold": InvalidThreshold,
            "mode": InvalidMode,
            "ignore_regions": InvalidIgnoreRegions,
        }.get(field, BadRequest)
        raise error(f"{field}: {' '.join(str(p) for p in problems)}")
    return dict(serializer.validated_data)


def _answer(comparison: Comparison, *, blob: bool) -> Response | HttpResponse:
    if comparison.status == Comparison.Status.ERROR:
        raise ApiError(
            status_for_code(comparison.error_code),
            comparison.error_code,
            comparison.error_detail,
            headers=headers_for_code(comparison.error_code),
            extra={"job_id": str(comparison.id)},
        )
    if not comparison.is_final:
        body = {
            "status": "processing",
            "job_id": str(comparison.id),
            "status_url": ComparisonSerializer().get_status_url(comparison),
        }
        return Response(body, status=202)
    if blob and comparison.diff_file:
        return _png(comparison)
    return Response(ComparisonSerializer(comparison).data)


def _png(comparison: Comparison) -> HttpResponse:
    data = services.comparison_diff_png(comparison=comparison)
    if data is None:
        raise ApiError(
            404, "not_found",
            "This comparison's diff image was not kept and can no longer be drawn from its files.",
        )  # fmt: skip
    response = HttpResponse(data, content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="diff-{comparison.id}.png"'
    return response


def _owned(request: Request, job_id: str) -> Comparison:
    """The job if it exists and is the caller's; 404 for everything else (no leak either way)."""
    try:
        key = uuid.UUID(job_id)
    except ValueError:
        raise ApiError(404, "not_found", "No comparison with this job_id.") from None
    return get_object_or_404(selectors.comparisons_for(user=request.user), id=key)


class CompareDetailView(ApiView):
    @extend_schema(
        operation_id="compare_status",
        summary="Poll a comparison",
        responses={200: ComparisonSerializer, **_errors(401, 404, 429)},
    )
    def get(self, request: Request, job_id: str) -> Response:
        comparison = _owned(request, job_id)
        return Response(ComparisonSerializer(comparison).data)


class CompareDiffView(ApiView):
    @extend_schema(
        operation_id="compare_diff",
        summary="The diff image of a finished comparison",
        description="An image comparison answered through the API draws its diff image on the "
        "first request for it; 503 when the file store is down.",
        responses={
            (200, "image/png"): OpenApiResponse(description="PNG"),
            **_errors(401, 404, 429, 503),
        },
    )
    def get(self, request: Request, job_id: str) -> HttpResponse:
        comparison = _owned(request, job_id)
        if not comparison.diff_file:
            raise ApiError(404, "not_found", "This comparison has no diff image.")
        return _png(comparison)
