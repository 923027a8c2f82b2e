"""The credit ledger: free before paid, the UTC day boundary, reserve/settle/refund idempotency,
Enterprise usage, staff grants, append-only entries and the wallet == ledger check."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, IntegrityError, connection, transaction

from billing import selectors, services
from billing.models import Kind, LedgerEntry, Pool, Wallet
from tests.billing.conftest import at, ledger_paid, new_comparison, reserve
from tests.personas import Persona

pytestmark = pytest.mark.django_db


def test_it_gives_ten_free_credits_on_the_first_use_of_the_day(alice: Persona) -> None:
    assert selectors.credits_remaining(user=alice.user, now=at(3)) == 10
    reserve(alice.user, now=at(3))
    assert selectors.balance_for(user=alice.user, now=at(3)).free_left_today == 9
    grants = LedgerEntry.objects.filter(user=alice.user, kind=Kind.DAILY_GRANT)
    assert [(g.day, g.amount) for g in grants] == [(at(3).date(), 10)]


def test_it_refuses_the_eleventh_comparison_of_a_day_with_no_paid_credits(alice: Persona) -> None:
    for _ in range(10):
        reserve(alice.user, now=at(3, 9))
    with pytest.raises(services.NoCredits) as refused:
        reserve(alice.user, now=at(3, 23, 59, 59))
    assert "10 free comparisons" in refused.value.detail
    assert "$5" in refused.value.detail and "midnight UTC" in refused.value.detail
    assert selectors.credits_remaining(user=alice.user, now=at(3, 23)) == 0


def test_it_gives_ten_more_after_midnight_utc_and_does_not_carry_unused_ones(
    alice: Persona,
) -> None:
    for _ in range(10):
        reserve(alice.user, now=at(3, 23, 59, 59))
    for _ in range(10):  # 10 more, a second later, on the next UTC day
        reserve(alice.user, now=at(4, 0, 0, 0))
    with pytest.raises(services.NoCredits):
        reserve(alice.user, now=at(4, 0, 0, 1))
    reserve(alice.user, now=at(5, 8))  # day 5: one used, nine left unused …
    assert selectors.credits_remaining(user=alice.user, now=at(5, 9)) == 9
    assert (
        selectors.credits_remaining(user=alice.user, now=at(6, 9)) == 10
    )  # … and not carried over
    reserve(alice.user, now=at(6, 9))
    assert selectors.balance_for(user=alice.user, now=at(6, 9)).free_left_today == 9
    assert selectors.wallet_mismatches() == []


def test_it_spends_free_credits_before_paid_ones(alice: Persona, carol: Persona) -> None:
    services.credits_grant_admin(user=alice.user, amount=3, reason="welcome gift", staff=carol.user)
    spent = [reserve(alice.user, now=at(3)) for _ in range(12)]
    pools = [LedgerEntry.objects.get(comparison_id=c, kind=Kind.SPEND).pool for c in spent]
    assert pools == [Pool.FREE] * 10 + [Pool.PAID] * 2
    balance = selectors.balance_for(user=alice.user, now=at(3))
    assert (balance.free_left_today, balance.paid) == (0, 1)
    assert selectors.credits_remaining(user=alice.user, now=at(3)) == 1


def test_it_makes_a_second_daily_grant_impossible_in_the_database(alice: Persona) -> None:
    reserve(alice.user, now=at(3))
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            user=alice.user, kind=Kind.DAILY_GRANT, pool=Pool.FREE, amount=10, day=at(3).date(),
            reason="a second grant", created_at=at(3),
        )  # fmt: skip


def test_it_refunds_a_failed_comparison_once(alice: Persona) -> None:
    comparison = reserve(alice.user, now=at(3))
    services.credits_refund(comparison_id=comparison, now=at(3))
    services.credits_refund(comparison_id=comparison, now=at(3))  # a retry: no-op
    assert selectors.balance_for(user=alice.user, now=at(3)).free_left_today == 10
    assert LedgerEntry.objects.filter(comparison_id=comparison, kind=Kind.REFUND).count() == 1
    services.credits_settle(comparison_id=comparison, now=at(3))  # settle after refund: no-op
    assert not LedgerEntry.objects.filter(comparison_id=comparison, kind=Kind.SETTLE).exists()


def test_it_refuses_to_refund_a_settled_comparison(alice: Persona) -> None:
    comparison = reserve(alice.user, now=at(3))
    services.credits_settle(comparison_id=comparison, now=at(3))
    services.credits_settle(comparison_id=comparison, now=at(3))
    with pytest.raises(services.AlreadySettled):
        services.credits_refund(comparison_id=comparison, now=at(3))
    assert selectors.balance_for(user=alice.user, now=at(3)).free_left_today == 9
    assert LedgerEntry.objects.filter(comparison_id=comparison, kind=Kind.SETTLE).count() == 1


def test_it_refuses_settle_and_refund_of_a_comparison_that_reserved_nothing(db: None) -> None:
    with pytest.raises(services.ReservationNotFound):
        services.credits_settle(comparison_id=new_comparison())
    with pytest.raises(services.ReservationNotFound):
        services.credits_refund(comparison_id=new_comparison())


def test_it_charges_a_comparison_once_even_if_reserved_twice(alice: Persona, bob: Persona) -> None:
    comparison = new_comparison()
    for _ in range(2):
        services.credits_reserve(
            user=alice.user, comparison_id=comparison, media_type="text", now=at(3)
        )
    assert selectors.balance_for(user=alice.user, now=at(3)).free_left_today == 9
    with pytest.raises(ValueError, match="another account"):
        services.credits_reserve(
            user=bob.user, comparison_id=comparison, media_type="text", now=at(3)
        )


def test_it_refunds_a_paid_credit_as_a_paid_credit(alice: Persona, carol: Persona) -> None:
    services.credits_grant_admin(user=alice.user, amount=1, reason="test", staff=carol.user)
    for _ in range(10):
        reserve(alice.user, now=at(3))
    comparison = reserve(alice.user, now=at(3))
    assert selectors.balance_for(user=alice.user, now=at(3)).paid == 0
    services.credits_refund(comparison_id=comparison, now=at(3))
    assert selectors.balance_for(user=alice.user, now=at(3)).paid == 1


def test_it_books_a_late_free_refund_on_its_own_day_without_raising_today(alice: Persona) -> None:
    """A job reserved at 23:59 that fails after midnight: today's allowance stays 10 (free credits
    never accumulate), and the refund is booked on the day the credit was spent."""
    comparison = reserve(alice.user, now=at(3, 23, 59))
    reserve(alice.user, now=at(4, 0, 1))
    services.credits_refund(comparison_id=comparison, now=at(4, 0, 2))
    assert selectors.balance_for(user=alice.user, now=at(4, 0, 2)).free_left_today == 9
    refund = LedgerEntry.objects.get(comparison_id=comparison, kind=Kind.REFUND)
    assert (refund.pool, refund.day, refund.amount) == (Pool.FREE, at(3).date(), 1)
    assert selectors.wallet_mismatches() == []


def test_it_records_enterprise_use_without_decrementing(alice: Persona, carol: Persona) -> None:
    services.plan_set_enterprise(user=alice.user, until=at(30), staff=carol.user, now=at(3))
    for media_type in ["image"] * 30 + ["video"] * 5:
        reserve(alice.user, now=at(3), media_type=media_type)
    assert selectors.credits_remaining(user=alice.user, now=at(3)) is None
    balance = selectors.balance_for(user=alice.user, now=at(3))
    assert (balance.unlimited, balance.plan, balance.enterprise_until) == (
        True,
        "enterprise",
        at(30),
    )
    usage = selectors.usage_for(user=alice.user, now=at(3))
    assert [(u.day, u.total, u.by_type) for u in usage] == [
        (at(3).date(), 35, {"image": 30, "video": 5})
    ]
    assert not LedgerEntry.objects.filter(user=alice.user, kind=Kind.DAILY_GRANT).exists()


def test_it_puts_an_account_back_on_free_when_enterprise_ends(
    alice: Persona, carol: Persona
) -> None:
    services.plan_set_enterprise(user=alice.user, until=at(10), staff=carol.user, now=at(3))
    assert selectors.credits_remaining(user=alice.user, now=at(9)) is None
    assert selectors.credits_remaining(user=alice.user, now=at(11)) == 10
    for _ in range(10):
        reserve(alice.user, now=at(11))
    with pytest.raises(services.NoCredits):
        reserve(alice.user, now=at(11))
    services.plan_set_free(user=alice.user, staff=carol.user, now=at(12))
    assert selectors.balance_for(user=alice.user, now=at(12)).plan == "free"


def test_it_refuses_an_enterprise_end_date_in_the_past(alice: Persona) -> None:
    with pytest.raises(ValueError, match="must be in the future"):
        services.plan_set_enterprise(user=alice.user, until=at(2), now=at(3))
    assert selectors.balance_for(user=alice.user, now=at(3)).plan == "free"


def test_it_requires_a_reason_and_a_nonzero_amount_for_staff_grants(alice: Persona) -> None:
    with pytest.raises(ValueError, match="A reason is required"):
        services.credits_grant_admin(user=alice.user, amount=5, reason="  ")
    with pytest.raises(ValueError, match="other than 0"):
        services.credits_grant_admin(user=alice.user, amount=0, reason="nothing")
    assert not LedgerEntry.objects.filter(user=alice.user).exists()


def test_it_refuses_a_staff_removal_the_paid_balance_does_not_cover(
    alice: Persona, carol: Persona
) -> None:
    services.credits_grant_admin(user=alice.user, amount=3, reason="welcome gift", staff=carol.user)
    with pytest.raises(services.CreditsNotCovered) as refused:
        services.credits_grant_admin(
            user=alice.user, amount=-5, reason="reversed", staff=carol.user
        )
    assert refused.value.detail == (
        "Cannot remove 5 credits from alice@example.com: the paid balance is 3. Remove at most 3."
    )
    assert ledger_paid(alice.user) == 3
    removed = services.credits_grant_admin(
        user=alice.user, amount=-3, reason="reversed", staff=carol.user
    )
    assert (removed.before, removed.after, removed.entry.amount) == (3, 0, -3)
    assert selectors.balance_for(user=alice.user).paid == ledger_paid(alice.user) == 0


def test_the_database_refuses_a_staff_removal_below_zero_written_around_the_service(
    alice: Persona, carol: Persona
) -> None:
    """The PostgreSQL trigger of migration 0005: a shell or a bug that appends the entry itself
    is refused too. Payment reversals (debts) stay possible."""
    services.credits_grant_admin(user=alice.user, amount=2, reason="gift", staff=carol.user)
    raw = {"user": alice.user, "pool": Pool.PAID, "day": at(3).date(), "created_at": at(3)}
    with pytest.raises(IntegrityError, match="below zero"), transaction.atomic():
        LedgerEntry.objects.create(kind=Kind.ADMIN_ADJUSTMENT, amount=-3, reason="raw", **raw)
    LedgerEntry.objects.create(kind=Kind.ADMIN_ADJUSTMENT, amount=-2, reason="raw, covered", **raw)
    LedgerEntry.objects.create(kind=Kind.CHARGEBACK, amount=-50, reason="dispute", **raw)
    assert ledger_paid(alice.user) == -50


def test_it_usage_report_leaves_out_refunded_comparisons(alice: Persona) -> None:
    kept = [reserve(alice.user, now=at(3), media_type="audio") for _ in range(3)]
    services.credits_refund(comparison_id=kept[0], now=at(3))
    reserve(alice.user, now=at(4), media_type="subtitle")
    usage = selectors.usage_for(user=alice.user, now=at(4))
    assert [(u.day, u.by_type) for u in usage] == [
        (at(4).date(), {"subtitle": 1}),
        (at(3).date(), {"audio": 2}),
    ]
    assert selectors.usage_for(user=alice.user, now=at(4) + timedelta(days=40)) == []


def test_it_refuses_to_update_or_delete_ledger_entries(alice: Persona) -> None:
    reserve(alice.user, now=at(3))
    entry = LedgerEntry.objects.filter(user=alice.user).first()
    assert entry is not None
    entry.amount = 1000
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        LedgerEntry.objects.filter(user=alice.user).update(amount=1000)
    with pytest.raises(TypeError):
        LedgerEntry.objects.filter(user=alice.user).delete()


def test_it_refuses_ledger_rewrites_in_the_database_itself(alice: Persona) -> None:
    reserve(alice.user, now=at(3))
    for sql in (
        "UPDATE billing_ledgerentry SET amount = 1000",
        "DELETE FROM billing_ledgerentry",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),  # the trigger's RAISE
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert LedgerEntry.objects.filter(user=alice.user).count() == 2


def test_it_credits_check_passes_then_detects_a_tampered_wallet(
    alice: Persona, bob: Persona, carol: Persona, capsys: pytest.CaptureFixture[str]
) -> None:
    services.credits_grant_admin(user=alice.user, amount=7, reason="test", staff=carol.user)
    reserve(alice.user)
    reserve(bob.user)
    call_command("credits_check")
    assert "Every wallet matches the ledger" in capsys.readouterr().out

    Wallet.objects.filter(user=alice.user).update(paid=1_000)  # someone edits the cache by hand
    with pytest.raises(CommandError, match="1 wallet"):
        call_command("credits_check")
    assert "alice@example.com" in capsys.readouterr().err

    call_command("credits_check", "--repair")
    call_command("credits_check")
    assert selectors.balance_for(user=alice.user).paid == 7
