"""`{% billing_balance as balance %}`: the signed-in user's balance for the balance partial, which
pages of other apps include without having to pass billing data in their context."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from django import template
from django.conf import settings
from django.utils import timezone

from billing import selectors, stripe_client
from billing.models import Purchase
from billing.services import price_text

register = template.Library()


@register.simple_tag(takes_context=True)
def billing_balance(context: dict[str, Any]) -> selectors.Balance | None:
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return None
    return selectors.balance_for(user=user)


@register.simple_tag
def billing_pack() -> dict[str, Any]:
    """What the buy button sells, from settings, and whether this server can sell it now."""
    return {
        "size": settings.CREDIT_PACK_SIZE,
        "price": price_text(),
        "free_per_day": settings.FREE_CREDITS_PER_DAY,
        "available": stripe_client.payments_configured(),
    }


@register.simple_tag
def billing_next_free_at() -> datetime:
    """When today's free credits come back: the next midnight UTC."""
    today = timezone.now().astimezone(UTC).date()
    return datetime.combine(today + timedelta(days=1), time.min, tzinfo=UTC)


@register.simple_tag(takes_context=True)
def billing_purchases(context: dict[str, Any], limit: int = 10) -> list[Purchase]:
    """The signed-in user's latest purchases, for the account page's panel."""
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return []
    return list(selectors.purchases_for(user=user)[:limit])


@register.filter
def money(cents: int, currency: str = "usd") -> str:
    """500, "usd" → "$5.00"; other currencies as "5.00 EUR"."""
    amount = f"{int(cents) / 100:.2f}"
    return f"${amount}" if currency.lower() == "usd" else f"{amount} {currency.upper()}"
