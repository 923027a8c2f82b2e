"""`diffall check` on the 10 text pairs (quick to run): what each --fail-on fails, what happens
when the key is rate-limited anyway (429s retried with the same Idempotency-Key, never shown; or
shown once they outlast --max-wait), and Ctrl-C (on six copies of them). Counted at the server:
its request log and its database."""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from defusedxml import ElementTree as SafeET

from billing import selectors as billing
from comparisons.models import Comparison
from tests.client import folders as media
from tests.client.conftest import Server, cli_command, cli_env, new_account, run_cli

pytestmark = pytest.mark.ratelimits


@pytest.fixture(scope="session")
def texts(tmp_path_factory: pytest.TempPathFactory) -> media.Folders:
    return media.texts_only(tmp_path_factory.mktemp("texts"))


COPIES = 6  # of the text folders, for the Ctrl-C test: 60 pairs take at least 20 s at 3 requests/s


@pytest.fixture(scope="session")
def many_texts(texts: media.Folders, tmp_path_factory: pytest.TempPathFactory) -> media.Folders:
    """The text folders COPIES times over, in subfolders: a run long enough that a Ctrl-C sent
    after its first pairs lands mid-run, however slowly the test itself is scheduled (with the
    10 pairs alone and a 5 s pause before the signal, the whole run finished first)."""
    root = tmp_path_factory.mktemp("many-texts")
    copies = media.Folders(baseline=root / "baseline", current=root / "current")
    for n in range(COPIES):
        shutil.copytree(texts.baseline, copies.baseline / f"copy{n}")
        shutil.copytree(texts.current, copies.current / f"copy{n}")
        copies.only_in_current |= {f"copy{n}/{path}" for path in texts.only_in_current}
    return copies


