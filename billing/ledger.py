"""The ledger's building blocks, shared by billing's services (credits) and payments (Stripe):
lock a wallet, append an entry, mirror an entry in the wallet's cache, start a free day. Private
to the billing app: other apps call billing.services / billing.payments / billing.selectors."""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.conf import settings
from django.db.models import Sum

from billing.models import Kind, LedgerEntry, Pool, Wallet


def utc_day(now: datetime) -> date:
    return now.astimezone(UTC).date()


def wallet_locked(user_id: int) -> Wallet:
    """The user's wallet, locked for this transaction; created on first use (race-free: the
    INSERT … ON CONFLICT DO NOTHING lets concurrent first uses all end up on one row)."""
    wallet = Wallet.objects.select_for_update().filter(user_id=user_id).first()
    if wallet is None:
        Wallet.objects.bulk_create([Wallet(user_id=user_id)], ignore_conflicts=True)
        wallet = Wallet.objects.select_for_update().get(user_id=user_id)
    return wallet


def append(
    wallet: Wallet,
    *,
    kind: Kind,
    pool: Pool,
    amount: int,
    now: datetime,
    reason: str,
    day: date | None = None,
    **refs: object,
) -> LedgerEntry:
    return LedgerEntry.objects.create(
        user_id=wallet.user_id,
        kind=kind,
        pool=pool,
        amount=amount,
        day=day or utc_day(now),
        reason=reason[:500],
        created_at=now,
        **refs,
    )


def free_sum(user_id: int, day: date) -> int:
    entries = LedgerEntry.objects.filter(user_id=user_id, pool=Pool.FREE, day=day)
    return int(entries.aggregate(total=Sum("amount"))["total"] or 0)


def roll_free_day(wallet: Wallet, now: datetime) -> None:
    """Start today's free allowance on the first use of the UTC day (lazily, once: the unique
    constraint on (user, day) of daily grants makes a second grant impossible)."""
    today = utc_day(now)
    if wallet.free_day == today:
        return
    granted = LedgerEntry.objects.filter(user_id=wallet.user_id, kind=Kind.DAILY_GRANT, day=today)
    if settings.FREE_CREDITS_PER_DAY > 0 and not granted.exists():
        n = settings.FREE_CREDITS_PER_DAY
        append(
            wallet,
            kind=Kind.DAILY_GRANT,
            pool=Pool.FREE,
            amount=n,
            now=now,
            reason=f"{n} free comparisons for {today:%Y-%m-%d} (UTC)",
        )
    wallet.free_day = today
    wallet.free_left = free_sum(wallet.user_id, today)


def cache_add(wallet: Wallet, *, pool: Pool, amount: int, day: date | None = None) -> None:
    """Mirror a ledger entry in the wallet's cached balances."""
    if pool == Pool.PAID:
        wallet.paid += amount
    elif pool == Pool.FREE and wallet.free_day == day:
        wallet.free_left += amount
    else:
        return  # a free entry of a day the wallet no longer caches, or nothing moved
    wallet.save(update_fields=["free_left", "paid", "updated_at"])
