"""The test session talks to real services: PostgreSQL (DATABASE_URL), Redis (REDIS_URL, cache and
Celery broker), an S3 server on loopback (moto's standalone server, started here) behind
django-storages, and a real Celery worker process for job tests.

Each pytest run gets its own database, cache key prefix, broker key prefix and bucket, so two runs
on one machine (CI and a developer, or two developers) never see each other's rows, keys or tasks.

Only tests that use them reach the services: a database test pulls in `backing_services` through
`django_db_setup`; a test that touches Redis or S3 without the database asks for
`backing_services` or `s3_server` itself. The engine and calibration tiers ask for neither, so
`pytest tests/engines` runs with PostgreSQL, Redis and S3 all unreachable (tests/test_engine_tier.py
proves it).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from django.conf import settings
from django.test.utils import override_settings
from pytest_django import DjangoDbBlocker

from diffall.settings import s3_storage

pytest_plugins = ["tests.media", "tests.personas", "tests.xdist_scheduling"]

RUN_ID = uuid.uuid4().hex[:8]
ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"  # Debian's: Playwright cannot download its own browser here
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, object]) -> dict[str, object]:
    """Every browser test (tests/browser, the billing journey) runs Debian's Chromium."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def django_db_modify_db_settings() -> None:
    """A database of this run's own: test_diffall_<run id>."""
    for alias in settings.DATABASES.values():
        alias.setdefault("TEST", {})["NAME"] = f"test_diffall_{RUN_ID}"


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    bucket: str

    @property
    def env(self) -> dict[str, str]:
        return {
            "AWS_STORAGE_BUCKET_NAME": self.bucket,
            "AWS_S3_ENDPOINT_URL": self.endpoint,
            "AWS_S3_REGION_NAME": "us-east-1",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
        }

    def client(self):  # type: ignore[no-untyped-def]
        env = self.env
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=env["AWS_S3_REGION_NAME"],
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        )


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """moto's standalone S3 server on loopback; the default storage points at it from the first
    test that uses it to the end of the session."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    s3 = S3Server(endpoint=f"http://{host}:{port}", bucket=f"diffall-test-{RUN_ID}")
    s3.client().create_bucket(Bucket=s3.bucket)
    storages = {**settings.STORAGES, "default": s3_storage(s3.env)}
    with override_settings(STORAGES=storages):
        yield s3
    server.stop()


_services_in_use: list[
    bool
] = []  # non-empty once a test of this run has pulled in `backing_services`


@pytest.fixture(scope="session")
def backing_services(s3_server: S3Server) -> S3Server:
    """PostgreSQL, Redis and S3 for this run: the S3 server, and from here on the cache is emptied
    after every test. Any test that uses the database pulls this in (django_db_setup below)."""
    _services_in_use.append(True)
    _cache_empty()  # what tests before this one may have left under this run's prefix
    return s3_server


@pytest.fixture(scope="session")
def django_db_setup(
    backing_services: S3Server, django_db_setup: None, django_db_blocker: DjangoDbBlocker
) -> Iterator[None]:
    """pytest-django's test database, with the S3 server and this run's Redis prefixes with it.
    At the end, before pytest-django drops the database: whatever is still connected to it is
    disconnected (`_sessions_end`)."""
    yield
    with django_db_blocker.unblock():
        _sessions_end()


def _sessions_end() -> None:
    """End every other session still on this run's test database, and say whose they were.
    PostgreSQL refuses DROP DATABASE while another session is connected (after waiting 5 s for
    it to go), and pytest-django only warns: each such run left its test_diffall_* database on
    the server for good. No run measured when this was written left a session (a worker
    process's child outliving its parent, a server thread's connection); a warning names any."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT application_name, state, left(query, 80), pg_terminate_backend(pid)"
            " FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [connection.settings_dict["NAME"]],
        )
        left = cursor.fetchall()
    if left:
        warnings.warn(f"sessions left on the test database, ended: {left}", stacklevel=1)


def _cache_touched() -> bool:
    """Whether this run has used the cache: the services are up, or a test in this thread opened
    the cache without them. An engine-only run does neither and never connects to Redis."""
    from django.core.cache import caches

    return bool(_services_in_use or caches.all(initialized_only=True))


def _cache_empty() -> None:
    """Delete this run's cache keys (the pattern is applied under the run's own prefix)."""
    from django.core.cache import cache

    if hasattr(cache, "delete_pattern"):
        cache.delete_pattern("*")
    else:
        cache.clear()


@pytest.fixture(scope="session", autouse=True)
def redis_isolation() -> Iterator[None]:
    """This run's own cache key prefix and broker key prefix on the shared Redis. Setting them
    connects to nothing, so every test runs under them; emptying them at the end talks to Redis,
    so it happens only when the run used the cache."""
    from diffall.celery import app as celery_app

    prefix = f"test-{RUN_ID}"
    caches = {"default": {**settings.CACHES["default"], "KEY_PREFIX": prefix}}
    celery_app.conf.broker_transport_options = {
        **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        "global_keyprefix": f"{prefix}:",
    }
    with override_settings(CACHES=caches):
        yield
        if _cache_touched():
            _cache_empty()  # inside the override: only this run's keys


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Rate-limit counters and other cached state never leak from one test into the next."""
    yield
    if _cache_touched():
        _cache_empty()


@pytest.fixture(autouse=True)
def _rate_limits(request: pytest.FixtureRequest) -> Iterator[None]:
    """Tests send requests faster than a client may: only tests marked `ratelimits` keep the
    API's rate limits on."""
    with override_settings(
        RATELIMIT_ENABLE=request.node.get_closest_marker("ratelimits") is not None
    ):
        yield


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    log_path: Path
    hostname: str

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _start_worker(
    env: dict[str, str], log_path: Path, hostname: str, queues: str = "default,media"
) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "celery", "-A", "diffall", "worker",
        "--queues", queues, "--concurrency", "2", "--loglevel", "INFO",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
        "--hostname", hostname,
    ]  # fmt: skip
    with log_path.open("ab") as log:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def _wait_for_ping(process: subprocess.Popen[bytes], hostname: str, timeout: float) -> None:
    from diffall.celery import app as celery_app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the Celery worker exited with {process.returncode}")
        replies = celery_app.control.ping(timeout=1.0) or []
        if any(hostname in reply for reply in replies):
            return
    raise RuntimeError("the Celery worker did not answer a ping in time")


@pytest.fixture(scope="session")
def worker_env(django_db_setup: None, s3_server: S3Server) -> dict[str, str]:
    """The environment a worker process needs to share this session's database, Redis and S3."""
    from django.db import connection

    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return {
        **os.environ,
        **s3_server.env,
        "DATABASE_URL": database_url,
        "CACHE_KEY_PREFIX": f"test-{RUN_ID}",
        "CELERY_BROKER_KEYPREFIX": f"test-{RUN_ID}:",
        "DJANGO_SETTINGS_MODULE": "diffall.settings",
    }


@pytest.fixture(scope="session")
def celery_worker(worker_env: dict[str, str]) -> Iterator[Worker]:
    """A real `celery worker` process. Tests using it must be `django_db(transaction=True)`:
    the worker is another connection and cannot see an uncommitted test transaction."""
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / f"worker-{RUN_ID}.log"
    hostname = f"test-{RUN_ID}-{uuid.uuid4().hex[:4]}@localhost"
    process = _start_worker(worker_env, log_path, hostname)
    try:
        _wait_for_ping(process, hostname, timeout=90)
        yield Worker(process=process, log_path=log_path, hostname=hostname)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
