"""Client-side pacing inside a key's rate limit (DiffALL's default: 3 requests a second and 60 a
minute per key, counted on every endpoint, polls and diff downloads included).

The server counts a request when it arrives, and that moment is somewhere between the client
sending it and the client reading the answer: a busy server or a slow network can delay it by
far more than any fixed margin (we measured 0.46 s on a loaded CI machine). So a request's slot
is freed a whole period after its answer came back, not after it left: request n starts only once
request n - limit has finished and `period` has passed since. Then, whatever the delays, no
`limit + 1` requests can reach the server within one period.

Threads share one limiter and take their turns one at a time.
"""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

DEFAULT_RATES = "3/s,60/m"
MARGIN_S = 0.05  # for timestamps taken a moment after the event they stand for
_POLL_S = 0.25  # how often a waiting caller checks whether the run was stopped
_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


class Stopped(Exception):
    """The run was interrupted while a request waited for its turn."""


@dataclass(frozen=True)
class Rate:
    limit: int
    period_s: float


def parse_rates(text: str) -> list[Rate]:
    """Rates in django-ratelimit's notation ("3/s,60/m", also "100/5m"); "none" -> none."""
    rates = []
    for part in (p.strip() for p in text.split(",")):
        if not part or part.lower() in ("none", "off", "0"):
            continue
        found = re.fullmatch(r"(\d+)\s*/\s*(\d*)\s*([smhd])", part.lower())
        if not found or int(found[1]) < 1:
            raise ValueError(
                f"{part!r} is not a rate: write it as requests/period, e.g. 3/s, 60/m or 100/5m"
            )
        count = int(found[2]) if found[2] else 1
        rates.append(Rate(limit=int(found[1]), period_s=count * _UNITS[found[3]]))
    return rates


@dataclass
class Slot:
    """One request's place in the limit: held from its start until `period` after its end."""

    started_at: float
    ended_at: float | None = None  # None while the request is in flight


class RateLimiter:
    def __init__(
        self,
        rates: Sequence[Rate],
        *,
        margin_s: float = MARGIN_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rates = list(rates)
        self._margin_s = margin_s
        self._clock = clock
        self._turn = threading.Lock()  # one caller at a time waits for the next slot
        self._state = threading.Condition()  # guards the slots; notified when one ends
        self._recent: deque[Slot] = deque(maxlen=max((r.limit for r in self._rates), default=1))
        self._held_until = 0.0

    def acquire(self, stop: threading.Event | None = None) -> Slot:
        """Wait for a slot and take it; `release` it when the answer is in. Raises `Stopped` if
        `stop` is set meanwhile."""
        with self._turn, self._state:
            while True:
                if stop is not None and stop.is_set():
                    raise Stopped()
                wait = self._wait_s()
                if wait == 0:
                    slot = Slot(started_at=self._clock())
                    if self._rates:
                        self._recent.append(slot)
                    return slot
                self._state.wait(timeout=min(_POLL_S, wait) if wait is not None else _POLL_S)

    def release(self, slot: Slot) -> None:
        """The request's answer is in (or it failed): its slot frees up a period from now."""
        with self._state:
            slot.ended_at = self._clock()
            self._state.notify_all()

    def hold(self, seconds: float) -> None:
        """Nobody sends for `seconds`: the server answered 429 and said how long to wait."""
        with self._state:
            self._held_until = max(self._held_until, self._clock() + seconds)

    def _wait_s(self) -> float | None:
        """Seconds until the next request may start; None while that depends on a request still
        in flight."""
        now = self._clock()
        ready = max(now, self._held_until)
        for rate in self._rates:
            if len(self._recent) >= rate.limit:
                oldest = self._recent[-rate.limit]  # the request `limit` places back
                if oldest.ended_at is None:
                    return None
                ready = max(ready, oldest.ended_at + rate.period_s + self._margin_s)
        return max(0.0, ready - now)
