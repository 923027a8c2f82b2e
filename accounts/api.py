"""The one API endpoint of the accounts app: `GET /api/v1/me` tells a script whose key it holds."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import ApiKeyRequiredMixin


class MeOutput(serializers.Serializer):
    class KeyOutput(serializers.Serializer):
        name = serializers.CharField()
        hint = serializers.CharField()

    email = serializers.EmailField()
    key = KeyOutput()


class MeApi(ApiKeyRequiredMixin, APIView):
    """Who this key belongs to: lets CI scripts check a key before they rely on it."""

    @extend_schema(responses=MeOutput, summary="Check an API key")
    def get(self, request: Request) -> Response:
        body = {
            "email": request.user.email,
            "key": {"name": request.auth.name, "hint": request.auth.hint},
        }
        return Response(MeOutput(body).data)
