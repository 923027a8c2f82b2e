"""The engine tier needs no services: engine tests run with PostgreSQL, Redis and S3 all
unreachable, because only tests that use the database or ask for `backing_services` reach them
(tests/conftest.py). A fixture that starts talking to a service for every test fails this."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from tests.conftest import ROOT


def _dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again: nothing listens there


def test_the_engine_tests_pass_with_postgresql_redis_and_s3_unreachable() -> None:
    database, redis = _dead_port(), _dead_port()
    for port in (database, redis):
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    env |= {
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{database}/none",
        "REDIS_URL": f"redis://127.0.0.1:{redis}/0",
    }
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/engines/test_text.py", "-q"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in summary and "error" not in summary and "skipped" not in summary, summary
