"""Credits: an append-only ledger, a wallet per user that caches it, and the Stripe records.

Design
------
* **Two pools.** Free credits and paid credits behave differently, so they are tracked apart:
  - *free*: FREE_CREDITS_PER_DAY per UTC day. Every free entry carries the UTC `day` it belongs to,
    and the free balance of a day is the sum of that day's free entries. A new day starts from a
    fresh grant, so unused free credits never carry over and a grant can never accumulate — no
    "expiry" entries are needed. The grant is written lazily by the first reservation of the day
    (a unique constraint makes a second grant for the same user and day impossible).
  - *paid*: purchases, admin grants/removals, chargebacks. Never expire. The paid balance is the
    sum of all paid entries. Only a payment reversal may take it below zero (a refund or dispute
    after the credits were spent: a debt), which blocks paid use until a purchase covers it. A
    staff removal never may: the service refuses one the balance does not cover, and on
    PostgreSQL a trigger refuses it too (migration 0005).
  - entries that move nothing (enterprise usage, settlements, plan changes) use the *none* pool
    with amount 0: they are there for usage reports and the audit trail.
* **Wallet = cache + lock point.** `Wallet.paid` caches the paid sum; `Wallet.free_left` caches the
  free sum of `Wallet.free_day`. Every write locks the wallet row (SELECT … FOR UPDATE) first, so
  writes for one user are serialised and can never overspend. `manage.py credits_check` recomputes
  both from the ledger for every wallet and fails on any difference.
* **Append-only.** `LedgerEntry` refuses updates and deletes in Python, and on PostgreSQL a trigger
  refuses them in the database too. Users with ledger entries are therefore protected from deletion
  (deactivate them instead): money history outlives accounts.
* **One comparison, one charge.** A reservation is a `spend` (or `enterprise_usage`) entry keyed by
  the comparison's UUID (no foreign key: the comparisons app owns that table). It ends in at most
  one `settle` or one `refund`, each unique per comparison.
* **Stripe.** A `Purchase` is unique per Checkout Session id; its `purchase` entry is unique per
  session id and so is its `chargeback` entry. Every webhook event id is stored once.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import User


class Plan(models.TextChoices):
    FREE = "free", "Free"
    ENTERPRISE = "enterprise", "Enterprise"


class Pool(models.TextChoices):
    FREE = "free", "Free (daily)"
    PAID = "paid", "Paid"
    NONE = "none", "No credits moved"


class Kind(models.TextChoices):
    DAILY_GRANT = "daily_grant", "Daily free grant"
    SPEND = "spend", "Comparison"
    ENTERPRISE_USAGE = "enterprise_usage", "Comparison (Enterprise)"
    SETTLE = "settle", "Comparison succeeded"
    REFUND = "refund", "Comparison failed — credit refunded"
    PURCHASE = "purchase", "Purchase"
    CHARGEBACK = "chargeback", "Payment refunded or disputed"
    ADMIN_ADJUSTMENT = "admin_adjustment", "Adjustment by DiffALL staff"
    PLAN_CHANGE = "plan_change", "Plan changed by DiffALL staff"


# Kinds that open a reservation for a comparison.
RESERVATION_KINDS = (Kind.SPEND, Kind.ENTERPRISE_USAGE)


class Wallet(models.Model):
    """One per user: the plan, the cached balances, and the row every billing write locks."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wallet"
    )
    plan = models.CharField(max_length=20, choices=Plan.choices, default=Plan.FREE)
    enterprise_until = models.DateTimeField(null=True, blank=True)
    free_day = models.DateField(null=True, blank=True, help_text="UTC day free_left is for")
    free_left = models.IntegerField(default=0)
    paid = models.IntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"wallet of {self.user}"

    def enterprise_active(self, now: datetime) -> bool:
        """Enterprise with no end date, or an end date still ahead."""
        if self.plan != Plan.ENTERPRISE:
            return False
        return self.enterprise_until is None or self.enterprise_until > now


