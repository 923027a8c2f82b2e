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
            if requests.get(f"{url}/healthz", timeout=10).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or slow on a loaded machine
            pass
        time.sleep(0.3)
    raise RuntimeError("the benchmark server did not become healthy")


# ----------------------------------------------------------------------------- production setup


@dataclass(frozen=True)
class Production:
    url: str
    keys: list[str]
    workers: int


def _s3() -> tuple[object, dict[str, str]]:
    import logging

    import boto3
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per S3 request otherwise

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    env = {
        "AWS_STORAGE_BUCKET_NAME": "diffall-bench",
        "AWS_S3_ENDPOINT_URL": f"http://{host}:{port}",
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
    }
    boto3.client(
        "s3", endpoint_url=env["AWS_S3_ENDPOINT_URL"], region_name="us-east-1",
        aws_access_key_id="bench", aws_secret_access_key="bench",
    ).create_bucket(Bucket="diffall-bench")  # fmt: skip
    return server, env


def _database(name: str, *, drop: bool = False) -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop:
            db.execute(f'CREATE DATABASE "{name}"')


@contextmanager
def production_server(*, web_workers: int = 3, keys: int = 8) -> Iterator[Production]:
    """The production setup on this machine: gunicorn with `web_workers` workers on PostgreSQL
    (a database of its own), Redis (a key prefix of its own), moto's S3 server and a Celery
    worker (concurrency 2) for video and audio jobs. Rate limits are off."""
    tag = f"bench_{os.getpid()}"
    s3, s3_env = _s3()
    _database(tag)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        **s3_env,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{tag}",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "CACHE_KEY_PREFIX": tag,
        "CELERY_BROKER_KEYPREFIX": f"{tag}:",
        "RATELIMIT_ENABLE": "false",
        "LOG_LEVEL": "WARNING",
        "API_KEY_PEPPER": os.environ.get("API_KEY_PEPPER", "bench-pepper"),
    }
    processes: list[subprocess.Popen[bytes]] = []
    try:
        manage = [str(BIN / "python"), "manage.py"]
        subprocess.run([*manage, "migrate", "--noinput"], cwd=ROOT, env=env, check=True,
                       capture_output=True)  # fmt: skip
        raw_keys = []
        for i in range(keys):
            created = subprocess.run(
                [*manage, "create_api_key", f"load{i}@diffall.local", "--credits", "100000"],
                cwd=ROOT, env=env, check=True, capture_output=True, text=True,
            )  # fmt: skip
            raw_keys.append(created.stdout.strip().splitlines()[-1])
        port = _free_port()
        processes.append(subprocess.Popen(
            [str(BIN / "gunicorn"), "diffall.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", str(web_workers), "--log-level", "warning"],
            cwd=ROOT, env=env,
        ))  # fmt: skip
        processes.append(subprocess.Popen(
            [str(BIN / "celery"), "-A", "diffall", "worker", "--queues", "default,media",
             "--concurrency", "2", "--loglevel", "WARNING", "--without-gossip",
             "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=env,
        ))  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        _wait_healthy(url, timeout=120)
        yield Production(url=url, keys=raw_keys, workers=web_workers)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
        _database(tag, drop=True)
        s3.stop()  # type: ignore[attr-defined]
