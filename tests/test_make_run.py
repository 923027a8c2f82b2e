"""`make run`'s script on the embedded default: it serves /healthz with every part ok, prints a
demo login and a working API key, its worker finishes an audio job sent through the embedded
broker (diffall/embedded_broker.py), and one Ctrl-C (SIGINT to its process group, as a terminal
sends it) leaves no process behind."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.engines.media_audio import encode, speak

ROOT = Path(__file__).resolve().parent.parent
# The embedded default is what nothing set means: drop what the test session points elsewhere.
SERVICE_VARS = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CACHE_KEY_PREFIX")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def group_alive(pgid: int) -> list[str]:
    out = subprocess.run(["ps", "-eo", "pgid=,pid=,args="], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if line.split()[0] == str(pgid)]


@pytest.fixture
def embedded_run(tmp_path):
    port = free_port()
    env = {
        k: v for k, v in os.environ.items() if k not in SERVICE_VARS and not k.startswith("AWS_")
    }
    env.update(PORT=str(port), DIFFALL_VAR_DIR=str(tmp_path / "var"))
    log = (tmp_path / "run.log").open("wb")
    process = subprocess.Popen(
        ["bash", "scripts/run.sh"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, like a terminal's foreground job
    )  # fmt: skip
    yield process, port, tmp_path / "run.log"
    if group_alive(process.pid):
        os.killpg(process.pid, signal.SIGKILL)


def test_make_run_serves_the_demo_and_stops_on_one_ctrl_c(embedded_run):
    process, port, log = embedded_run
    deadline = time.monotonic() + 120
    health = None
    while time.monotonic() < deadline:
        try:
            health = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
            break
        except requests.ConnectionError:
            time.sleep(0.5)
    assert health is not None and health.status_code == 200, log.read_text()
    assert health.json()["broken"] == []

    printed = log.read_text()
    assert "demo@diffall.local" in printed
    key = re.findall(r"API key:\s+(dk_live_\w+)", printed)[-1]
    me = requests.get(f"http://127.0.0.1:{port}/api/v1/me", headers={"X-API-Key": key}, timeout=5)
    assert me.json()["email"] == "demo@diffall.local"
    assert_an_audio_job_finishes(port, key, log.parent)

    os.killpg(process.pid, signal.SIGINT)
    process.wait(timeout=30)  # the script itself exits (and is reaped here)...
    deadline = time.monotonic() + 15
    while group_alive(process.pid) and time.monotonic() < deadline:
        time.sleep(0.3)
    assert group_alive(process.pid) == [], "processes left behind after Ctrl-C"  # ...and all of it


def assert_an_audio_job_finishes(port: int, key: str, folder: Path) -> None:
    speech = speak("The embedded broker carries this job to the worker.")
    files = encode(speech, folder / "a.wav"), encode(speech, folder / "b.mp3")
    base, headers = f"http://127.0.0.1:{port}", {"X-API-Key": key}
    with files[0].open("rb") as a, files[1].open("rb") as b:
        sent = requests.post(
            f"{base}/api/v1/compare", headers=headers, files={"file1": a, "file2": b}, timeout=30
        )
    assert sent.status_code == 202, sent.text
    deadline, job = time.monotonic() + 120, sent.json()
    while job["status"] != "done" and time.monotonic() < deadline:
        assert job["status"] in ("queued", "processing"), job
        # within the key's limits (3 a second, 60 a minute) however long the new worker child
        # takes to warm up: polling every 0.3 s was refused with 429 after ~18 s on a slow host
        time.sleep(1.5)
        job = requests.get(base + sent.json()["status_url"], headers=headers, timeout=5).json()
    assert job["status"] == "done" and job["match"] is True, job
