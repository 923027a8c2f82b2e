"""`diffall check` on a folder of 54 pairs (40 images, 4 audio, 10 texts) plus a file on each side
only, run once — one key, the server's rate limits on, the real worker for the audio jobs — and
judged from its exit code, its output, its three reports, and the server's own records: its
request log and its database."""

from __future__ import annotations

import subprocess
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from defusedxml import ElementTree as SafeET

from billing import selectors as billing
from comparisons.models import Comparison
from comparisons.verdicts import is_match
from tests.client import folders as media
from tests.client.conftest import Server, most_in_any_window, new_account, run_cli

pytestmark = [
    pytest.mark.slow,
    pytest.mark.ratelimits,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),  # the server's processes see committed rows only
]

# The key's limits (the server's defaults) and the most a run of this folder may take.
PER_SECOND, PER_MINUTE = 3, 60


@dataclass
class FolderRun:
    folders: media.Folders
    result: subprocess.CompletedProcess[str]
    report: Path
    seconds: float
    requests: list[dict[str, Any]]  # the server's log of this key's requests
    comparisons: dict[str, dict[str, Any]]  # job id -> the row the server stored
    credits_spent: int


@pytest.fixture(scope="session")
def folder_run(
    tmp_path_factory: pytest.TempPathFactory,
    diffall_server: Server,
    celery_worker: Any,
    django_db_blocker: Any,
) -> FolderRun:
    root = tmp_path_factory.mktemp("check")
    folders = media.build(root)
    with django_db_blocker.unblock():
        account = new_account(credits=100)
        before = billing.credits_remaining(user=account.user)
    started = time.monotonic()
    result = run_cli(
        diffall_server, account.key,
        ["check", folders.baseline, folders.current, "--report-dir", root / "report"],
        timeout=300,
    )  # fmt: skip
    seconds = time.monotonic() - started
    with django_db_blocker.unblock():  # read now: transactional tests empty the tables after
        after = billing.credits_remaining(user=account.user)
        rows = {
            str(c.id): {
                "status": c.status,
                "similarity": c.similarity,
                "threshold": c.threshold,
                "media_type": c.media_type,
            }
            for c in Comparison.objects.filter(user=account.user)
        }
    assert before is not None and after is not None
    return FolderRun(
        folders=folders, result=result, report=root / "report", seconds=seconds,
        requests=diffall_server.requests(account.key), comparisons=rows,
        credits_spent=before - after,
    )  # fmt: skip


def junit_cases(report: Path) -> tuple[ET.Element, dict[str, ET.Element]]:
    root = SafeET.parse(report / "junit.xml").getroot()
    suite = root.find("testsuite")
    assert suite is not None
    return root, {case.get("name", ""): case for case in suite.iter("testcase")}


def outcome(case: ET.Element) -> str:
    for tag in ("failure", "error", "skipped"):
        if case.find(tag) is not None:
            return tag
    return "passed"


def test_the_folder_has_the_pairs_it_promises(folder_run: FolderRun) -> None:
    folders = folder_run.folders
    assert folders.by_type == {"image": 40, "audio": 4, "text": 10}
    assert len(folders.pairs) == 54
    assert folders.only_in_baseline and folders.only_in_current


def test_it_exits_1_and_lists_the_failures_and_the_files_on_one_side(
    folder_run: FolderRun,
) -> None:
    result, folders = folder_run.result, folder_run.folders
    assert result.returncode == 1, result.stderr
    assert f"Failed ({len(folders.failing)}):" in result.stdout
    assert "Errors (1):" in result.stdout and "unreadable_file" in result.stdout
    assert "Only in the baseline (1):\n  - images/retired.png" in result.stdout
    assert "Only in the current folder (1):\n  + texts/new-notes.txt" in result.stdout
    for path in folders.failing:
        assert f"✘ {path} " in result.stdout
    # on a CI log (no terminal) one line per finished pair, numbered
    assert "[54/54] " in result.stderr and "[1/54] " in result.stderr


def test_the_junit_report_parses_and_its_counts_match_the_files(folder_run: FolderRun) -> None:
    folders = folder_run.folders
    root, cases = junit_cases(folder_run.report)
    lonely = folders.only_in_baseline | folders.only_in_current
    assert set(cases) == folders.pairs | lonely
    expected = {
        "tests": 56,
        "failures": len(folders.failing) + len(lonely),
        "errors": len(folders.unreadable),
        "skipped": 0,
    }
    for element in (root, root.find("testsuite")):
        assert element is not None
        assert {k: int(element.get(k, -1)) for k in expected} == expected
    by_outcome: dict[str, set[str]] = {}
    for name, case in cases.items():
        by_outcome.setdefault(outcome(case), set()).add(name)
    assert by_outcome == {
        "passed": folders.passing,
        "failure": folders.failing | lonely,
        "error": folders.unreadable,
    }
    assert cases["images/retired.png"].find("failure").get("type") == "only_in_baseline"  # type: ignore[union-attr]
    assert cases["texts/new-notes.txt"].find("failure").get("type") == "only_in_current"  # type: ignore[union-attr]


