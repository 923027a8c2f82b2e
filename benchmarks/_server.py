"""A real DiffALL server for benchmarks: gunicorn on the embedded default (SQLite, local files)
in a temporary folder, with an API key holding enough credits. Rate limits are off for it, so
the benchmark measures the request, not the limiter."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Server:
    url: str
    key: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(var_dir: Path) -> dict[str, str]:
    drop = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("AWS_")}
    env.update(DIFFALL_VAR_DIR=str(var_dir), RATELIMIT_ENABLE="false", LOG_LEVEL="WARNING")
    return env


@contextmanager
def running_server(workers: int = 1) -> Iterator[Server]:
    with tempfile.TemporaryDirectory(prefix="diffall-bench-") as tmp:
        env = _env(Path(tmp))
        manage = [str(BIN / "python"), "manage.py"]
        subprocess.run([*manage, "migrate", "--noinput"], cwd=ROOT, env=env, check=True,
                       capture_output=True)  # fmt: skip
        created = subprocess.run(
            [*manage, "create_api_key", "bench@diffall.local", "--credits", "1000"],
            cwd=ROOT, env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
        key = created.stdout.strip().splitlines()[-1]
        port = _free_port()
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "diffall.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", str(workers), "--log-level", "warning"],
            cwd=ROOT, env=env,
        )  # fmt: skip
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_healthy(url)
            yield Server(url=url, key=key)
        finally:
            server.terminate()
            server.wait(10)


def _wait_healthy(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.3)
    raise RuntimeError("the benchmark server did not become healthy")
