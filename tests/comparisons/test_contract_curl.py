"""The contract page's own curl lines (docs/api-contract.txt, the DiffALL API page) run as written
against this server, with only the host, the key and the job id filled in."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.engines import media_videos
from tests.personas import make_persona

CONTRACT = Path(__file__).resolve().parents[2] / "docs" / "api-contract.txt"
HOST = "https://diff-all.com"

# No skip when curl is missing: the page's curl lines are the contract, and a skip would let a
# machine without curl pass without ever running them.
pytestmark = pytest.mark.django_db(transaction=True)


def contract_commands() -> list[str]:
    """Every curl command of the page, with its backslash-continued lines joined."""
    text = CONTRACT.read_text()
    commands = re.findall(r"^curl .*?(?:\\\n.*?)*$", text, flags=re.MULTILINE)
    return [re.sub(r"\\\n\s*", " ", command) for command in commands]


def run(command: str, cwd: Path) -> dict:
    assert shutil.which("curl"), "curl is not installed: the contract's curl lines cannot run"
    result = subprocess.run(
        ["bash", "-c", command + " --silent --show-error"],
        cwd=cwd, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_page_has_the_three_curl_lines():
    commands = contract_commands()
    assert [c.split()[:3] for c in commands] == [
        ["curl", "-X", "POST"],
        ["curl", "-X", "POST"],
        ["curl", f"{HOST}/api/v1/compare/<uuid>", "-H"],
    ]


def test_the_contract_curl_lines_run_as_written(live_server, celery_worker, tmp_path, images):
    alice = make_persona("alice@example.com")
    shutil.copy(images["astronaut"], tmp_path / "before.png")
    shutil.copy(images["astronaut_edited"], tmp_path / "after.png")
    board = media_videos.default_board(seconds=6.0)
    media_videos.write_video(tmp_path / "a.mp4", board)
    media_videos.write_video(tmp_path / "b.mp4", board, width=256, height=192)

    def ours(command: str) -> str:
        return command.replace(HOST, live_server.url).replace("dk_live_your_key_here", alice.key)

    sync_image, start_video, poll = contract_commands()
    image = run(ours(sync_image), tmp_path)
    assert image["status"] == "done" and image["type"] == "image"
    assert isinstance(image["similarity"], float) and image["verdict"]

    started = run(ours(start_video), tmp_path)
    assert started["status"] == "processing"
    assert started["status_url"] == f"/api/v1/compare/{started['job_id']}"

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = run(ours(poll).replace("<uuid>", started["job_id"]), tmp_path)
        if job["status"] == "done":
            break
        assert job["status"] in ("queued", "processing") and 0 <= job["progress"] <= 100
        time.sleep(0.5)
    assert job["status"] == "done" and job["type"] == "video" and job["verdict"]


def test_the_answers_carry_the_contract_fields_for_a_subtitle_pair(alice, tmp_path):
    srt = (
        "1\n00:00:01,000 --> 00:00:03,000\nHello there.\n\n"
        "2\n00:00:04,000 --> 00:00:06,000\nGeneral Kenobi.\n"
    )
    vtt = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nHello there.\n\n"
        "00:00:04.000 --> 00:00:06.000\nGeneral Kenobi.\n"
    )
    (tmp_path / "a.srt").write_text(srt)
    (tmp_path / "b.vtt").write_text(vtt)
    body = alice.compare(tmp_path / "a.srt", tmp_path / "b.vtt").json()
    assert body["status"] == "done" and body["type"] == "subtitle" and body["similarity"] >= 99
    assert body["verdict"].startswith("Identical")
