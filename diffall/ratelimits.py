"""Per-key API rate limits (settings.API_RATE_LIMITS, the one place they are set) on the shared
cache, and the words the API uses for them.

django-ratelimit counts with atomic increments in fixed wall-clock windows. It is applied as a DRF
permission so it runs after authentication and can key on the API key (or, for the website, on
the signed-in user). A limited request raises `Ratelimited` with `retry_after`, which
diffall.api_errors renders as 429 with a Retry-After header.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.conf import settings
from django_ratelimit import ALL
from django_ratelimit.core import get_usage
from django_ratelimit.exceptions import Ratelimited
from rest_framework.permissions import BasePermission

log = logging.getLogger(__name__)

_UNITS = {"s": "second", "m": "minute", "h": "hour", "d": "day"}


def _in_words(rate: str, *, short: bool) -> str:
    """ "3/s" -> "3 per second" (short: "3/second"); "10/5m" -> "10 per 5 minutes"."""
    count, _, period = rate.partition("/")
    found = re.fullmatch(r"(\d*)([smhd])", period)
    if found is None:
        return rate
    many, unit = found[1], _UNITS[found[2]]
    per = f"{many} {unit}s" if many and many != "1" else unit
    return f"{count}/{per}" if short else f"{count} per {per}"


def limits_text(*, short: bool = False) -> str:
    """The limits in words: "3 per second and 60 per minute" ("3/second and 60/minute")."""
    return " and ".join(_in_words(rate, short=short) for rate in settings.API_RATE_LIMITS)


def _client_key(request: Any) -> str:
    api_key = getattr(request, "auth", None)
    if api_key is not None and hasattr(api_key, "pk"):
        return f"key:{api_key.pk}"
    return f"user:{request.user.pk}"


class WithinRateLimits(BasePermission):
    message = "Too many requests."

    def has_permission(self, request: Any, view: Any) -> bool:
        if not settings.RATELIMIT_ENABLE:
            return True
        client = _client_key(request)
        for rate in settings.API_RATE_LIMITS:
            try:
                usage = get_usage(
                    request, group="api", key=lambda _g, _r: client, rate=rate,
                    method=ALL, increment=True,
                )  # fmt: skip
            except Exception:  # the cache is down: serve (credits still apply) rather than fail
                log.warning("rate-limit cache unavailable; failing open", exc_info=True)
                return True
            if usage and usage["should_limit"]:
                exc = Ratelimited()
                exc.retry_after = max(1, int(usage["time_left"]))
                raise exc
        return True
