"""Absolute links to this site, for places a relative URL cannot go: Stripe's return URLs, the
API's hint on where to buy credits."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def site_url(request: HttpRequest) -> str:
    """SITE_URL when the operator set one; otherwise the scheme and host this request came to,
    so a site reached at another port or name links back to itself."""
    if settings.SITE_URL:
        return str(settings.SITE_URL)
    return request.build_absolute_uri("/").rstrip("/")