@contextmanager
def sigint_as_in_a_terminal() -> Iterator[None]:
    """Start a child with Ctrl-C at its default, as a command typed at a terminal has it. A child
    inherits an ignored SIGINT, and the suite's own SIGINT is ignored when it was started in the
    background by a shell (`make test &`, `nohup`): the CLI then rightly ignores Ctrl-C, as any
    background job does, and runs to the end. A caught signal is reset to its default at exec."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def failed_files(report: Path) -> set[str]:
    suite = SafeET.parse(report / "junit.xml").getroot().find("testsuite")
    assert suite is not None
    return {c.get("name", "") for c in suite.iter("testcase") if c.find("failure") is not None}


def junit_totals(report: Path) -> dict[str, int]:
    root = SafeET.parse(report / "junit.xml").getroot()
    return {k: int(root.get(k, -1)) for k in ("tests", "failures", "errors", "skipped")}


def test_fail_on_changed_also_fails_pairs_that_match_but_differ(
    server: Server, texts: media.Folders, tmp_path: Path
) -> None:
    account = new_account(credits=20)
    args = ["check", texts.baseline, texts.current]
    lenient = run_cli(server, account.key, [*args, "--report-dir", tmp_path / "a"])
    strict = run_cli(
        server, account.key,
        [*args, "--fail-on", "changed", "--report-dir", tmp_path / "b"],
    )  # fmt: skip
    assert (lenient.returncode, strict.returncode) == (1, 1), lenient.stderr + strict.stderr
    lonely = texts.only_in_current
    edited = {p for p in texts.passing if p.endswith("-edited.txt")}
    rewrapped = {p for p in texts.passing if p.endswith("-rewrapped.txt")}
    assert failed_files(tmp_path / "a") == texts.failing | lonely
    # changed: the edited texts match (scores near 98) but are not identical; byte-identical
    # texts never fail; a rewrap changes lines, not words: the server decides whether it counts
    assert texts.failing | lonely | edited <= failed_files(tmp_path / "b")
    assert failed_files(tmp_path / "b") <= texts.failing | lonely | edited | rewrapped
    assert (
        "changed: similarity" in strict.stdout
        and "fails on **any change**" in (tmp_path / "b" / "summary.md").read_text()
    )


def test_it_retries_429s_with_the_same_idempotency_key_and_never_shows_them(
    server: Server, texts: media.Folders, tmp_path: Path
) -> None:
    """Told a far higher limit than the key has, eight comparisons at once run into the server's
    3/s: every 429 is waited out and sent again with the same key, and nothing is charged twice."""
    account = new_account(credits=20)
    result = run_cli(
        server, account.key,
        ["check", texts.baseline, texts.current, "--report-dir", tmp_path,
         "--rate-limit", "50/s", "--concurrency", "8"],
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert failed_files(tmp_path) == texts.failing | texts.only_in_current
    shown = (result.stdout + result.stderr).replace(str(tmp_path), "REPORT")
    assert "429" not in shown and "rate" not in shown.lower()
    posts = [r for r in server.requests(account.key) if r["method"] == "POST"]
    limited = [r for r in posts if r["status"] == 429]
    accepted = [r for r in posts if r["status"] == 200]
    assert limited, "eight at once must meet the server's limit of three a second"
    assert len(accepted) == 10 and len({r["idempotency_key"] for r in accepted}) == 10
    for refused in limited:  # sent again later with the same key, and accepted then
        assert any(
            r["idempotency_key"] == refused["idempotency_key"] and r["at"] > refused["at"]
            for r in accepted
        )
    assert Comparison.objects.filter(user=account.user).count() == 10
    assert billing.credits_remaining(user=account.user) == 30 - 10


def test_it_gives_up_with_a_clear_message_when_429s_outlast_max_wait(
    server: Server, texts: media.Folders, tmp_path: Path
) -> None:
    account = new_account(credits=20)
    result = run_cli(
        server, account.key,
        ["check", texts.baseline, texts.current, "--report-dir", tmp_path,
         "--rate-limit", "50/s", "--concurrency", "8", "--max-wait", "0"],
    )  # fmt: skip
    assert result.returncode == 2
    assert "error: Still rate-limited (HTTP 429) after 1 tries over 0 s" in result.stderr
    assert "lower --concurrency, or allow a longer wait with --max-wait" in result.stderr
    totals = junit_totals(tmp_path)
    assert totals["tests"] == 11 and totals["skipped"] >= 1
    assert "> **Stopped early:** Still rate-limited" in (tmp_path / "summary.md").read_text()


def test_ctrl_c_stops_the_run_at_once_and_says_how_many_were_done(
    server: Server, many_texts: media.Folders, tmp_path: Path
) -> None:
    pairs = 10 * COPIES
    account = new_account(credits=pairs)
    with sigint_as_in_a_terminal():
        process = subprocess.Popen(
            cli_command("check", many_texts.baseline, many_texts.current, "--report-dir", tmp_path),
            env=cli_env(server, account.key),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
    assert process.stderr is not None
    seen = []
    while len(seen) < 3:  # one line per finished pair
        line = process.stderr.readline()
        assert line, f"the run ended before three pairs were done: {seen}"
        seen.append(line)
    process.send_signal(signal.SIGINT)
    interrupted = time.monotonic()
    stdout, stderr = process.communicate(timeout=30)
    # It takes ~0.04 s here, 0.2 s with the cores busy: the bound tells "stopped" from "hung" (an
    # in-flight request may wait 300 s for its answer, a 429 up to --max-wait) and from the rest
    # of the run (20 s at least); the counts below prove that no further pair was compared.
    assert time.monotonic() - interrupted < 10
    assert process.returncode == 130, stderr
    done = int(stderr.split("Interrupted: ")[1].split(f" of {pairs}")[0])
    assert 3 <= done < pairs
    assert f"the other {pairs - done} are marked not run" in stderr
    totals = junit_totals(tmp_path)
    lonely = len(many_texts.only_in_current)
    assert totals["tests"] == pairs + lonely and totals["skipped"] == pairs - done
    assert "not run" in stdout
    # the server has the ones reported done, and at most the four that were in flight besides
    created = Comparison.objects.filter(user=account.user).count()
    assert done <= created <= done + 4
