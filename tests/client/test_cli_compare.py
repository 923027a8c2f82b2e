"""`diffall compare` and `diffall whoami` against the real server: what they print, the exit
codes, the JSON answer, the diff image, polling an audio job with a progress bar, and the
Idempotency-Key every comparison carries (checked in the server's request log)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from django.utils import timezone

from billing import selectors as billing
from billing import services as billing_services
from comparisons.models import Comparison
from tests.client.conftest import Server, new_account, run_cli
from tests.engines import media_audio, media_images, media_texts


@pytest.fixture(scope="session")
def pictures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pictures")
    photo = media_images.photo_at("astronaut", (320, 240))
    other = media_images.photo_at("rocket", (320, 240))
    return {
        "photo": media_images.write(folder / "photo.png", photo),
        "reencoded": media_images.write_jpeg(folder / "photo.jpg", photo, quality=85),
        "other": media_images.write(folder / "other.png", other),
        "pasted": media_images.write(
            folder / "pasted.png", media_images.pasted(photo, other, (40, 30, 200, 150))
        ),
    }


def test_it_prints_the_score_and_verdict_and_exits_0_on_a_match(
    server: Server, pictures: dict[str, Path]
) -> None:
    account = new_account()
    result = run_cli(server, account.key, ["compare", pictures["photo"], pictures["reencoded"]])
    assert result.returncode == 0, result.stderr
    stored = Comparison.objects.get(user=account.user)
    first, *rest = result.stdout.splitlines()
    assert first == f"✔ match     {stored.similarity} / 100  (threshold {stored.threshold})"
    assert f"Job           {stored.id}" in rest
    assert any(line.startswith("Verdict       ") and len(line) > 20 for line in rest)
    assert "Credits left  9" in rest


def test_it_exits_1_on_no_match_and_saves_the_diff_image(
    server: Server, pictures: dict[str, Path], tmp_path: Path
) -> None:
    account = new_account()
    diff = tmp_path / "diff.png"
    result = run_cli(
        server, account.key,
        ["compare", pictures["photo"], pictures["other"], "--diff-out", diff],
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("✘ no match")
    stored = Comparison.objects.get(user=account.user)
    served = requests.get(
        f"{server.url}/api/v1/compare/{stored.id}/diff.png",
        headers={"X-API-Key": account.key}, timeout=10,
    )  # fmt: skip
    assert diff.read_bytes() == served.content and served.content[:4] == b"\x89PNG"


def test_json_prints_the_api_answer_itself(server: Server, pictures: dict[str, Path]) -> None:
    account = new_account()
    result = run_cli(
        server, account.key,
        ["compare", pictures["photo"], pictures["other"], "--json", "--threshold", "0"],
    )  # fmt: skip
    answer = json.loads(result.stdout)
    assert result.returncode == 0  # a threshold of 0 makes any two files a match
    assert answer["status"] == "done" and answer["threshold"] == 0.0 and answer["match"] is True
    stored = Comparison.objects.get(id=answer["job_id"])
    assert answer["similarity"] == stored.similarity and stored.threshold == 0.0


def test_ignore_region_leaves_a_region_out_of_the_comparison(
    server: Server, pictures: dict[str, Path]
) -> None:
    account = new_account()
    args = ["compare", pictures["photo"], pictures["pasted"], "--json"]
    whole = run_cli(server, account.key, args)
    masked = run_cli(server, account.key, [*args, "--ignore-region", "40,30,200,150"])
    assert (whole.returncode, masked.returncode) == (1, 0), whole.stderr + masked.stderr
    answer = json.loads(masked.stdout)
    assert json.loads(whole.stdout)["identical"] is False
    assert answer["ignore_regions"] == [{"x": 40, "y": 30, "width": 200, "height": 150}]
    assert answer["identical"] is True and answer["similarity"] == 100
    stored = Comparison.objects.get(id=answer["job_id"])
    assert stored.options["ignore_regions"] == answer["ignore_regions"]


def test_every_comparison_carries_an_idempotency_key_of_its_own(
    server: Server, pictures: dict[str, Path]
) -> None:
    account = new_account()
    for _ in range(2):
        run_cli(server, account.key, ["compare", pictures["photo"], pictures["other"]])
    posts = [r for r in server.requests(account.key) if r["method"] == "POST"]
    keys = [r["idempotency_key"] for r in posts]
    assert len(posts) == 2 and keys[0] != keys[1]
    assert all(str(uuid.UUID(key)) == key for key in keys)


@pytest.mark.worker
def test_it_polls_an_audio_job_with_a_progress_bar(
    server: Server, celery_worker: Any, tmp_path: Path
) -> None:
    account = new_account()
    speech = media_audio.speak(media_audio.license_words("GPL-3", skip=40, count=25))
    first = media_audio.encode(speech, tmp_path / "a.wav")
    second = media_audio.encode(speech, tmp_path / "b.mp3", out_rate=44100, channels=2)
    # TTY_COMPATIBLE: rich draws as on a terminal, so the bar is in what it writes
    result = run_cli(server, account.key, ["compare", first, second], TTY_COMPATIBLE="1")
    assert result.returncode == 0, result.stderr
    assert "Comparing" in result.stderr and "━━━━" in result.stderr and "%" in result.stderr
    assert "✔ match" in result.stdout and "audio" in result.stdout
    seen = server.requests(account.key)
    job = Comparison.objects.get(user=account.user)
    assert (seen[0]["method"], seen[0]["status"]) == ("POST", 202)
    polls = [r for r in seen[1:] if r["path"] == f"/api/v1/compare/{job.id}"]
    assert polls and {r["status"] for r in polls} == {200} and len(polls) == len(seen) - 1


def test_urls_are_sent_for_the_server_to_fetch(server: Server, pictures: dict[str, Path]) -> None:
    """A URL is sent as source_url/target_url: the server fetches it itself, and refuses one
    on loopback (the answer proves the URL reached it as a URL)."""
    account = new_account()
    url = f"{server.url}/static/photo.png"
    result = run_cli(server, account.key, ["compare", url, pictures["photo"]])
    assert result.returncode == 2
    assert result.stderr.startswith(
        f"error: DiffALL refused the request (HTTP 400 url_not_allowed): {url} points to 127.0.0.1"
    )


def test_whoami_prints_the_account_plan_and_credits_behind_the_key(server: Server) -> None:
    account = new_account(credits=5, email="whoami@example.com")
    shown = run_cli(server, account.key, ["whoami"])
    answer = run_cli(server, account.key, ["whoami", "--json"])
    assert shown.returncode == answer.returncode == 0
    me = requests.get(
        f"{server.url}/api/v1/me", headers={"X-API-Key": account.key}, timeout=10
    ).json()
    assert json.loads(answer.stdout) == me
    assert shown.stdout.splitlines() == [
        "Account       whoami@example.com",
        f"Key           CI ({me['key']['hint']})",
        "Plan          free",
        "Credits left  15 (10 free today + 5 paid)",
    ]
    until = timezone.now() + timedelta(days=30)
    billing_services.plan_set_enterprise(user=account.user, until=until)
    lines = run_cli(server, account.key, ["whoami"]).stdout.splitlines()
    assert lines[2:] == [
        f"Plan          enterprise (until {until.astimezone(UTC).date()})",
        "Credits left  unlimited",
    ]


def test_asked_again_after_a_timeout_a_comparison_is_run_and_charged_once(
    server: Server, tmp_path: Path
) -> None:
    """What Idempotency-Key is for: the answer is late, so the client asks again with the same
    key; the server answers 409 while the first request is still running, then that request's
    own answer — one comparison, one credit."""
    # 5 MB: a comparison of seconds (about 2 s on a fast machine), so the client, giving up after
    # 0.5 s and asking again 1 s later, finds the first request still running
    text = (media_texts.licence("GPL-3") + "\n") * 140
    first = media_texts.write(tmp_path / "a.txt", text)
    second = media_texts.write(tmp_path / "b.txt", media_texts.edited_words(text, 0.05, 1)[0])
    account = new_account()
    result = run_cli(
        server, account.key, ["compare", first, second, "--json"], DIFFALL_TIMEOUT="0.5"
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    stored = Comparison.objects.get(user=account.user)  # exactly one
    assert answer["job_id"] == str(stored.id) and answer["similarity"] == stored.similarity
    assert billing.credits_remaining(user=account.user) == 9
    posts = [r for r in server.requests(account.key) if r["method"] == "POST"]
    assert len({r["idempotency_key"] for r in posts}) == 1
    asked_again = [r["status"] for r in posts[1:]]
    assert 409 in asked_again and asked_again[-1] == 200
    assert set(asked_again) == {409, 200}
