"""Per-key API rate limits in sliding windows (settings.API_RATE_LIMITS, the one place they are
set: 3 per second and 60 per minute), and the words the API uses for them.

A request is accepted only if, for every limit "N per W seconds", fewer than N requests of the same
key were accepted in the W seconds before it: at most 3 in ANY one-second span, at most 60 in ANY
sixty-second span, wherever the span starts. That is the moving-window strategy of the `limits`
package: each accepted request leaves its timestamp in a list per key and limit, and one Redis
script (the library's) checks the N-th newest entry and adds the new one atomically, so every
web process on every machine shares one count. Refused requests are not counted.

Timestamps are taken on Redis's clock (each process learns its offset from Redis `TIME`), so web
hosts whose clocks disagree still count on one timeline, to within half a round trip to Redis.

Storage: Redis when the cache is Redis (the same server and connection pool, under the cache's key
prefix); otherwise, in the embedded default's single web process, the library's in-memory storage.
If Redis fails, the limits fail open (the request is served and a warning logged): every
comparison still costs a credit, so an outage of the store gives no free work, while failing
closed would take the whole API down with Redis.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from limits import RateLimitItem, RateLimitItemPerSecond
from limits.errors import StorageError
from limits.storage import MemoryStorage, RedisStorage
from limits.strategies import MovingWindowRateLimiter
from redis.exceptions import RedisError
from rest_framework.permissions import BasePermission

log = logging.getLogger(__name__)

CLOCK_SYNC_S = 60.0  # how often a process re-reads its offset to Redis's clock
CLOCK_SAMPLES = 5
STORE_ERRORS = (RedisError, StorageError, OSError)


class RateLimited(Exception):
    """Over a limit: `retry_after` whole seconds from now, the request would be accepted."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"rate limited; retry after {retry_after} s")
        self.retry_after = retry_after


_UNITS = ((86400, "day"), (3600, "hour"), (60, "minute"), (1, "second"))


def _in_words(amount: int, seconds: int, *, short: bool) -> str:
    """(3, 1) -> "3 per second" (short: "3/second"); (9, 5) -> "9 per 5 seconds"."""
    size, unit = next((size, unit) for size, unit in _UNITS if seconds % size == 0)
    count = seconds // size
    per = unit if count == 1 else f"{count} {unit}s"
    return f"{amount}/{per}" if short else f"{amount} per {per}"


def limits_text(*, short: bool = False) -> str:
    """The limits in words: "3 per second and 60 per minute" ("3/second and 60/minute")."""
    rates = settings.API_RATE_LIMITS
    return " and ".join(_in_words(amount, seconds, short=short) for amount, seconds in rates)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int  # seconds; 0 when allowed


class RedisClockStorage(RedisStorage):
    """The library's Redis storage and scripts, fed timestamps on Redis's clock rather than this
    host's: the scripts compare entries written by every host, so one host's clock running fast
    would otherwise let its requests past the others' entries (measured: 0.7 s of skew let 6
    requests through in one second)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._offset = 0.0
        self._synced_at = -math.inf

    def now(self) -> float:
        if time.monotonic() - self._synced_at > CLOCK_SYNC_S:
            self._sync()
        return time.time() + self._offset

    def _sync(self) -> None:
        """Redis's time minus ours, from the quickest of a few round trips: Redis read its clock
        somewhere within the trip, so the error is at most half of it (~0.1 ms on a LAN; a busy
        host's slow trip would otherwise put its requests milliseconds off the others')."""
        samples = []
        connection: Any = self.get_connection()  # a redis.Redis; the library's protocol omits TIME
        for _ in range(CLOCK_SAMPLES):
            before = time.time()
            seconds, micros = connection.time()
            after = time.time()
            samples.append((after - before, seconds + micros / 1e6 - (before + after) / 2))
        self._offset = min(samples)[1]
        self._synced_at = time.monotonic()

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        if amount > limit:
            return False
        acquired = self.lua_acquire_moving_window(
            [self.prefixed_key(key)], [self.now(), limit, expiry, amount]
        )
        return bool(acquired)

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        timestamp = self.now()
        window = self.lua_moving_window([self.prefixed_key(key)], [timestamp - expiry, limit])
        if window:
            return float(window[0]), int(window[1])
        return timestamp, 0


class Limiter:
    """The configured limits over one storage."""

    def __init__(self, storage: MemoryStorage | RedisClockStorage, rates: list[tuple[int, int]]):
        self.storage = storage
        self.strategy = MovingWindowRateLimiter(storage)
        self.items: list[RateLimitItem] = [
            RateLimitItemPerSecond(amount, seconds, namespace="api") for amount, seconds in rates
        ]

    def now(self) -> float:
        return self.storage.now() if isinstance(self.storage, RedisClockStorage) else time.time()

    def hit(self, key: str) -> Decision:
        """Accept and count a request of `key`, or refuse it with the wait until it would be
        accepted. Every window is checked before any is counted, so a refused request leaves no
        trace; only when two requests race for the last place of the longer window may the loser
        keep its place in the shorter one (stricter, never looser)."""
        full = [item for item in self.items if not self.strategy.test(item, key)]
        if not full:
            for item in self.items:
                if not self.strategy.hit(item, key):
                    full = [item]
                    break
            else:
                return Decision(allowed=True, retry_after=0)
        return Decision(allowed=False, retry_after=self._wait(full, key, self.now()))

    def _wait(self, full: list[RateLimitItem], key: str, now: float) -> int:
        """Whole seconds until every full window has room: its oldest entry leaves it at
        `reset`, and the next request is accepted strictly after that."""
        resets = [self.strategy.get_window_stats(item, key).reset_time for item in full]
        return max(1, math.floor(max(resets) - now) + 1)


_limiter: tuple[tuple[str, ...], Limiter] | None = None


def limiter() -> Limiter:
    """The limiter for the current settings (built once; again when tests change them)."""
    global _limiter
    config = (repr(settings.CACHES["default"]), repr(settings.API_RATE_LIMITS))
    if _limiter is None or _limiter[0] != config:
        _limiter = (config, Limiter(_storage(), list(settings.API_RATE_LIMITS)))
    return _limiter[1]


def _storage() -> MemoryStorage | RedisClockStorage:
    if "django_redis" not in settings.CACHES["default"]["BACKEND"]:
        return MemoryStorage()
    from django.core.cache import cache
    from django_redis import get_redis_connection

    pool = get_redis_connection("default").connection_pool
    return RedisClockStorage(
        settings.CACHES["default"]["LOCATION"],
        connection_pool=pool,
        key_prefix=cache.make_key("ratelimit"),  # under the cache's prefix, cleared with it
    )


def check(key: str) -> Decision:
    """The decision for one request of `key`; allowed (fail open) if the store is down."""
    try:
        return limiter().hit(key)
    except STORE_ERRORS:
        log.warning("rate-limit store unavailable; failing open", exc_info=True)
        return Decision(allowed=True, retry_after=0)


def _client_key(request: Any) -> str:
    api_key = getattr(request, "auth", None)
    if api_key is not None and hasattr(api_key, "pk"):
        return f"key:{api_key.pk}"
    return f"user:{request.user.pk}"


class WithinRateLimits(BasePermission):
    """Applied after authentication, so it keys on the API key (or the signed-in user)."""

    message = "Too many requests."

    def has_permission(self, request: Any, view: Any) -> bool:
        if not settings.RATELIMIT_ENABLE:
            return True
        decision = check(_client_key(request))
        if not decision.allowed:
            raise RateLimited(decision.retry_after)
        return True
