"""The one API endpoint of the accounts app: `GET /api/v1/me` tells a script whose key it holds."""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.authentication import ApiKeyView
from accounts.models import ApiKey, User
from diffall.api_errors import ErrorSerializer


class MeOutput(serializers.Serializer[dict[str, Any]]):
    class KeyOutput(serializers.Serializer[dict[str, Any]]):
        name = serializers.CharField()
        hint = serializers.CharField()

    email = serializers.EmailField()
    key = KeyOutput()


class MeApi(ApiKeyView):
    """Who this key belongs to: lets CI scripts check a key before they rely on it."""

    @extend_schema(
        responses={200: MeOutput, 401: ErrorSerializer, 429: ErrorSerializer},
        summary="Check an API key",
    )
    def get(self, request: Request) -> Response:
        user, api_key = cast(User, request.user), cast(ApiKey, request.auth)
        body = {"email": user.email, "key": {"name": api_key.name, "hint": api_key.hint}}
        return Response(MeOutput(body).data)
