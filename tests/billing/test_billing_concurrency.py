"""Concurrent reservations on real PostgreSQL: threads, each on its own connection, released
together by a barrier against one remaining credit. Exactly one wins; nobody overspends."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import connection

from accounts.models import User
from billing import selectors, services
from billing.models import Kind, LedgerEntry, Pool
from tests.billing.conftest import ledger_paid, new_comparison, reserve
from tests.personas import Persona

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 50
ROUNDS = 5


def _race(user: User, threads: int) -> Counter[str]:
    """`threads` reservations released at once; counts of "ok" and "no_credits"."""
    barrier = threading.Barrier(threads)
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def attempt() -> None:
        try:
            barrier.wait(timeout=30)
            services.credits_reserve(user=user, comparison_id=new_comparison(), media_type="image")
            outcome = "ok"
        except services.NoCredits:
            outcome = "no_credits"
        except Exception as exc:  # anything else is a defect the test must show
            outcome = f"error: {exc!r}"
        finally:
            connection.close()  # each thread opened its own connection
        with lock:
            outcomes[outcome] += 1

    _run_threads(attempt, threads)
    return outcomes


def _run_threads(target: Callable[[], None], count: int) -> None:
    workers = [threading.Thread(target=target) for _ in range(count)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert not any(w.is_alive() for w in workers), "a reservation hung"


def _spend_free_credits(user: User) -> None:
    for _ in range(10):
        reserve(user)


def test_it_lets_exactly_one_of_fifty_simultaneous_reserves_take_the_last_credit(
    alice: Persona, carol: Persona
) -> None:
    _spend_free_credits(alice.user)
    for round_ in range(ROUNDS):
        services.credits_grant_admin(
            user=alice.user, amount=1, reason=f"round {round_}", staff=carol.user
        )
        started = time.perf_counter()
        outcomes = _race(alice.user, THREADS)
        elapsed = time.perf_counter() - started
        print(f"round {round_}: {dict(outcomes)} in {elapsed:.2f}s (2 shared cores)")
        assert outcomes == Counter({"ok": 1, "no_credits": THREADS - 1})
        assert selectors.balance_for(user=alice.user).paid == 0
        assert ledger_paid(alice.user) == 0
        assert selectors.wallet_mismatches() == []
    spends = LedgerEntry.objects.filter(user=alice.user, kind=Kind.SPEND, pool=Pool.PAID)
    assert spends.count() == ROUNDS


def test_it_gives_one_daily_grant_when_the_first_uses_of_the_day_race(alice: Persona) -> None:
    """A new account's first comparisons arrive together: one wallet, one grant, ten spends."""
    outcomes = _race(alice.user, 20)
    assert outcomes == Counter({"ok": 10, "no_credits": 10})
    assert LedgerEntry.objects.filter(user=alice.user, kind=Kind.DAILY_GRANT).count() == 1
    assert selectors.credits_remaining(user=alice.user) == 0
    assert selectors.wallet_mismatches() == []


def test_it_refunds_once_when_refunds_of_one_comparison_race(alice: Persona) -> None:
    """Every racing refund returns normally (a retry is a no-op, not an IntegrityError that a
    thread would swallow): exactly one of them books the refund."""
    comparison = reserve(alice.user)
    barrier = threading.Barrier(10)
    errors: list[str] = []

    def refund() -> None:
        try:
            barrier.wait(timeout=30)
            services.credits_refund(comparison_id=comparison)
        except Exception as exc:  # collected: an exception in a thread fails nothing by itself
            errors.append(repr(exc))
        finally:
            connection.close()

    _run_threads(refund, 10)
    assert errors == []
    assert LedgerEntry.objects.filter(comparison_id=comparison, kind=Kind.REFUND).count() == 1
    assert selectors.credits_remaining(user=alice.user) == 10
    assert selectors.wallet_mismatches() == []
