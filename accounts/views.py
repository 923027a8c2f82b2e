"""The account page, and the API Keys panel on it: create a key (shown once), revoke one. Plain
forms with CSRF; the copy button and the confirm dialog are progressive JavaScript."""

from __future__ import annotations

import uuid
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts import selectors, services
from accounts.forms import ApiKeyCreateForm
from accounts.models import ApiKey, User

PANEL = "/account#api-keys"


@never_cache
@login_required
@require_http_methods(["GET"])
def account(request: HttpRequest) -> HttpResponse:
    """Profile, plan, credits, purchases and API keys: each panel is its own app's template."""
    return render(request, "accounts/account.html")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def key_create(request: HttpRequest) -> HttpResponse:
    form = ApiKeyCreateForm(request.POST if request.method == "POST" else None)
    if not form.is_valid():
        return render(request, "accounts/key_new.html", {"form": form})
    user = cast(User, request.user)  # login_required
    api_key, raw = services.api_key_create(user=user, name=form.cleaned_data["name"])
    # Rendered straight into this response (never_cache: no-store), not redirected through the
    # session or a message, which would write the raw key to the session table or a cookie.
    context = {
        "api_key": api_key,
        "raw_key": raw,
        "me_url": request.build_absolute_uri(reverse("api:me")),
    }
    return render(request, "accounts/key_created.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def key_revoke(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    api_key = _own_key(request, public_id)
    if not api_key.is_active:  # a second click, or a second tab
        messages.info(request, f"Key “{api_key.name}” was already revoked.")
        return redirect(PANEL)
    # Without JavaScript (or from a GET) the user sees a confirmation page first; the panel's
    # confirm() dialog sets confirm=yes when the user has already agreed.
    if request.method != "POST" or request.POST.get("confirm") != "yes":
        return render(request, "accounts/key_revoke.html", {"api_key": api_key})
    services.api_key_revoke(api_key=api_key, by=cast(User, request.user))
    messages.success(
        request, f"Key “{api_key.name}” revoked: requests with it are refused from now on."
    )
    return redirect(PANEL)


def _own_key(request: HttpRequest, public_id: uuid.UUID) -> ApiKey:
    api_key = selectors.api_key_of(user=cast(User, request.user), public_id=public_id)
    if api_key is None:
        raise Http404("No such key")
    return api_key
