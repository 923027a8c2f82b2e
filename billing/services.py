"""Writes of the billing app. Other apps call these, never the models directly.

Every write locks the user's wallet row first (SELECT … FOR UPDATE), then reads what it needs,
appends ledger entries and updates the cached balances — so writes for one user are serialised
and the cache always equals the ledger. The unique constraints on the ledger are the backstop.

Reservation lifecycle, per comparison: reserve → settle (success) or reserve → refund (failure).
* settle twice, refund twice, settle after refund: no-ops.
* refund after settle: refused with `AlreadySettled` — a succeeded comparison was delivered, so
  giving its credit back is a staff decision (`credits_grant_admin` with a reason), not a retry.
* refunding a free credit gives it back to the UTC day it was spent on. If that day is over, the
  user already has a fresh allowance; the refund is still booked (on the old day, so the books
  show it) but does not add to today's allowance. Turning it into a paid credit instead would let
  failing jobs started just before midnight mint never-expiring credits.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import User
from billing.ledger import append, cache_add, free_sum, roll_free_day, wallet_locked
from billing.models import (
    RESERVATION_KINDS,
    EnterpriseInquiry,
    InquiryStatus,
    Kind,
    LedgerEntry,
    Plan,
    Pool,
    Wallet,
)
from diffall.errors import DomainError

log = logging.getLogger(__name__)


class BillingError(DomainError):
    """A billing refusal with a `detail` written for the user."""

    code = "billing_error"


class NoCredits(BillingError):
    """No free credit left today and no paid credit (the API answers 402)."""

    code = "no_credits"


class ReservationNotFound(BillingError):
    """settle/refund for a comparison that never reserved a credit."""


class AlreadySettled(BillingError):
    """refund for a comparison whose credit was already settled."""


class CreditsNotCovered(BillingError):
    """A staff removal of more paid credits than the balance holds: balances set by hand never go
    below zero (only a payment reversal can leave a debt)."""


@dataclass(frozen=True)
class CreditAdjustment:
    """A staff grant or removal and the paid balance it moved from and to."""

    entry: LedgerEntry
    before: int
    after: int


def _no_credits_detail(paid: int) -> str:
    owed = (
        f"your paid balance is {paid} after a refunded or disputed payment"
        if paid < 0
        else "there are no paid credits"
    )
    return (
        f"No credits left: the {settings.FREE_CREDITS_PER_DAY} free comparisons of today are used "
        f"and {owed}. Buy {settings.CREDIT_PACK_SIZE} more for {price_text()}, or wait until "
        "midnight UTC for new free ones."
    )


def price_text() -> str:
    amount = settings.CREDIT_PACK_PRICE_CENTS / 100
    if settings.CREDIT_PACK_CURRENCY.lower() == "usd":
        return f"${amount:g}" if amount == int(amount) else f"${amount:.2f}"
    return f"{amount:.2f} {settings.CREDIT_PACK_CURRENCY.upper()}"


# --- comparisons: reserve / settle / refund ---------------------------------------------------


def credits_reserve(
    *, user: User, comparison_id: uuid.UUID, media_type: str, now: datetime | None = None
) -> None:
    """Take one credit for a comparison: today's free ones first, then paid ones. Enterprise
    accounts take none but the use is recorded. Raises NoCredits when there is nothing to take.
    Reserving again for the same comparison is a no-op."""
    now = now or timezone.now()
    with transaction.atomic():
        wallet = wallet_locked(user.pk)
        existing = LedgerEntry.objects.filter(
            comparison_id=comparison_id, kind__in=RESERVATION_KINDS
        ).first()
        if existing is not None:
            if existing.user_id != user.pk:  # never let one account ride on another's charge
                raise ValueError(f"Comparison {comparison_id} was reserved by another account")
            return
        if wallet.enterprise_active(now):
            kind, pool, amount = Kind.ENTERPRISE_USAGE, Pool.NONE, 0
        else:
            roll_free_day(wallet, now)
            kind, pool, amount = Kind.SPEND, _pool_to_spend(wallet), -1
        append(wallet, kind=kind, pool=pool, amount=amount, now=now,
               reason=f"Comparison {comparison_id} ({media_type})",
               comparison_id=comparison_id, media_type=media_type)  # fmt: skip
        wallet.save(update_fields=["free_day", "free_left", "paid", "updated_at"])


def _pool_to_spend(wallet: Wallet) -> Pool:
    """Decrement the wallet's cache for one credit and say which pool it came from."""
    if wallet.free_left > 0:
        wallet.free_left -= 1
        return Pool.FREE
    if wallet.paid > 0:
        wallet.paid -= 1
        return Pool.PAID
    raise NoCredits(_no_credits_detail(wallet.paid))


