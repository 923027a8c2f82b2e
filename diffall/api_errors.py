"""One error shape for the whole API:
    {"status": "error", "error": "<code>", "detail": "<what is wrong and what to do>"}

Views and services raise `ApiError` (or DRF's own exceptions); `exception_handler` renders them
all in that shape with the right status code. django-ratelimit's `Ratelimited` becomes 429 with
Retry-After (it subclasses PermissionDenied, which DRF would otherwise answer with 403).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404, UnreadablePostError
from django_ratelimit.exceptions import Ratelimited
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from comparisons import idempotency
from webhooks import services as webhooks


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


class ErrorSerializer(serializers.Serializer):
    status = serializers.CharField(default="error")
    error = serializers.CharField(help_text="A stable code, e.g. mismatched_types, no_credits.")
    detail = serializers.CharField(help_text="What is wrong and what to do about it.")


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


# Domain errors -> HTTP status (their `code` and `detail` are the answer's error and detail)
_DOMAIN_STATUSES: dict[type[Exception], int] = {
    idempotency.InvalidIdempotencyKey: 400,
    idempotency.IdempotencyInProgress: 409,
    idempotency.IdempotencyMismatch: 422,
    webhooks.CallbackRefused: 400,
    webhooks.NoSigningSecret: 400,
}


def _domain_error(exc: Exception) -> ApiError | None:
    status_code = next((s for cls, s in _DOMAIN_STATUSES.items() if isinstance(exc, cls)), None)
    if status_code is None:
        return None
    return ApiError(status_code, getattr(exc, "code", "error"), getattr(exc, "detail", str(exc)))


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    exc = _request_error(exc) or _domain_error(exc) or exc
    if isinstance(exc, ApiError):
        return error_response(exc.status_code, exc.code, exc.detail, exc.headers, exc.extra)
    if isinstance(exc, Ratelimited):
        return error_response(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "rate_limited",
            "Too many requests: the limit is 3 per second and 60 per minute per key. "
            "Wait for the number of seconds in Retry-After and try again.",
            {"Retry-After": str(getattr(exc, "retry_after", 1))},
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