class LedgerEntryQuerySet(models.QuerySet["LedgerEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("The ledger is append-only: add a correcting entry instead of updating")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("The ledger is append-only: add a correcting entry instead of deleting")


class LedgerEntry(models.Model):
    """One movement of credits (or a zero-amount record of usage or of a staff action)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    pool = models.CharField(max_length=10, choices=Pool.choices)
    amount = models.IntegerField()
    day = models.DateField(
        help_text="UTC day of the entry; for free entries, the day they count for"
    )
    reason = models.CharField(max_length=500)
    comparison_id = models.UUIDField(null=True, blank=True, db_index=True)
    media_type = models.CharField(max_length=20, blank=True)
    stripe_object_id = models.CharField(max_length=255, blank=True, db_index=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries_made",
    )
    created_at = models.DateTimeField()

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "ledger entries"
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["user", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "day"],
                condition=Q(kind=Kind.DAILY_GRANT),
                name="billing_one_daily_grant_per_user_per_day",
            ),
            models.UniqueConstraint(
                fields=["comparison_id"],
                condition=Q(kind__in=RESERVATION_KINDS),
                name="billing_one_spend_per_comparison",
            ),
            models.UniqueConstraint(
                fields=["comparison_id"],
                condition=Q(kind=Kind.REFUND),
                name="billing_one_refund_per_comparison",
            ),
            models.UniqueConstraint(
                fields=["comparison_id"],
                condition=Q(kind=Kind.SETTLE),
                name="billing_one_settle_per_comparison",
            ),
            models.UniqueConstraint(
                fields=["stripe_object_id"],
                condition=Q(kind=Kind.PURCHASE),
                name="billing_one_purchase_entry_per_session",
            ),
            models.UniqueConstraint(
                fields=["stripe_object_id"],
                condition=Q(kind=Kind.CHARGEBACK),
                name="billing_one_chargeback_per_session",
            ),
            models.CheckConstraint(
                condition=Q(pool=Pool.NONE, amount=0) | ~Q(pool=Pool.NONE),
                name="billing_none_pool_moves_nothing",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="billing_entry_has_a_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount:+d} ({self.pool}) for {self.user_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("The ledger is append-only: add a correcting entry instead")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("The ledger is append-only: add a correcting entry instead")


class PurchaseStatus(models.TextChoices):
    PAID = "paid", "Paid"
    REFUNDED = "refunded", "Refunded"
    DISPUTED = "disputed", "Disputed"


class Purchase(models.Model):
    """A credit pack paid through Stripe Checkout, credited exactly once per session."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="purchases"
    )
    stripe_session_id = models.CharField(max_length=255, unique=True)
    stripe_payment_intent_id = models.CharField(max_length=255, blank=True, db_index=True)
    credits = models.PositiveIntegerField()
    amount_cents = models.PositiveIntegerField()
    currency = models.CharField(max_length=10)
    status = models.CharField(
        max_length=20, choices=PurchaseStatus.choices, default=PurchaseStatus.PAID
    )
    created_at = models.DateTimeField(auto_now_add=True)
    reversed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.credits} credits for {self.user} ({self.stripe_session_id})"


class StripeEvent(models.Model):
    """Every webhook event id we accepted, once; processed_at is set when handling finished."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-received_at",)

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class InquiryStatus(models.TextChoices):
    NEW = "new", "New"
    CONTACTED = "contacted", "Contacted"
    WON = "won", "Won — on Enterprise"
    CLOSED = "closed", "Closed"


# Inquiries sales still have to act on; the others are closed (won or not). An inquiry is never
# deleted: closing it is a status.
OPEN_INQUIRY_STATUSES = (InquiryStatus.NEW, InquiryStatus.CONTACTED)


class EnterpriseInquiry(models.Model):
    """A "Contact sales" request from the website; sales work through them in the admin."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="enterprise_inquiries",
    )
    name = models.CharField(max_length=200)
    email = models.EmailField()
    company = models.CharField(max_length=200, blank=True)
    monthly_volume = models.PositiveIntegerField(
        null=True, blank=True, help_text="Comparisons a month they expect"
    )
    message = models.TextField(max_length=5000)
    status = models.CharField(
        max_length=20, choices=InquiryStatus.choices, default=InquiryStatus.NEW
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "enterprise inquiries"
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_INQUIRY_STATUSES


class CustomerAccount(User):
    """The sales console's view of a customer (a proxy: no table of its own). Its permissions
    are the sales actions; the Sales group holds them (billing/console/roles.py)."""

    class Meta:
        proxy = True
        verbose_name = "customer"
        permissions = [
            ("set_plan", "Can put a customer on Enterprise or back on free"),
            ("adjust_credits", "Can grant or remove a customer's paid credits"),
            ("revoke_api_key", "Can revoke a customer's API key"),
        ]
