"""What the user reads when something is wrong, and the exit code 2 that goes with it: the API's
401, 402, 413 and 422 (each with its own detail), a server that is not there, a missing key or
file, a bad argument — and a check that runs out of credits half-way."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from defusedxml import ElementTree as SafeET

from billing import services as billing
from tests.client import folders as media
from tests.client.conftest import Server, free_port, new_account, run_cli
from tests.engines import media_images


@pytest.fixture(scope="session")
def photos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("photos")
    photo = media_images.photo_at("chelsea", (320, 240))
    whole = media_images.write(folder / "whole.png", photo)
    noise = np.random.default_rng(5).integers(0, 256, (2000, 2000, 3), dtype=np.uint8)
    return {
        "photo": whole,
        "truncated": media_images.truncated_copy(whole, folder / "cut.png", keep=0.3),
        "large": media_images.write(folder / "large.png", noise),  # 12 MB; the server takes 8
    }


def spend_free_credits(user: Any) -> None:
    """Today's 10 free credits, spent the way comparisons spend them."""
    for _ in range(10):
        billing.credits_reserve(user=user, comparison_id=uuid.uuid4(), media_type="image")


def test_a_refused_key_says_so(server: Server, photos: dict[str, Path]) -> None:
    key = "dk_live_" + "x" * 40
    result = run_cli(server, key, ["compare", photos["photo"], photos["photo"]])
    assert result.returncode == 2
    assert result.stderr.startswith("error: The API key was refused (HTTP 401 invalid_api_key): ")
    assert "Set DIFFALL_API_KEY (or --api-key)" in result.stderr


def test_no_credits_left_says_so(server: Server, photos: dict[str, Path]) -> None:
    account = new_account()
    spend_free_credits(account.user)
    result = run_cli(server, account.key, ["compare", photos["photo"], photos["photo"]])
    assert result.returncode == 2
    assert result.stderr.startswith("error: No credits left (HTTP 402 no_credits): No credits")
    assert "`diffall whoami` shows what is left today." in result.stderr


def test_a_file_over_the_size_limit_says_so(server: Server, photos: dict[str, Path]) -> None:
    assert photos["large"].stat().st_size > 8 * 1024 * 1024
    account = new_account()
    result = run_cli(server, account.key, ["compare", photos["large"], photos["photo"]])
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(
        "error: A file is too large (HTTP 413 file_too_large): file1 is larger than the 8 MB"
    )


def test_an_unreadable_file_says_so(server: Server, photos: dict[str, Path]) -> None:
    account = new_account()
    result = run_cli(server, account.key, ["compare", photos["photo"], photos["truncated"]])
    assert result.returncode == 2
    assert result.stderr.startswith(
        "error: The files could not be compared (HTTP 422 unreadable_file): "
    )


def test_a_server_that_is_not_there_says_so(server: Server, photos: dict[str, Path]) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"
    result = run_cli(
        server, "dk_live_unused", ["compare", photos["photo"], photos["photo"]],
        DIFFALL_URL=nowhere, DIFFALL_MAX_WAIT="1.5",
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr == (
        f"error: Cannot reach DiffALL at {nowhere}: the connection was refused (nothing is "
        "listening there) (2 attempts). Check DIFFALL_URL (or --url) and your network.\n"
    )


def test_a_missing_key_file_or_bad_region_is_an_error_before_any_request(
    server: Server, photos: dict[str, Path], tmp_path: Path
) -> None:
    no_key = run_cli(server, None, ["compare", photos["photo"], photos["photo"]])
    assert no_key.returncode == 2
    assert "No API key: set DIFFALL_API_KEY or pass --api-key" in no_key.stderr
    account = new_account()
    missing = run_cli(server, account.key, ["compare", photos["photo"], tmp_path / "x"])
    assert missing.returncode == 2 and f"No such file: {tmp_path / 'x'}" in missing.stderr
    region = run_cli(
        server, account.key,
        ["compare", photos["photo"], photos["photo"], "--ignore-region", "10,10,50"],
    )  # fmt: skip
    assert region.returncode == 2 and "write x,y,width,height in pixels" in region.stderr
    assert server.requests(account.key) == []


def test_a_check_that_runs_out_of_credits_stops_and_reports_what_was_done(
    server: Server, tmp_path: Path
) -> None:
    texts = media.texts_only(tmp_path / "texts")
    account = new_account(credits=3)
    spend_free_credits(account.user)
    report = tmp_path / "report"
    result = run_cli(
        server, account.key,
        ["check", texts.baseline, texts.current, "--report-dir", report, "--concurrency", "1"],
    )  # fmt: skip
    assert result.returncode == 2
    assert "error: No credits left (HTTP 402 no_credits)" in result.stderr
    root = SafeET.parse(report / "junit.xml").getroot()
    assert (root.get("tests"), root.get("skipped")) == ("11", "7")  # 3 compared, 7 not
    assert "> **Stopped early:** No credits left" in (report / "summary.md").read_text()
