"""The `diffall` client against a real DiffALL.

`diffall_server`: gunicorn serving diffall.wsgi in processes of its own, on this session's
PostgreSQL database, Redis prefixes and S3 bucket (the `worker_env` the Celery worker gets too),
with the API's rate limits ON as in production and every request logged by request_log.py. Audio
and video jobs also need the session's `celery_worker`.

`run_cli(...)`: the client as a subprocess, `python -m diffall_cli` from client/src, configured
only through DIFFALL_URL and DIFFALL_API_KEY as a user would.

`new_account(...)`: a customer with a key (and paid credits when asked) committed to the database,
so the server's processes see it: the tests that use it are transactional. Every test uses keys
of its own, so one test's requests never count against another's rate limit.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from accounts import services as accounts
from billing import services as billing
from tests.client.request_log import key_hash
from tests.conftest import ARTIFACTS, ROOT, RUN_ID

CLIENT_SRC = ROOT / "client" / "src"


@dataclass
class Server:
    url: str
    log_path: Path
    process: subprocess.Popen[bytes]

    def _log(self) -> list[dict[str, Any]]:
        if not self.log_path.exists():
            return []
        return [json.loads(line) for line in self.log_path.read_text().splitlines()]

    def requests(self, key: str) -> list[dict[str, Any]]:
        """Every request the server answered for `key`, in the order they arrived."""
        wanted = key_hash(key)
        return sorted(
            (e for e in self._log() if e["event"] == "done" and e["key"] == wanted),
            key=lambda entry: entry["at"],
        )

    def wait_until_idle(self, timeout: float = 60) -> None:
        """Until every request that reached the server has been answered: a client stopped
        mid-run leaves some behind, and the test's database must not be emptied under them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            events: dict[str, set[str]] = {"arrived": set(), "done": set()}
            for entry in self._log():
                events[entry["event"]].add(entry["request"])
            if events["arrived"] <= events["done"]:
                return
            time.sleep(0.2)
        raise AssertionError(f"the server still had requests in flight after {timeout} s")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_healthy(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.process.returncode}")
        try:
            if requests.get(f"{server.url}/healthz", timeout=10).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            pass  # not listening yet, or a worker still loading the app
        time.sleep(0.2)
    raise RuntimeError("the DiffALL server did not become healthy in time")


@pytest.fixture(scope="session")
def diffall_server(worker_env: dict[str, str]) -> Iterator[Server]:
    ARTIFACTS.mkdir(exist_ok=True)
    port = free_port()
    log_path = ARTIFACTS / f"client-requests-{RUN_ID}.jsonl"
    env = {
        **worker_env,
        "RATELIMIT_ENABLE": "true",  # as in production: the client must live with them
        "MAX_UPLOAD_MB": "8",  # lets the 413 test send 12 MB instead of over 100
        "DIFFALL_REQUEST_LOG": str(log_path),
    }
    command = [
        sys.executable, "-m", "gunicorn", "diffall.wsgi:application",
        "--config", str(Path(__file__).with_name("request_log.py")),
        "--bind", f"127.0.0.1:{port}", "--worker-class", "gthread",
        "--workers", "2", "--threads", "4", "--timeout", "120",
        "--error-logfile", "-", "--log-level", "warning",
    ]  # fmt: skip
    with (ARTIFACTS / f"client-server-{RUN_ID}.log").open("ab") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)
    server = Server(url=f"http://127.0.0.1:{port}", log_path=log_path, process=process)
    try:
        _wait_until_healthy(server, timeout=60)
        yield server
    finally:
        process.send_signal(signal.SIGQUIT)  # gunicorn's quick stop: nothing is left to finish
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def server(diffall_server: Server, transactional_db: None) -> Iterator[Server]:
    """The server, for one transactional test: its rows are committed, so the server's processes
    see them; afterwards, whatever the client left running is finished before the tables are
    emptied."""
    yield diffall_server
    diffall_server.wait_until_idle()


@dataclass
class Account:
    user: Any
    key: str


def new_account(credits: int = 0, email: str | None = None) -> Account:
    """A customer with a fresh key; `credits` paid credits on top of the 10 free a day."""
    email = email or f"cli-{uuid.uuid4().hex[:10]}@example.com"
    user, _ = accounts.user_get_or_create(email=email)
    _, raw = accounts.api_key_create(user=user, name="CI")
    if credits:
        billing.credits_grant_admin(user=user, amount=credits, reason="CLI tests")
    return Account(user=user, key=raw)


def cli_env(server: Server, key: str | None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIFFALL_")}
    env.update({"PYTHONPATH": str(CLIENT_SRC), "DIFFALL_URL": server.url, **extra})
    if key is not None:
        env["DIFFALL_API_KEY"] = key
    return env


def cli_command(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "diffall_cli", *map(str, args)]


def run_cli(
    server: Server,
    key: str | None,
    args: Sequence[str | Path],
    *,
    timeout: float = 180,
    cwd: Path | None = None,
    **env: str,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cli_command(*args), env=cli_env(server, key, **env), cwd=cwd,
        capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


def most_in_any_window(times: Sequence[float], seconds: float) -> int:
    """The largest number of `times` inside any sliding window of `seconds`."""
    times = sorted(times)
    most, first = 0, 0
    for last, at in enumerate(times):
        while times[first] <= at - seconds:
            first += 1
        most = max(most, last - first + 1)
    return most


# --- a Python with nothing of the project on its path (what a CI runner has) ------------------


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without anything that would let a venv see the project's packages."""
    drop = ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")
    return {**{k: v for k, v in os.environ.items() if k not in drop}, **extra}


def run(command: Sequence[str | Path], **extra: str) -> str:
    """Run `command` in the clean environment; it must succeed. Its stdout."""
    done = subprocess.run(
        list(map(str, command)), env=clean_env(**extra), capture_output=True, text=True,
        timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@contextmanager
def client_build_lock() -> Iterator[None]:
    """Building client/ writes into that folder (pip's build/ and src/*.egg-info; `make client`
    deletes build/ and dist/ first): one build at a time among this run's pytest-xdist processes
    and any other run in this checkout."""
    path = ROOT / "var" / "client-build.lock"
    path.parent.mkdir(exist_ok=True)
    with path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        yield


@pytest.fixture(scope="session")
def clean_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtualenv without system site-packages and with only `pip install ./client` in it
    (pip fetches requests and rich from the package index)."""
    venv = tmp_path_factory.mktemp("clean") / "venv"
    run([sys.executable, "-m", "venv", venv])
    with client_build_lock():
        run([venv / "bin" / "python", "-m", "pip", "install", "--quiet", ROOT / "client"])
    return venv


@pytest.fixture(scope="session")
def client_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The client's wheel, built by `make client` (with this venv's pip), and copied out of
    client/dist/, which the next build empties."""
    with client_build_lock():
        run(["make", "-C", ROOT, "client", f"BIN={Path(sys.executable).parent}"])
        wheels = list((ROOT / "client" / "dist").glob("*.whl"))
        assert len(wheels) == 1, wheels
        return Path(shutil.copy(wheels[0], tmp_path_factory.mktemp("wheel")))
