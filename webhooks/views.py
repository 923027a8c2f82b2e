"""The Webhooks page: the account's signing secret for `callback_url`, its endpoints (each secret
shown once, when it is made) and the delivery log."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from webhooks import selectors, services


def _page(request: HttpRequest, **extra: Any) -> HttpResponse:
    context = {
        "endpoints": selectors.endpoints_of(user=request.user),
        "deliveries": selectors.deliveries_of(user=request.user),
        "has_signing_secret": selectors.has_signing_secret(user=request.user),
        "max_endpoints": services.MAX_ENDPOINTS,
        **extra,
    }
    return render(request, "webhooks/webhooks.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def webhooks_page(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request)
    url = request.POST.get("url", "")
    try:
        endpoint = services.endpoint_create(user=request.user, url=url)
    except services.WebhookError as exc:
        return _page(request, url_error=exc.detail.removeprefix("callback_url: "), url=url)
    # The secret goes straight into this no-store response, never into the session or a message.
    return _page(request, new_endpoint=endpoint)


@never_cache
@login_required
@require_POST
def signing_secret_rotate(request: HttpRequest) -> HttpResponse:
    secret = services.signing_secret_rotate(user=request.user)
    return _page(request, new_signing_secret=secret.secret)


@login_required
@require_POST
def endpoint_delete(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    endpoint = selectors.endpoint_of(user=request.user, public_id=public_id)
    if endpoint is None:
        raise Http404("No such endpoint")
    services.endpoint_delete(endpoint=endpoint)
    messages.success(request, f"Webhook endpoint {endpoint.url} deleted: it gets no more events.")
    return redirect("webhooks:webhooks_page")
