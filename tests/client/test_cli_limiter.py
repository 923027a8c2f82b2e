"""The client's rate limiter on its own, in real time with short periods. The server counts a
request at some moment between the client sending it and reading the answer; whichever moment
that is, no window of a period may hold more requests than the limit."""

from __future__ import annotations

import random
import threading
import time

import pytest
from diffall_cli.limiter import Rate, RateLimiter, Stopped, parse_rates

from tests.client.conftest import most_in_any_window


def test_no_window_holds_more_than_the_limit_however_late_the_server_counts() -> None:
    limiter = RateLimiter([Rate(3, 0.2), Rate(5, 0.6)], margin_s=0)
    counted: list[float] = []
    lock = threading.Lock()

    def client(seed: int) -> None:
        rng = random.Random(seed)
        for n in range(5):
            slot = limiter.acquire()
            sent = time.monotonic()
            time.sleep(rng.uniform(0.0, 0.06))  # the time the request takes
            answered = time.monotonic()
            limiter.release(slot)
            # the worst cases: counted the moment it left, or the moment before its answer
            with lock:
                counted.append(answered if (n + seed) % 2 else sent)

    threads = [threading.Thread(target=client, args=(seed,)) for seed in range(4)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(counted) == 20
    assert most_in_any_window(counted, 0.2) <= 3
    assert most_in_any_window(counted, 0.6) <= 5
    # and it is pacing, not stalling: 20 requests at 5 per 0.6 s take about 2.4 s
    assert time.monotonic() - started < 4.0


def test_the_next_request_waits_for_one_still_in_flight() -> None:
    limiter = RateLimiter([Rate(1, 0.05)], margin_s=0)
    slow = limiter.acquire()
    taken = threading.Event()
    waiter = threading.Thread(target=lambda: (limiter.acquire(), taken.set()))
    waiter.start()
    assert not taken.wait(0.3), "a slot was given while the request before it was unanswered"
    limiter.release(slow)
    assert taken.wait(1.0)
    waiter.join()


def test_a_429_holds_everyone_back_and_a_stop_ends_the_wait() -> None:
    limiter = RateLimiter([Rate(3, 1.0)])
    limiter.hold(0.3)
    started = time.monotonic()
    limiter.release(limiter.acquire())
    assert time.monotonic() - started >= 0.29
    stop = threading.Event()
    limiter.hold(30)
    threading.Timer(0.2, stop.set).start()
    with pytest.raises(Stopped):
        limiter.acquire(stop)
    assert time.monotonic() - started < 2


def test_it_reads_rates_as_django_ratelimit_writes_them() -> None:
    assert parse_rates("3/s,60/m") == [Rate(3, 1.0), Rate(60, 60.0)]
    assert parse_rates("100/5m, 1000/d") == [Rate(100, 300.0), Rate(1000, 86400.0)]
    assert parse_rates("none") == []
    with pytest.raises(ValueError, match="write it as requests/period"):
        parse_rates("3 per second")
