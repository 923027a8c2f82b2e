"""The website's billing pages: the public Pricing page, buy a credit pack (Stripe Checkout),
come back from it, the credit activity, and the "Contact sales" form."""

from __future__ import annotations

import logging
import re
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from accounts.models import User
from billing import payments, selectors, services, stripe_client
from billing.forms import ContactSalesForm
from diffall.links import site_url

log = logging.getLogger(__name__)
ACCOUNT = "/account"  # its messages show at the top, so no #fragment
SESSION_ID = re.compile(r"^cs_[A-Za-z0-9_]{1,250}$")


@login_required
@require_POST
def checkout(request: HttpRequest) -> HttpResponse:
    """Start a Stripe Checkout Session for one pack and send the user to Stripe's payment page."""
    user = cast(User, request.user)  # login_required
    try:
        url = payments.checkout_start(user=user, site_url=site_url(request))
    except stripe_client.PaymentsNotConfigured:  # the operator is told in the log
        messages.error(request, "Purchases are unavailable right now; nothing was charged.")
        return redirect(ACCOUNT)
    except stripe_client.PaymentProviderError as exc:
        log.warning("Checkout could not start for user %s: %s", request.user.pk, exc.detail)
        messages.error(
            request,
            "The payment page could not be opened just now; nothing was charged. "
            "Please try again in a few minutes.",
        )
        return redirect(ACCOUNT)
    return HttpResponseRedirect(url, status=303)  # 303: the browser GETs Stripe's page


@never_cache
@login_required
@require_GET
def checkout_success(request: HttpRequest) -> HttpResponse:
    """Back from Stripe. Fulfil at once (re-fetching the session from Stripe) so the credits show
    without waiting for the webhook; both paths credit a session only once."""
    session_id = request.GET.get("session_id", "")
    if not SESSION_ID.match(session_id):
        messages.error(request, "That payment link is not valid.")
        return redirect(ACCOUNT)
    try:
        purchase = payments.purchase_sync(session_id=session_id)
    except stripe_client.PaymentProviderError:
        messages.info(
            request, "Payment received — your credits appear as soon as Stripe confirms it."
        )
        return redirect(ACCOUNT)
    if purchase is not None and purchase.user_id == request.user.pk:
        messages.success(
            request, f"Thank you! {purchase.credits} credits were added to your account."
        )
    else:
        messages.info(
            request, "Your payment is being processed; the credits appear once it clears."
        )
    return redirect(ACCOUNT)


@require_GET
def checkout_cancel(request: HttpRequest) -> HttpResponse:
    messages.info(request, "Payment cancelled — nothing was charged.")
    return redirect(ACCOUNT)


@require_GET
def pricing(request: HttpRequest) -> HttpResponse:
    """Public: the free allowance, the credit pack and Enterprise, from the same settings the
    ledger charges by."""
    return render(request, "billing/pricing.html")


@never_cache
@login_required
@require_GET
def history(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required
    context = {
        "balance": selectors.balance_for(user=user),
        "purchases": selectors.purchases_for(user=user),
        "entries": selectors.ledger_for(user=user, limit=100),
        "pack_size": settings.CREDIT_PACK_SIZE,
        "price": services.price_text(),
    }
    return render(request, "billing/history.html", context)


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate="5/h", method="POST", block=False)  # type: ignore[untyped-decorator]
def contact_sales(request: HttpRequest) -> HttpResponse:
    """Anyone may write to sales (prospects often have no account yet); signed-in users get their
    email filled in and the inquiry linked to their account."""
    user = request.user if request.user.is_authenticated else None
    initial = {"email": user.email} if user else {}
    form = ContactSalesForm(request.POST or None, initial=initial)
    if request.method == "POST" and getattr(request, "limited", False):
        form.add_error(None, "Too many messages from this address: please try again in an hour.")
    elif request.method == "POST" and form.is_valid():
        services.enterprise_inquiry_create(user=user, **form.cleaned_data)
        messages.success(
            request,
            f"Thank you — sales will write to you at {form.cleaned_data['email']} "
            "within one business day.",
        )
        return redirect("billing:contact_sales")
    return render(request, "billing/contact_sales.html", {"form": form})
