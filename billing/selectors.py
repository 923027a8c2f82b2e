"""Reads of the billing app. Other apps call these, never the models directly."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from accounts.models import User
from accounts.selectors import customers, customers_joined_since
from billing.models import (
    OPEN_INQUIRY_STATUSES,
    RESERVATION_KINDS,
    EnterpriseInquiry,
    Kind,
    LedgerEntry,
    Plan,
    Pool,
    Purchase,
    PurchaseStatus,
    Wallet,
)


@dataclass(frozen=True)
class Balance:
    free_left_today: int
    paid: int  # may be negative after a refunded or disputed purchase
    unlimited: bool
    plan: str  # the plan in force now: "free" or "enterprise"
    enterprise_until: datetime | None

    @property
    def exhausted(self) -> bool:
        """Nothing left to spend: the website shows the paywall instead of the comparator."""
        return not self.unlimited and self.free_left_today + max(self.paid, 0) <= 0


def _free_left(wallet: Wallet | None, now: datetime) -> int:
    """Today's free credits: the cached count if the wallet is on today, else a full allowance
    (the grant is written lazily by the first reservation of the day)."""
    today = now.astimezone(UTC).date()
    if wallet is None or wallet.free_day != today:
        return int(settings.FREE_CREDITS_PER_DAY)
    return wallet.free_left


def balance_for(*, user: User, now: datetime | None = None) -> Balance:
    return balance_of(wallet=Wallet.objects.filter(user_id=user.pk).first(), now=now)


def balance_of(*, wallet: Wallet | None, now: datetime | None = None) -> Balance:
    """The balance a wallet row says (None: a user who never had one), for lists that fetched
    the wallets already."""
    now = now or timezone.now()
    unlimited = wallet is not None and wallet.enterprise_active(now)
    return Balance(
        free_left_today=_free_left(wallet, now),
        paid=wallet.paid if wallet else 0,
        unlimited=unlimited,
        plan=Plan.ENTERPRISE.value if unlimited else Plan.FREE.value,
        enterprise_until=wallet.enterprise_until if wallet else None,
    )


def credits_remaining(*, user: User, now: datetime | None = None) -> int | None:
    """How many more comparisons the user can run now; None = unlimited (Enterprise)."""
    balance = balance_for(user=user, now=now)
    if balance.unlimited:
        return None
    return balance.free_left_today + max(balance.paid, 0)


def purchases_for(*, user: User) -> QuerySet[Purchase]:
    return Purchase.objects.filter(user_id=user.pk).order_by("-created_at")


def ledger_for(*, user: User, limit: int = 100) -> list[LedgerEntry]:
    """The user's latest entries that moved credits or changed the plan (zero-amount settlements
    are left out: they say nothing a user needs to read)."""
    entries = LedgerEntry.objects.filter(user_id=user.pk).exclude(kind=Kind.SETTLE)
    return list(entries.select_related("staff").order_by("-created_at", "-id")[:limit])


@dataclass(frozen=True)
class UsageDay:
    day: date
    total: int
    by_type: dict[str, int]


def usage_for(*, user: User, days: int = 30, now: datetime | None = None) -> list[UsageDay]:
    """Comparisons per UTC day and per media type over the last `days` days, newest first, from
    the ledger (reservations that were not refunded; Enterprise use included)."""
    now = now or timezone.now()
    since = now.astimezone(UTC).date() - timedelta(days=days - 1)
    refunded = LedgerEntry.objects.filter(user_id=user.pk, kind=Kind.REFUND, day__gte=since)
    used = (
        LedgerEntry.objects.filter(user_id=user.pk, kind__in=RESERVATION_KINDS, day__gte=since)
        .exclude(comparison_id__in=refunded.values("comparison_id"))
        .values("day", "media_type")
        .annotate(n=Count("id"))
    )
    per_day: dict[date, dict[str, int]] = defaultdict(dict)
    for row in used:
        per_day[row["day"]][row["media_type"] or "unknown"] = row["n"]
    return [
        UsageDay(day=day, total=sum(types.values()), by_type=dict(sorted(types.items())))
        for day, types in sorted(per_day.items(), reverse=True)
    ]


@dataclass(frozen=True)
class WalletMismatch:
    user_id: int
    email: str
    cached_paid: int
    ledger_paid: int
    cached_free: int
    ledger_free: int


def wallet_mismatches() -> list[WalletMismatch]:
    """Every account whose cached balances differ from the ledger's sums (paid: all paid entries;
    free: the free entries of the day the wallet caches). Users with entries but no wallet count
    as a wallet of zeros."""
    paid = dict(
        LedgerEntry.objects.filter(pool=Pool.PAID)
        .values_list("user_id")
        .annotate(total=Sum("amount"))
        .values_list("user_id", "total")
    )
    free = {
        (user_id, day): total
        for user_id, day, total in LedgerEntry.objects.filter(pool=Pool.FREE)
        .values_list("user_id", "day")
        .annotate(total=Sum("amount"))
        .values_list("user_id", "day", "total")
    }
    wallets = {w.user_id: w for w in Wallet.objects.all()}
    user_ids = set(wallets) | set(paid) | {user_id for user_id, _ in free}
    emails = dict(User.objects.filter(pk__in=user_ids).values_list("pk", "email"))
    found = []
    for user_id in sorted(user_ids):
        wallet = wallets.get(user_id) or Wallet(user_id=user_id)
        ledger_free = free.get((user_id, wallet.free_day), 0) if wallet.free_day else 0
        ledger_paid = paid.get(user_id, 0)
        if (wallet.paid, wallet.free_left) != (ledger_paid, ledger_free):
            found.append(
                WalletMismatch(
                    user_id,
                    emails.get(user_id, "?"),
                    wallet.paid,
                    ledger_paid,
                    wallet.free_left,
                    ledger_free,
                )
            )
    return found


# --- the sales console ------------------------------------------------------------------------


def comparisons_on(*, day: date, user: User | None = None) -> int:
    """Comparisons charged on a UTC day (Enterprise use included, refunded failures not)."""
    reservations = LedgerEntry.objects.filter(kind__in=RESERVATION_KINDS, day=day)
    refunds = LedgerEntry.objects.filter(kind=Kind.REFUND, day=day)
    if user is not None:
        reservations, refunds = reservations.filter(user=user), refunds.filter(user=user)
    return reservations.exclude(comparison_id__in=refunds.values("comparison_id")).count()


@dataclass(frozen=True)
class Revenue:
    currency: str
    cents: int


@dataclass(frozen=True)
class SalesDay:
    """The console's home: today's business, UTC."""

    day: date
    sign_ups: int
    paying_customers: int  # customers who bought a pack today
    purchases: int
    revenue: list[Revenue]  # per currency, from today's purchases not refunded or disputed
    comparisons: int
    open_inquiries: int
    enterprise_customers: int  # on an Enterprise plan in force now


def sales_day(*, now: datetime | None = None) -> SalesDay:
    now = now or timezone.now()
    day = now.astimezone(UTC).date()
    midnight = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
    bought = Purchase.objects.filter(created_at__gte=midnight, status=PurchaseStatus.PAID)
    revenue = bought.values("currency").annotate(cents=Sum("amount_cents")).order_by("currency")
    return SalesDay(
        day=day,
        sign_ups=customers_joined_since(since=midnight).count(),
        paying_customers=bought.values("user").distinct().count(),
        purchases=bought.count(),
        revenue=[Revenue(r["currency"], int(r["cents"])) for r in revenue],
        comparisons=comparisons_on(day=day),
        open_inquiries=inquiries_open().count(),
        enterprise_customers=enterprise_customers(now=now).count(),
    )


def enterprise_customers(*, now: datetime) -> QuerySet[Wallet]:
    in_force = Q(enterprise_until__isnull=True) | Q(enterprise_until__gt=now)
    return Wallet.objects.filter(in_force, user__in=customers(), plan=Plan.ENTERPRISE)


def inquiries_open() -> QuerySet[EnterpriseInquiry]:
    return EnterpriseInquiry.objects.filter(status__in=OPEN_INQUIRY_STATUSES).order_by(
        "-created_at"
    )


def inquiries_for(*, user: User) -> QuerySet[EnterpriseInquiry]:
    """What this customer wrote to sales: signed in, or from the same email signed out."""
    mine = Q(user=user) | Q(email__iexact=user.email)
    return EnterpriseInquiry.objects.filter(mine).order_by("-created_at")