def _reservation(comparison_id: uuid.UUID) -> LedgerEntry:
    entry = LedgerEntry.objects.filter(comparison_id=comparison_id, kind__in=RESERVATION_KINDS)
    found = entry.first()
    if found is None:
        raise ReservationNotFound(f"No credit was reserved for comparison {comparison_id}.")
    return found


def _closing_kind(comparison_id: uuid.UUID) -> str | None:
    closing = LedgerEntry.objects.filter(
        comparison_id=comparison_id, kind__in=(Kind.SETTLE, Kind.REFUND)
    )
    return closing.values_list("kind", flat=True).first()


def credits_settle(*, comparison_id: uuid.UUID, now: datetime | None = None) -> None:
    """The comparison succeeded: its credit is spent for good. Idempotent; no-op after a refund."""
    now = now or timezone.now()
    with transaction.atomic():
        spend = _reservation(comparison_id)
        wallet = wallet_locked(spend.user_id)
        if _closing_kind(comparison_id) is not None:
            return
        append(
            wallet,
            kind=Kind.SETTLE,
            pool=Pool.NONE,
            amount=0,
            now=now,
            reason=f"Comparison {comparison_id} succeeded",
            comparison_id=comparison_id,
            media_type=spend.media_type,
        )


def credits_refund(*, comparison_id: uuid.UUID, now: datetime | None = None) -> None:
    """The comparison failed: give its credit back (to the pool it came from). Idempotent.
    Raises AlreadySettled if the comparison had succeeded."""
    now = now or timezone.now()
    with transaction.atomic():
        spend = _reservation(comparison_id)
        wallet = wallet_locked(spend.user_id)
        closing = _closing_kind(comparison_id)
        if closing == Kind.REFUND:
            return
        if closing == Kind.SETTLE:
            raise AlreadySettled(
                f"Comparison {comparison_id} succeeded and its credit was settled; "
                "only staff can give it back (credits_grant_admin, with a reason)."
            )
        amount = -spend.amount  # 0 for enterprise usage, +1 otherwise
        append(
            wallet,
            kind=Kind.REFUND,
            pool=Pool(spend.pool),
            amount=amount,
            now=now,
            day=spend.day,
            reason=f"Comparison {comparison_id} failed: credit refunded",
            comparison_id=comparison_id,
            media_type=spend.media_type,
        )
        cache_add(wallet, pool=Pool(spend.pool), amount=amount, day=spend.day)


# --- staff: grants and plans ------------------------------------------------------------------


