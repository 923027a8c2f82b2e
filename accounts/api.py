"""The one API endpoint of the accounts app: `GET /api/v1/me` tells a script whose key it holds,
and what that account may spend: its plan and balance (from billing's selectors)."""

from __future__ import annotations

from datetime import UTC
from typing import Any, cast

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.authentication import ApiKeyView
from accounts.models import ApiKey, User
from billing import selectors as billing
from billing.models import Plan
from diffall.api_errors import ErrorSerializer


class MeOutput(serializers.Serializer[dict[str, Any]]):
    class KeyOutput(serializers.Serializer[dict[str, Any]]):
        name = serializers.CharField()
        hint = serializers.CharField()

    email = serializers.EmailField()
    key = KeyOutput()
    plan = serializers.ChoiceField(
        choices=Plan.choices, help_text="The plan in force now: free, or enterprise (unlimited)."
    )
    enterprise_until = serializers.DateField(
        allow_null=True,
        help_text="Last day (UTC) of the Enterprise plan; null on free or with no end date.",
    )
    free_left_today = serializers.IntegerField(
        help_text="Free comparisons left today (UTC); they do not carry over."
    )
    paid_credits = serializers.IntegerField(
        help_text="Paid credits, spent after the free ones; below zero after a refunded payment."
    )


class MeApi(ApiKeyView):
    """Who this key belongs to: lets CI scripts check a key before they rely on it."""

    @extend_schema(
        responses={200: MeOutput, 401: ErrorSerializer, 429: ErrorSerializer},
        summary="Check an API key",
    )
    def get(self, request: Request) -> Response:
        user, api_key = cast(User, request.user), cast(ApiKey, request.auth)
        balance = billing.balance_for(user=user)
        until = balance.enterprise_until if balance.unlimited else None
        body = {
            "email": user.email,
            "key": {"name": api_key.name, "hint": api_key.hint},
            "plan": balance.plan,
            "enterprise_until": until.astimezone(UTC).date() if until else None,
            "free_left_today": balance.free_left_today,
            "paid_credits": balance.paid,
        }
        return Response(MeOutput(body).data)
