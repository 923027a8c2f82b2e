"""A real DiffALL server for benchmarks: gunicorn, started with the production config
(diffall/gunicorn.conf.py), on the embedded default (SQLite, local files) in a temporary folder,
with an API key holding enough credits - or, with `storage="s3"`, the same with its files on
moto's S3 server (the production storage path). Rate limits are off, so the benchmark measures the
request, not the limiter. `cpu_seconds` reads the CPU time the server's processes used."""

from __future__ import annotations

import os
import secrets
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
    pid: int  # gunicorn's master
    worker_pid: int | None = None  # the Celery worker's main process, if one was started
    storage_pid: int | None = None  # moto's S3 server, if the files are on it

    def cpu_seconds(self) -> float:
        """CPU time used so far by gunicorn's master and its workers (user + system)."""
        return tree_cpu_seconds(self.pid)

    def storage_cpu_seconds(self) -> float:
        """CPU time used so far by the S3 server (moto: a stand-in, not our code)."""
        return tree_cpu_seconds(self.storage_pid) if self.storage_pid else 0.0

    def worker_cpu_seconds(self) -> float:
        """CPU time used so far by the Celery worker and its pool processes."""
        return tree_cpu_seconds(self.worker_pid) if self.worker_pid else 0.0


def tree_cpu_seconds(pid: int) -> float:
    """CPU time of a live process and of its live descendants."""
    return _cpu_seconds(pid) + sum(tree_cpu_seconds(child) for child in _children(pid))