def credits_grant_admin(
    *,
    user: User,
    amount: int,
    reason: str,
    staff: User | None = None,
    now: datetime | None = None,
) -> CreditAdjustment:
    """Add (amount > 0) or remove (amount < 0) paid credits by hand. A reason is required; the
    entry names the staff member (None = a management command). A removal the paid balance does
    not cover is refused with CreditsNotCovered (and by a database trigger on PostgreSQL)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("A reason is required to grant or remove credits")
    if not isinstance(amount, int) or isinstance(amount, bool) or amount == 0:
        raise ValueError("The amount must be a whole number other than 0")
    now = now or timezone.now()
    with transaction.atomic():
        wallet = wallet_locked(user.pk)
        before = wallet.paid
        if amount < 0 and before + amount < 0:
            raise CreditsNotCovered(_not_covered_detail(user, -amount, before))
        entry = append(
            wallet,
            kind=Kind.ADMIN_ADJUSTMENT,
            pool=Pool.PAID,
            amount=amount,
            now=now,
            reason=reason,
            staff=staff,
        )
        cache_add(wallet, pool=Pool.PAID, amount=amount)
    return CreditAdjustment(entry=entry, before=before, after=wallet.paid)


def _not_covered_detail(user: User, removing: int, balance: int) -> str:
    most = f"Remove at most {balance}." if balance > 0 else "There are no paid credits to remove."
    return (
        f"Cannot remove {removing} credits from {user.email}: the paid balance is {balance}. {most}"
    )


def plan_set_enterprise(
    *,
    user: User,
    until: datetime | None = None,
    staff: User | None = None,
    now: datetime | None = None,
) -> None:
    """Unlimited comparisons until `until` (None = no end date). Recorded in the ledger."""
    now = now or timezone.now()
    if until is not None and until <= now:
        raise ValueError("The Enterprise end date must be in the future")
    ends = f"until {until:%Y-%m-%d %H:%M} UTC" if until else "with no end date"
    _plan_set(
        user=user,
        plan=Plan.ENTERPRISE,
        until=until,
        staff=staff,
        now=now,
        reason=f"Enterprise plan {ends}",
    )


def plan_set_free(*, user: User, staff: User | None = None, now: datetime | None = None) -> None:
    """Back on the free plan (10 a day plus any paid credits left)."""
    _plan_set(
        user=user,
        plan=Plan.FREE,
        until=None,
        staff=staff,
        now=now or timezone.now(),
        reason="Back on the free plan",
    )


def _plan_set(
    *,
    user: User,
    plan: Plan,
    until: datetime | None,
    staff: User | None,
    now: datetime,
    reason: str,
) -> None:
    if staff is not None:
        reason = f"{reason} (by {staff.email})"
    with transaction.atomic():
        wallet = wallet_locked(user.pk)
        wallet.plan = plan
        wallet.enterprise_until = until
        wallet.save(update_fields=["plan", "enterprise_until", "updated_at"])
        append(
            wallet,
            kind=Kind.PLAN_CHANGE,
            pool=Pool.NONE,
            amount=0,
            now=now,
            reason=reason,
            staff=staff,
        )


def wallet_rebuild(*, user_id: int) -> Wallet:
    """Recompute the wallet's cached balances from the ledger (after a detected mismatch)."""
    with transaction.atomic():
        wallet = wallet_locked(user_id)
        paid = LedgerEntry.objects.filter(user_id=user_id, pool=Pool.PAID)
        wallet.paid = int(paid.aggregate(total=Sum("amount"))["total"] or 0)
        wallet.free_left = free_sum(user_id, wallet.free_day) if wallet.free_day else 0
        wallet.save(update_fields=["free_left", "paid", "updated_at"])
    return wallet


# --- sales ------------------------------------------------------------------------------------


def enterprise_inquiry_create(
    *,
    name: str,
    email: str,
    message: str,
    company: str = "",
    monthly_volume: int | None = None,
    user: User | None = None,
) -> EnterpriseInquiry:
    """A "Contact sales" request; sales see it in the console (Enterprise inquiries)."""
    inquiry = EnterpriseInquiry.objects.create(
        user=user,
        name=name,
        email=email,
        company=company,
        monthly_volume=monthly_volume,
        message=message,
    )
    log.info("Enterprise inquiry %s from %s", inquiry.public_id, email)
    return inquiry


def enterprise_inquiry_close(*, inquiry: EnterpriseInquiry) -> None:
    """Closed, not deleted: what a prospect asked for stays on record."""
    inquiry.status = InquiryStatus.CLOSED
    inquiry.save(update_fields=["status"])
