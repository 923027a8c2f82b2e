"""The sales actions on a customer's page. Each one checks its own permission (403 without it),
goes through billing's or accounts' services, is written to the customer's history in the words
of its message, and comes back to the page with a message saying exactly what changed.

* Enterprise until a date (or no end date)          POST <id>/enterprise/
* Grant or remove paid credits, with a reason       POST <id>/credits/
* Back to the free plan — after a confirmation      GET (confirm) / POST <id>/free/
* Revoke an API key — after a confirmation          GET (confirm) / POST <id>/keys/<uuid>/revoke/
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from accounts import services as accounts
from accounts.models import ApiKey, User
from accounts.selectors import api_key_of
from billing import selectors, services
from billing.console import audit
from billing.console.forms import CreditsForm, EnterpriseForm
from billing.console.roles import ADJUST_CREDITS, REVOKE_API_KEY, SET_PLAN
from billing.models import CustomerAccount

if TYPE_CHECKING:
    from billing.console.customers import CustomerAdmin

View = Callable[..., HttpResponse]


def urls(admin: CustomerAdmin) -> list[URLPattern]:
    def bind(view: View) -> View:
        return admin.admin_site.admin_view(partial(view, admin))

    return [
        path("<path:object_id>/enterprise/", bind(enterprise), name="billing_customer_enterprise"),
        path("<path:object_id>/credits/", bind(credits), name="billing_customer_credits"),
        path("<path:object_id>/free/", bind(back_to_free), name="billing_customer_free"),
        path(
            "<path:object_id>/keys/<uuid:key_id>/revoke/",
            bind(revoke_key),
            name="billing_customer_revoke_key",
        ),
    ]


def page_of(customer: CustomerAccount) -> str:
    return reverse("admin:billing_customeraccount_change", args=[customer.pk])


def _customer(
    admin: CustomerAdmin, request: HttpRequest, object_id: str, permission: str
) -> CustomerAccount:
    """The customer an action is for: 403 without the action's permission, 404 for staff or
    anyone unknown."""
    if not request.user.has_perm(permission):
        raise PermissionDenied
    return admin.customer_or_404(request, object_id)


def _done(
    request: HttpRequest, customer: CustomerAccount, message: str, history: str
) -> HttpResponse:
    messages.success(request, message)
    audit.record(staff=cast(User, request.user), obj=customer, message=history)
    return redirect(page_of(customer))


def _confirmed(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get("confirm") == "yes"


# --- Enterprise, back to free ---------------------------------------------------------------


def enterprise(admin: CustomerAdmin, request: HttpRequest, object_id: str) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    customer = _customer(admin, request, object_id, SET_PLAN)
    form = EnterpriseForm(request.POST)
    if not form.is_valid():
        return admin.customer_page(request, customer, {"enterprise": form}, status=400)
    before = _plan(customer)
    services.plan_set_enterprise(
        user=customer, until=form.cleaned_data["until"], staff=cast(User, request.user)
    )
    after = _plan(customer)
    return _done(
        request,
        customer,
        f"Put {customer.email} on {after} (was: {before}).",
        f"Plan: {before} → {after}.",
    )


def back_to_free(admin: CustomerAdmin, request: HttpRequest, object_id: str) -> HttpResponse:
    customer = _customer(admin, request, object_id, SET_PLAN)
    balance = selectors.balance_for(user=customer)
    if not balance.unlimited:
        messages.info(request, f"Nothing changed: {customer.email} is already on the free plan.")
        return redirect(page_of(customer))
    before = _plan(customer)
    if not _confirmed(request):
        return _confirm_page(
            admin,
            request,
            customer,
            title=f"Put {customer.email} back on the free plan?",
            lines=[
                f"Their plan now: {before}. It ends at once.",
                f"They keep their {balance.paid} paid credits and get "
                f"{settings.FREE_CREDITS_PER_DAY} free comparisons a day; beyond that, "
                "each comparison needs a paid credit.",
            ],
            button="Yes, back to free",
        )
    services.plan_set_free(user=customer, staff=cast(User, request.user))
    return _done(
        request,
        customer,
        f"Put {customer.email} back on the free plan (was: {before}); "
        f"{balance.paid} paid credits kept.",
        f"Plan: {before} → Free.",
    )


def plan_text(balance: selectors.Balance) -> str:
    """The plan in words, as the console says it everywhere (list, page, messages, history)."""
    until = balance.enterprise_until
    if balance.unlimited:
        return f"Enterprise until {until:%Y-%m-%d}" if until else "Enterprise (no end date)"
    if until is not None:
        return f"Free (Enterprise ended {until:%Y-%m-%d})"
    return "Free"


def _plan(customer: CustomerAccount) -> str:
    return plan_text(selectors.balance_for(user=customer))


# --- credits --------------------------------------------------------------------------------


def credits(admin: CustomerAdmin, request: HttpRequest, object_id: str) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    customer = _customer(admin, request, object_id, ADJUST_CREDITS)
    form = CreditsForm(request.POST)
    if not form.is_valid():
        return admin.customer_page(request, customer, {"credits": form}, status=400)
    reason = form.cleaned_data["reason"]
    try:
        moved = services.credits_grant_admin(
            user=customer,
            amount=form.signed_amount(),
            reason=reason,
            staff=cast(User, request.user),
        )
    except services.CreditsNotCovered as refused:
        form.add_error("amount", refused.detail)
        return admin.customer_page(request, customer, {"credits": form}, status=400)
    n = abs(moved.entry.amount)
    change = f"balance {moved.before} → {moved.after}"
    if moved.entry.amount > 0:
        message, history = f"Granted {n} credits to {customer.email}", f"Granted {n} credits"
    else:
        message, history = f"Removed {n} credits from {customer.email}", f"Removed {n} credits"
    return _done(
        request, customer, f"{message}: {change}.", f"{history}: {change}. Reason: {reason}"
    )


# --- API keys -------------------------------------------------------------------------------


def revoke_key(
    admin: CustomerAdmin, request: HttpRequest, object_id: str, key_id: uuid.UUID
) -> HttpResponse:
    customer = _customer(admin, request, object_id, REVOKE_API_KEY)
    key = api_key_of(user=customer, public_id=key_id)
    if key is None:
        raise Http404("No such key for this customer")
    label = f"“{key.name}” ({key.hint})"
    if not key.is_active:
        messages.info(request, f"The key {label} was already revoked on {key.revoked_at:%Y-%m-%d}.")
        return redirect(page_of(customer))
    if not _confirmed(request):
        return _confirm_page(
            admin,
            request,
            customer,
            title=f"Revoke the key {label} of {customer.email}?",
            lines=[
                _key_facts(key),
                "Every request with it is refused (401) at once. This cannot be undone: the "
                "customer makes a new key in their API Keys panel.",
            ],
            button="Yes, revoke this key",
        )
    accounts.api_key_revoke(api_key=key, by=cast(User, request.user))
    return _done(
        request,
        customer,
        f"Revoked the key {label} of {customer.email}: requests with it now get 401.",
        f"Revoked the API key {label}.",
    )


def _key_facts(key: ApiKey) -> str:
    used = f"last used {key.last_used_at:%Y-%m-%d %H:%M} UTC" if key.last_used_at else "never used"
    return f"Created {key.created_at:%Y-%m-%d}, {used}."


# --- the confirmation page -----------------------------------------------------------------


def _confirm_page(
    admin: CustomerAdmin,
    request: HttpRequest,
    customer: CustomerAccount,
    *,
    title: str,
    lines: list[str],
    button: str,
) -> TemplateResponse:
    context: dict[str, Any] = {
        **admin.admin_site.each_context(request),
        "title": title,
        "opts": admin.model._meta,
        "customer": customer,
        "lines": lines,
        "button": button,
        "cancel_url": page_of(customer),
    }
    return TemplateResponse(request, "billing/console/confirm.html", context)
