"""Clients that the rate-limit tests start as separate PROCESSES, as separate web hosts and API
users would be. Each sends requests for one key as fast as it can from a shared start time, and
prints one JSON line per request: when it was sent and answered (this host's real clock) and
whether it was accepted.

    python -m tests.ratelimits.clients http START DURATION steady|bursts URL API_KEY
    python -m tests.ratelimits.clients limiter START DURATION steady|bursts KEY [CLOCK_SKEW_S]

`limiter` calls diffall.ratelimits in-process against the real Redis (settings from the
environment, e.g. API_RATE_LIMITS=3/s,9/5s). CLOCK_SKEW_S makes this process's clock run that far
ahead, as a host with a wrong clock would; the times it prints are still the real ones.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from collections.abc import Callable

real_time = time.time


def run(request: Callable[[], bool], start: float, duration: float, bursts: bool) -> None:
    """Requests back to back, or (`bursts`) in bursts of 1-3 at random moments: fixed windows
    let bursts through on both sides of a window's edge, which back-to-back traffic rarely shows."""
    rng = random.Random(os.getpid())
    time.sleep(max(0.0, start - real_time()))
    while real_time() < start + duration:
        for _ in range(rng.randint(1, 3) if bursts else 1):
            sent = real_time()
            accepted = request()
            print(json.dumps({"sent": sent, "received": real_time(), "accepted": accepted}))
        if bursts:
            time.sleep(rng.uniform(0.0, 0.6))
    sys.stdout.flush()


def http_client(url: str, api_key: str) -> Callable[[], bool]:
    import requests

    session = requests.Session()
    session.headers["X-API-Key"] = api_key

    def request() -> bool:
        status = session.get(url, timeout=10).status_code
        assert status in (404, 429), status  # a missing job (accepted) or rate-limited
        return status == 404

    return request


def limiter_client(key: str, skew: float) -> Callable[[], bool]:
    if skew:
        time.time = lambda: real_time() + skew  # what every module of this process reads
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diffall.settings")
    import django

    django.setup()
    from diffall import ratelimits

    ratelimits.limiter().now()  # connect and learn the clock offset before the start

    def request() -> bool:
        return ratelimits.limiter().hit(key).allowed

    return request


def main(argv: list[str]) -> None:
    mode, start, duration, pattern, *args = argv
    if mode == "http":
        request = http_client(*args)
    else:
        key, *skew = args
        request = limiter_client(key, float(skew[0]) if skew else 0.0)
    run(request, float(start), float(duration), bursts=pattern == "bursts")


if __name__ == "__main__":
    main(sys.argv[1:])
