"""`X-API-Key` authentication for the API (the website uses the session).

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [IsAuthenticated]

`request.user` is the key's owner and `request.auth` the `ApiKey` (rate limits key on
`request.auth.pk`). A missing header returns None, so DRF's permission check raises
NotAuthenticated; every bad key raises AuthenticationFailed. Both render as 401
{"status": "error", "error": "invalid_api_key", ...} through diffall.api_errors.
"""

from __future__ import annotations

from typing import NoReturn

from django.conf import settings
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.views import APIView

from accounts import keys, selectors, services
from accounts.models import ApiKey, User
from diffall.ratelimits import WithinRateLimits

HEADER = "X-API-Key"
MISSING_KEY_DETAIL = (
    "Send your API key in the X-API-Key header. Create one in the API Keys panel on the home page."
)
_MALFORMED = (
    "The X-API-Key header does not hold a valid DiffALL key (dk_live_…): "
    "it may be mistyped or cut short. Copy it again whole."
)
_UNKNOWN = "This API key does not exist. Check it, or create a new one in the API Keys panel."
_REVOKED = "This API key was revoked. Create a new one in the API Keys panel."
_INACTIVE = "The account this API key belongs to is disabled."


def _fail(detail: str) -> exceptions.AuthenticationFailed:
    return exceptions.AuthenticationFailed(detail=detail, code="invalid_api_key")


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[User, ApiKey] | None:
        header = request.META.get("HTTP_X_API_KEY")
        if header is None:
            return None
        parsed = keys.parse(header.strip())
        if parsed is None:
            raise _fail(_MALFORMED)  # no database query for a typo or a truncated key
        api_key = selectors.api_key_by_lookup(lookup=parsed.lookup)
        if api_key is None or not keys.hash_matches(
            parsed.raw, settings.API_KEY_PEPPER, api_key.key_hash
        ):
            raise _fail(_UNKNOWN)
        if not api_key.is_active:
            raise _fail(_REVOKED)
        if not api_key.user.is_active:
            raise _fail(_INACTIVE)
        services.api_key_mark_used(api_key=api_key)
        return api_key.user, api_key

    def authenticate_header(self, request: Request) -> str:
        # Any value makes DRF answer 401 (not 403) and tells the client which header to send.
        return HEADER


class ApiKeyView(APIView):
    """A base for API views: X-API-Key authentication, required, a missing key explained."""

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [IsAuthenticated, WithinRateLimits]

    def permission_denied(
        self, request: Request, message: str | None = None, code: str | None = None
    ) -> NoReturn:
        if request.authenticators and not request.successful_authenticator:
            raise exceptions.NotAuthenticated(detail=MISSING_KEY_DETAIL, code="invalid_api_key")
        super().permission_denied(request, message=message, code=code)
