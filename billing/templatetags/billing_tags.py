"""`{% billing_balance as balance %}`: the signed-in user's balance for the balance partial, which
pages of other apps include without having to pass billing data in their context."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

from billing import selectors
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
    """What the buy button sells, from settings."""
    return {
        "size": settings.CREDIT_PACK_SIZE,
        "price": price_text(),
        "free_per_day": settings.FREE_CREDITS_PER_DAY,
    }


@register.filter
def money(cents: int, currency: str = "usd") -> str:
    """500, "usd" → "$5.00"; other currencies as "5.00 EUR"."""
    amount = f"{int(cents) / 100:.2f}"
    return f"${amount}" if currency.lower() == "usd" else f"{amount} {currency.upper()}"
