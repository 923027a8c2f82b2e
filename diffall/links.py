"""Absolute links to this site, for places a relative URL cannot go: Stripe's return URLs, the
API's hint on where to buy credits."""

from __future__ import annotations

import os

from django.conf import settings
from django.http import HttpRequest


def site_url(request: HttpRequest) -> str:
    """SITE_URL when the operator set one; otherwise the scheme and host this request came to,
    so a site reached at another port or name links back to itself."""
    if settings.SITE_URL:
        return str(settings.SITE_URL)
    return request.build_absolute_uri("/").rstrip("/")


def site_url_offline() -> str:
    """The site's address where no request tells it (a management command's output): SITE_URL,
    else the address `make run` serves on."""
    if settings.SITE_URL:
        return str(settings.SITE_URL)
    return f"http://127.0.0.1:{os.environ.get('PORT') or 8000}"