def test_every_verdict_in_the_report_is_the_servers_own(folder_run: FolderRun) -> None:
    """Each compared file names its job; the job stored on the server scores it the same way."""
    _, cases = junit_cases(folder_run.report)
    judged = 0
    for name, case in cases.items():
        text = "".join(case.itertext())
        job_ids = [line.split(": ")[1] for line in text.splitlines() if line.startswith("job id")]
        if name in folder_run.folders.pairs - folder_run.folders.unreadable:
            assert len(job_ids) == 1, name
            row = folder_run.comparisons[job_ids[0]]
            assert row["status"] == "done"
            assert is_match(row["similarity"], row["threshold"]) == (outcome(case) == "passed")
            assert f"similarity: {row['similarity']} " in text
            judged += 1
    assert judged == 53


def test_the_markdown_summary_has_the_shape_of_a_github_job_summary(
    folder_run: FolderRun,
) -> None:
    folders = folder_run.folders
    summary = (folder_run.report / "summary.md").read_text()
    failed = len(folders.failing) + len(folders.unreadable) + 2
    assert summary.startswith(f"## ❌ DiffALL check: {failed} of 56 failed\n")
    table = "\n".join(line for line in summary.splitlines() if line.startswith("| Passed"))
    assert table == "| Passed | Failed | Error | Only in baseline | Only in current | Not run |"
    row = f"| {len(folders.passing)} | {len(folders.failing)} | 1 | 1 | 1 | 0 |"
    assert row in summary.splitlines()
    for path in folders.failing | folders.unreadable:
        assert any(line.startswith(f"| `{path}` |") for line in summary.splitlines()), path
    assert f"<details><summary>Passed ({len(folders.passing)})</summary>" in summary


def test_it_saves_the_diff_image_of_every_failed_pair(folder_run: FolderRun) -> None:
    folders = folder_run.folders
    saved = {p.relative_to(folder_run.report).as_posix() for p in folder_run.report.rglob("*.png")}
    # text comparisons have no diff image; every failed image and audio pair has one
    wanted = {f"diffs/{p}.diff.png" for p in folders.failing if not p.startswith("texts/")}
    assert saved == wanted
    for name in saved:
        assert (folder_run.report / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    downloads = [r for r in folder_run.requests if r["path"].endswith("/diff.png")]
    assert len(downloads) == len(wanted) and {r["status"] for r in downloads} == {200}


def test_it_stays_inside_the_rate_limit_as_the_server_counts_it(folder_run: FolderRun) -> None:
    requests = folder_run.requests
    times = [r["at"] for r in requests]
    assert len(requests) > PER_MINUTE  # enough to meet the minute limit, not only the second
    assert most_in_any_window(times, 1.0) <= PER_SECOND
    assert most_in_any_window(times, 60.0) <= PER_MINUTE
    assert [r for r in requests if r["status"] == 429] == []
    shown = folder_run.result.stdout + folder_run.result.stderr
    assert "429" not in shown and "rate" not in shown.lower()
    # paced, not slowed down beyond that: the requests past the first minute's 60 follow
    # straight after it
    assert folder_run.seconds < 60 + (len(requests) - PER_MINUTE) / PER_SECOND * 1.2 + 20


def test_it_sends_one_idempotency_key_per_comparison_and_is_charged_once(
    folder_run: FolderRun,
) -> None:
    posts = [r for r in folder_run.requests if r["method"] == "POST"]
    assert len(posts) == 54  # no retries were needed, so one POST per pair
    keys = [r["idempotency_key"] for r in posts]
    assert len(set(keys)) == 54 and all(len(k or "") == 36 for k in keys)
    done = [row for row in folder_run.comparisons.values() if row["status"] == "done"]
    assert len(done) == 53 and folder_run.credits_spent == 53
    polls = [r for r in folder_run.requests if r["method"] == "GET" and "diff" not in r["path"]]
    audio_jobs = {j for j, row in folder_run.comparisons.items() if row["media_type"] == "audio"}
    assert {r["path"].rsplit("/", 1)[1] for r in polls} == audio_jobs
