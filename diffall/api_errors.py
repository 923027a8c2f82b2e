"""One error shape for the whole API:
    {"status": "error", "error": "<code>", "detail": "<what is wrong and what to do>"}

Services, storage, detection and fetching raise domain errors (diffall/errors.py, one class per
reason); `STATUS` below is the one table that gives each its HTTP status, and the error's own
`code` and `detail` fill the body. Views raise `ApiError` for what only HTTP knows (404 for a job
that is not yours), DRF raises its own exceptions; `exception_handler` renders them all in that
shape. `RateLimited` (diffall.ratelimits) becomes 429 with Retry-After.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404, UnreadablePostError
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from billing.services import NoCredits
from comparisons import errors, idempotency
from diffall.errors import DomainError
from diffall.ratelimits import RateLimited, limits_text
from webhooks import services as webhooks


class HttpStatus(NamedTuple):
    status: int
    retry_after_s: int | None = None  # sent as Retry-After: when trying again should help


# Domain error -> its status in the API. Looked up along the class's bases, nearest first, so a
# subclass listed here wins over its base. A domain error missing here is a bug: it answers 500.
STATUS: dict[type[DomainError], HttpStatus] = {
    errors.BadRequest: HttpStatus(400),
    errors.MissingFile: HttpStatus(400),
    errors.DuplicateField: HttpStatus(400),
    errors.ConflictingInputs: HttpStatus(400),
    errors.InvalidMode: HttpStatus(400),
    errors.InvalidThreshold: HttpStatus(400),
    errors.InvalidIgnoreRegions: HttpStatus(400),
    errors.UnsupportedType: HttpStatus(400),
    errors.MismatchedTypes: HttpStatus(400),
    errors.TooLong: HttpStatus(400),
    errors.TooLargeResolution: HttpStatus(400),
    errors.UrlNotAllowed: HttpStatus(400),
    idempotency.InvalidIdempotencyKey: HttpStatus(400),
    webhooks.CallbackRefused: HttpStatus(400),
    webhooks.NoSigningSecret: HttpStatus(400),
    NoCredits: HttpStatus(402),
    idempotency.IdempotencyInProgress: HttpStatus(409),
    errors.FileTooLarge: HttpStatus(413),
    errors.UrlTooLarge: HttpStatus(413),
    errors.Unreadable: HttpStatus(422),
    errors.UrlFetchFailed: HttpStatus(422),
    idempotency.IdempotencyMismatch: HttpStatus(422),
    errors.ComparisonError: HttpStatus(422),  # a comparison that failed: comparison_failed, ...
    errors.StorageUnavailable: HttpStatus(503, retry_after_s=30),
}
_ROW_BY_CODE = {cls.code: row for cls, row in STATUS.items()}


def status_of(exc: DomainError) -> HttpStatus | None:
    return next((STATUS[cls] for cls in type(exc).__mro__ if cls in STATUS), None)


def status_for_code(code: str) -> int:
    """The status of a job that failed with `code` (a failure is stored as its code): the
    status its error class has above, else that of a failed comparison."""
    return _ROW_BY_CODE.get(code, STATUS[errors.ComparisonError]).status


def headers_for_code(code: str) -> dict[str, str]:
    """The headers a job that failed with `code` is answered with: Retry-After when trying again
    should help (the file store was down), as the error itself is answered when no job exists."""
    row = _ROW_BY_CODE.get(code, STATUS[errors.ComparisonError])
    return {"Retry-After": str(row.retry_after_s)} if row.retry_after_s else {}


class ApiError(Exception):
    """An error the API answers with its own status, code and a detail written for the user."""

    def __init__(
        self,
        status_code: int,
        code: str,
        detail: str,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ):
        super().__init__(detail)
        self.status_code = status_code
        self.code = code
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra or {}  # e.g. the job_id of a comparison that failed


class ErrorSerializer(serializers.Serializer[dict[str, Any]]):
    status = serializers.CharField(default="error")
    error = serializers.CharField(help_text="A stable code, e.g. mismatched_types, no_credits.")
    detail = serializers.CharField(help_text="What is wrong and what to do about it.")
    job_id = serializers.UUIDField(
        required=False,
        help_text="The comparison that failed, when one was written (its credit is refunded).",
    )


def error_response(
    status_code: int,
    code: str,
    detail: str,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    body = {"status": "error", "error": code, "detail": detail, **(extra or {})}
    return Response(body, status=status_code, headers=headers)


# DRF exception -> (our error code, detail when DRF's own is too terse for a user)
_DRF_CODES: dict[type[exceptions.APIException], str] = {
    exceptions.NotAuthenticated: "invalid_api_key",
    exceptions.AuthenticationFailed: "invalid_api_key",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.ParseError: "bad_request",
    exceptions.ValidationError: "bad_request",
    exceptions.Throttled: "rate_limited",
    exceptions.PermissionDenied: "forbidden",
}


def _detail_text(detail: Any) -> str:
    if isinstance(detail, dict):
        return "; ".join(f"{field}: {_detail_text(value)}" for field, value in detail.items())
    if isinstance(detail, list):
        return " ".join(_detail_text(item) for item in detail)
    return str(detail)


def _request_error(exc: Exception) -> ApiError | None:
    """Django's own refusals of a request body (its limits, a body cut short), which it would
    otherwise answer as a bare HTML 400 or a 500 outside our error shape."""
    if isinstance(exc, RequestDataTooBig):
        return ApiError(
            413, "request_too_large",
            "The form fields or JSON body are larger than the limit. Send the files as file "
            "uploads (file1, file2), not as text fields.",
        )  # fmt: skip
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        return ApiError(
            400, "bad_request",
            "The request has too many fields or files. Send file1 and file2 (or source_url "
            "and target_url), and optionally mode, threshold and blob.",
        )  # fmt: skip
    if isinstance(exc, UnreadablePostError):
        return ApiError(
            400, "bad_request",
            "The request body could not be read in full (the connection broke off, or "
            "Content-Length did not match the body). Send the request again.",
        )  # fmt: skip
    if isinstance(exc, SuspiciousOperation):
        return ApiError(400, "bad_request", "The request is malformed and was refused.")
    return None


def _with_buy_link(detail: str, request: Any) -> str:
    """402's detail ends with where to buy: on SITE_URL, or on the host the client called."""
    if request is None:
        return detail
    from django.urls import reverse

    from diffall.links import site_url

    return f"{detail} Buy credits at {site_url(request)}{reverse('billing:pricing')}"