def _children(pid: int) -> list[int]:
    """The children of every thread of `pid`: a pool may fork from a thread other than the main
    one (billiard replaces a Celery pool process from its supervisor thread)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _cpu_seconds(pid: int) -> float:
    """CPU time of a live process and of its children that have ended (their time is added to
    their parent's once it has waited for them), from /proc; 0 when it is gone. With the ended
    children counted, a tree's total only grows: a PostgreSQL backend that closes, or a worker
    that gunicorn replaces, keeps its time in the sum."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    utime, stime, cutime, cstime = (int(value) for value in fields[11:15])
    return (utime + stime + cutime + cstime) / os.sysconf("SC_CLK_TCK")


def gunicorn(port: int, workers: int) -> list[str]:
    """The web process as production runs it (diffall/gunicorn.conf.py), on a local port."""
    return [
        str(BIN / "gunicorn"), "-c", str(ROOT / "diffall" / "gunicorn.conf.py"),
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
        "--log-level", "warning", "--access-logfile", "/dev/null",
    ]  # fmt: skip


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
def running_server(
    workers: int = 1, storage: str = "local", celery: bool = False
) -> Iterator[Server]:
    """The embedded default; with storage="s3", its files on a moto S3 server of its own; with
    celery=True, with a Celery worker for video and audio jobs as `make run` starts it."""
    with (
        tempfile.TemporaryDirectory(prefix="diffall-bench-") as tmp,
        _storage(storage) as (s3_env, moto_pid),
    ):
        env = {**_env(Path(tmp)), **s3_env}
        manage = [str(BIN / "python"), "manage.py"]
        subprocess.run([*manage, "migrate", "--noinput"], cwd=ROOT, env=env, check=True,
                       capture_output=True)  # fmt: skip
        created = subprocess.run(
            [*manage, "create_api_key", "bench@diffall.local", "--credits", "1000"],
            cwd=ROOT, env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
        key = created.stdout.strip().splitlines()[-1]
        port = _free_port()
        processes = [subprocess.Popen(gunicorn(port, workers), cwd=ROOT, env=env)]
        if celery:
            processes.append(start_celery_worker(env, Path(tmp) / "worker.log"))
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_healthy(url)
            if celery:
                wait_until_warm(processes[1], Path(tmp) / "worker.log")
            worker = processes[1].pid if celery else None
            yield Server(
                url=url, key=key, pid=processes[0].pid, worker_pid=worker, storage_pid=moto_pid
            )
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(20)


WORKER_PROCESSES = 2


def celery_worker() -> list[str]:
    """A worker as `make run` and production start one (both queues, concurrency 2), logging
    at INFO as docker/compose.yml's does: its processes say when they are warm."""
    return [
        str(BIN / "celery"), "-A", "diffall", "worker", "--queues", "default,media",
        "--concurrency", str(WORKER_PROCESSES), "--loglevel", "INFO", "--without-gossip",
        "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip


def start_celery_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """The worker, its output in `log` at INFO (the level its warm-up is reported at)."""
    with log.open("ab") as out:
        return subprocess.Popen(
            celery_worker(), cwd=ROOT, env={**env, "LOG_LEVEL": "INFO"}, stdout=out, stderr=out
        )


def wait_until_warm(worker: subprocess.Popen[bytes], log: Path, timeout: float = 180) -> None:
    """Until each worker process has logged that its engines are warm (diffall/celery.py). The
    main process answers at once, but its children spend seconds of CPU warming up (minutes of
    numba compiling on a cold cache): measured beside a benchmark, that is the benchmark's time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise RuntimeError(f"the Celery worker exited with {worker.returncode}: see {log}")
        if log.read_text(errors="replace").count("takes jobs now") >= WORKER_PROCESSES:
            return
        time.sleep(0.2)
    raise RuntimeError(f"the Celery worker's processes did not warm up in {timeout:.0f} s")


@contextmanager
def _storage(kind: str) -> Iterator[tuple[dict[str, str], int | None]]:
    """No variables for local files; for "s3", moto's server in a process of its own (so its
    CPU time is not the benchmark's): the AWS_* variables that point at it, and its pid."""
    if kind == "local":
        yield {}, None
        return
    import boto3

    port = _free_port()
    moto = subprocess.Popen(
        [str(BIN / "python"), "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    env = {
        "AWS_STORAGE_BUCKET_NAME": "diffall-bench",
        "AWS_S3_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
    }
    try:
        client = boto3.client(
            "s3", endpoint_url=env["AWS_S3_ENDPOINT_URL"], region_name="us-east-1",
            aws_access_key_id="bench", aws_secret_access_key="bench",
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            try:
                client.create_bucket(Bucket="diffall-bench")
                break
            except Exception:  # not listening yet
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        yield env, moto.pid
    finally:
        moto.terminate()
        moto.wait(10)


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
    pid: int  # gunicorn's master
    worker_pid: int  # the Celery worker's main process
    storage_pid: int  # moto's S3 server

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time used so far by each part of the setup on this machine (user + system). The
        database and Redis servers are shared with anything else running here; this process is
        the benchmark's clients."""
        return {
            "gunicorn": tree_cpu_seconds(self.pid),
            "S3 (moto)": tree_cpu_seconds(self.storage_pid),
            "PostgreSQL": sum(tree_cpu_seconds(pid) for pid in _roots("postgres")),
            "Redis": sum(tree_cpu_seconds(pid) for pid in _roots("redis-server")),
            "Celery": tree_cpu_seconds(self.worker_pid),
            "clients": _cpu_seconds(os.getpid()),
        }


def _roots(command: str) -> list[int]:
    """The live processes named `command` whose parent is not: a server's main process (the
    postmaster), whose tree holds its backends."""
    named = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            name, rest = stat.read_text().split(" (", 1)[1].rsplit(")", 1)
        except (OSError, ValueError):  # gone meanwhile
            continue
        named[int(stat.parent.name)] = (name, int(rest.split()[1]))
    return [
        pid for pid, (name, parent) in named.items()
        if name == command and named.get(parent, ("", 0))[0] != command
    ]  # fmt: skip


def _database(name: str, *, drop: bool = False) -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop:
            db.execute(f'CREATE DATABASE "{name}"')


@contextmanager
def production_server(*, web_workers: int = 3, keys: int = 8) -> Iterator[Production]:
    """The production setup on this machine: gunicorn with `web_workers` workers on PostgreSQL
    (a database of its own), Redis (a key prefix of its own), moto's S3 server (a process of its
    own, as in `running_server`: in the benchmark's own process it shared one GIL with the
    clients) and a Celery worker (concurrency 2) for video and audio jobs. Rate limits are off."""
    tag = f"bench_{os.getpid()}"
    with (
        _storage("s3") as (s3_env, moto_pid),
        tempfile.TemporaryDirectory(prefix="diffall-load-") as logs,
    ):
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
            # as production runs: DEBUG off (with it on, Django also records every query), behind
            # a proxy that ends TLS, so no redirect to https; the API serves no static files
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "STATIC_MANIFEST": "false",
        }
        _database(tag)
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
            processes.append(subprocess.Popen(gunicorn(port, web_workers), cwd=ROOT, env=env))
            log = Path(logs) / "worker.log"
            processes.append(start_celery_worker(env, log))
            url = f"http://127.0.0.1:{port}"
            _wait_healthy(url, timeout=120)
            wait_until_warm(processes[-1], log)
            yield Production(
                url=url, keys=raw_keys, workers=web_workers, pid=processes[0].pid,
                worker_pid=processes[1].pid, storage_pid=moto_pid or 0,
            )  # fmt: skip
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    process.kill()
            _database(tag, drop=True)


@dataclass(frozen=True)
class Done:
    """A job submitted through the API and polled until it was final."""

    upload_s: float  # from the start of the upload to the 202 that queued it
    total_s: float  # from the start of the upload to the answer that says done
    body: dict[str, object]  # that answer


def submit_and_wait(
    session: requests.Session,
    server: Server,
    a: Path,
    b: Path,
    timeout: float = 600,
    poll_s: float = 0.1,
) -> Done:
    """POST a pair whose comparison runs as a job and poll its status every `poll_s` until it is
    final. Every poll costs the server a request: polling faster than 0.1 s took CPU from the
    job."""
    started = time.perf_counter()
    with a.open("rb") as file1, b.open("rb") as file2:
        answer = session.post(
            f"{server.url}/api/v1/compare", files={"file1": file1, "file2": file2},
            headers={"X-API-Key": server.key}, timeout=120,
        )  # fmt: skip
    answer.raise_for_status()
    uploaded = time.perf_counter() - started
    body = answer.json()
    status_url = f"{server.url}{body['status_url']}"
    while body.get("status") not in ("done", "error"):
        if time.perf_counter() - started > timeout:
            raise RuntimeError(f"job {body.get('job_id')} not done after {timeout} s")
        time.sleep(poll_s)
        body = session.get(status_url, headers={"X-API-Key": server.key}, timeout=30).json()
    if body["status"] != "done":
        raise RuntimeError(f"job failed: {body}")
    return Done(upload_s=uploaded, total_s=time.perf_counter() - started, body=body)
