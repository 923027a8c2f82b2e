"""The API's rate limits hold in sliding windows across processes: timestamped requests from
several client processes, against a live server of several processes or the limiter itself on
the real Redis, never get more than N accepted within ANY W seconds.

A request's decision falls between its sending and its answer, so the checks count only what
certainly fell inside a window (both moments inside it) for the upper bound, and the lower bound
(the limiter is not simply refusing more than it must) counts what steady traffic got through.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests

from tests.conftest import ROOT
from tests.personas import make_persona


@dataclass(frozen=True)
class Attempt:
    sent: float
    received: float
    accepted: bool


def most_in_any_window(attempts: list[Attempt], seconds: float) -> int:
    """The most accepted requests whose whole round trip lies inside one span of `seconds`."""
    accepted = sorted((a for a in attempts if a.accepted), key=lambda a: a.sent)
    return max(
        (
            sum(1 for later in accepted[i:] if later.received <= first.sent + seconds)
            for i, first in enumerate(accepted)
        ),
        default=0,
    )


def run_clients(clients: list[list[str]], env: dict[str, str], duration: float) -> list[Attempt]:
    """Start one process per client ([mode, pattern, *arguments], see clients.py), let them all
    run from one shared start time, and gather their attempts."""
    start = time.time() + 4.0  # time for the processes to import Django and connect
    processes = [_client(env, mode, start, duration, *rest) for mode, *rest in clients]
    attempts: list[Attempt] = []
    for process in processes:
        out, err = process.communicate(timeout=duration + 60)
        assert process.returncode == 0, err[-2000:]
        attempts += [Attempt(**json.loads(line)) for line in out.splitlines()]
    return attempts


def _client(env: dict[str, str], mode: str, start: float, duration: float, *rest: str):  # type: ignore[no-untyped-def]
    command = [sys.executable, "-m", "tests.ratelimits.clients", mode, str(start), str(duration)]
    return subprocess.Popen(
        [*command, *rest], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def live_api(worker_env: dict[str, str]) -> Iterator[str]:
    """gunicorn with two worker processes, on this run's database, Redis and S3, limits on."""
    port = _free_port()
    env = {**worker_env, "RATELIMIT_ENABLE": "true", "API_RATE_LIMITS": "3/s,60/m"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "diffall.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{url}/healthz", timeout=10).status_code == 200:
                    break
            except requests.RequestException:  # not listening yet, or busy starting
                pass
            assert time.monotonic() < deadline and server.poll() is None, "gunicorn did not start"
            time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        server.wait(20)


@pytest.mark.django_db(transaction=True)
def test_it_accepts_at_most_3_in_any_second_across_processes_and_servers(live_api, worker_env):
    """The production limits (3/s, 60/m) through a live server of two processes, three client
    processes: one sending back to back, two in random bursts."""
    persona = make_persona("carol@example.com")
    url = f"{live_api}/api/v1/compare/{uuid.uuid4()}"  # a missing job: 404 when accepted
    duration = 5.0
    clients = [["http", pattern, url, persona.key] for pattern in ("steady", "bursts", "bursts")]
    attempts = run_clients(clients, worker_env, duration)
    accepted = sum(a.accepted for a in attempts)
    assert len(attempts) > 3 * accepted  # the clients asked for far more than the limit
    assert most_in_any_window(attempts, 1.0) <= 3
    assert accepted >= 3 * (duration - 1)  # ~3 every second: not refusing more than it must


def test_it_holds_the_longer_window_too_with_windows_scaled_down(worker_env):
    """The same limiter code with the minute scaled to 5 s: 3 per second and 9 per 5 s, so the
    longer window fills after 3 s of steady traffic and refuses the rest, as 60/minute does after
    20 s. Three processes call the limiter on the real Redis."""
    env = {**worker_env, "API_RATE_LIMITS": "3/s,9/5s"}
    key = f"scaled-{uuid.uuid4()}"
    duration = 12.0
    clients = [["limiter", pattern, key] for pattern in ("steady", "bursts", "bursts")]
    attempts = run_clients(clients, env, duration)
    assert most_in_any_window(attempts, 1.0) <= 3
    assert most_in_any_window(attempts, 5.0) <= 9
    assert sum(a.accepted for a in attempts) >= 9 * 2  # two full 5-second windows at least


def test_it_counts_on_redis_clock_when_a_hosts_clock_is_wrong(worker_env):
    """One client process's clock runs 0.7 s ahead, as a badly synchronised web host's would.
    Counting on each host's own clock (the library's default) let 4 to 6 through in one second
    here; on Redis's, 3."""
    env = {**worker_env, "API_RATE_LIMITS": "3/s,60/m"}
    key = f"skewed-{uuid.uuid4()}"
    duration = 5.0
    attempts = run_clients(
        [["limiter", "bursts", key, "0.7"], ["limiter", "bursts", key]], env, duration
    )
    assert most_in_any_window(attempts, 1.0) <= 3
    assert sum(a.accepted for a in attempts) >= 2 * duration