def _domain_error(exc: DomainError, request: Any = None) -> Response | None:
    row = status_of(exc)
    if row is None:
        return None
    headers = {"Retry-After": str(row.retry_after_s)} if row.retry_after_s else None
    detail = _with_buy_link(exc.detail, request) if isinstance(exc, NoCredits) else exc.detail
    return error_response(row.status, exc.code, detail, headers)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    exc = _request_error(exc) or exc
    if isinstance(exc, DomainError):
        return _domain_error(exc, context.get("request"))
    if isinstance(exc, ApiError):
        return error_response(exc.status_code, exc.code, exc.detail, exc.headers, exc.extra)
    if isinstance(exc, RateLimited):
        return error_response(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "rate_limited",
            f"Too many requests: the limit is {limits_text()} per key. "
            "Wait for the number of seconds in Retry-After and try again.",
            {"Retry-After": str(exc.retry_after)},
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    code = next((c for cls, c in _DRF_CODES.items() if isinstance(exc, cls)), "error")
    custom = exc.get_codes()
    if isinstance(custom, str) and custom not in ("invalid", "error", exc.default_code):
        code = custom
    if isinstance(exc, exceptions.UnsupportedMediaType):  # not a code of the contract: bad input
        return error_response(
            status.HTTP_400_BAD_REQUEST, code,
            f"{_detail_text(exc.detail)} Send multipart/form-data (file1, file2) or a JSON "
            "object (source_url, target_url).",
        )  # fmt: skip
    headers = {
        k: v for k, v in response.headers.items() if k in ("WWW-Authenticate", "Retry-After")
    }
    return error_response(response.status_code, code, _detail_text(exc.detail), headers)
