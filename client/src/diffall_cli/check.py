"""`diffall check`: compare every file of a baseline folder with the file at the same relative
path in a current folder, several at a time, and judge each pair.

Worker threads submit, poll and download; the calling thread only collects outcomes (so Ctrl-C,
which Python delivers to it, stops the run at once). The threads are daemons: a request still on
the wire when the run stops is abandoned, not waited for.
"""

from __future__ import annotations

import enum
import os
import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from diffall_cli.api import Api, ApiError, ClientError, Source
from diffall_cli.limiter import Stopped

# Answers that end the whole run: nothing after them can succeed with this key.
FATAL_STATUSES = (401, 402, 403)


class Status(str, enum.Enum):
    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    ONLY_IN_BASELINE = "only in baseline"
    ONLY_IN_CURRENT = "only in current"
    NOT_RUN = "not run"


@dataclass
class Outcome:
    path: str  # relative, with "/" separators
    status: Status
    reason: str  # one line: why it passed, failed or was not compared
    answer: dict[str, Any] = field(default_factory=dict)  # the API's final answer
    seconds: float = 0.0
    diff_image: str | None = None  # relative to the report folder

    @property
    def failed(self) -> bool:
        return self.status in (Status.FAILED, Status.ONLY_IN_BASELINE, Status.ONLY_IN_CURRENT)


@dataclass(frozen=True)
class Pair:
    path: str
    baseline: Path
    current: Path


@dataclass(frozen=True)
class Options:
    fail_on: str  # "no-match" | "changed"
    diffs: str  # which pairs' diff images to save: "failed" | "changed" | "none"
    fields: Mapping[str, str]  # mode, threshold, ignore_regions as the API takes them
    concurrency: int


def files_under(folder: Path) -> dict[str, Path]:
    """Every file below `folder` by relative path; hidden files and folders (.git, .DS_Store)
    are not part of a baseline."""
    found = {}
    for root, dirs, files in os.walk(folder, followlinks=True):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            if not name.startswith("."):
                path = Path(root) / name
                found[path.relative_to(folder).as_posix()] = path
    return found


def pair_up(baseline: Path, current: Path) -> tuple[list[Pair], list[Outcome]]:
    """The pairs to compare, and one failed outcome per file present on one side only."""
    before, after = files_under(baseline), files_under(current)
    pairs = [Pair(p, before[p], after[p]) for p in sorted(before.keys() & after.keys())]
    lonely = [
        Outcome(p, Status.ONLY_IN_BASELINE, f"only in the baseline ({baseline}): missing now")
        for p in sorted(before.keys() - after.keys())
    ] + [
        Outcome(p, Status.ONLY_IN_CURRENT, f"only in the current folder ({current}): no baseline")
        for p in sorted(after.keys() - before.keys())
    ]
    return pairs, lonely


def is_changed(answer: Mapping[str, Any]) -> bool:
    """`identical` when the server says it; before it did, a score below 100."""
    identical = answer.get("identical")
    if isinstance(identical, bool):
        return not identical
    return float(answer.get("similarity", 0)) < 100


def judge(answer: Mapping[str, Any], fail_on: str) -> tuple[bool, str]:
    similarity, threshold = answer.get("similarity"), answer.get("threshold")
    said = answer.get("summary") or answer.get("verdict") or ""
    if fail_on == "changed":
        if is_changed(answer):
            return False, f"changed: similarity {similarity}. {said}".strip()
        return True, f"unchanged: similarity {similarity}"
    match = answer.get("match")
    if match is None and similarity is not None and threshold is not None:
        match = float(similarity) >= float(threshold)
    if match:
        return True, f"match: similarity {similarity} >= threshold {threshold}"
    return False, f"no match: similarity {similarity} < threshold {threshold}. {said}".strip()


class Fatal(Exception):
    """Wraps the error that stopped the run (key refused, no credits, server unreachable)."""

    def __init__(self, error: ClientError) -> None:
        super().__init__(str(error))
        self.error = error


class CheckRun:
    """One run over `pairs`. `outcomes` fills as pairs finish, so what was done is known even
    when the run stops early (Ctrl-C, a fatal error)."""

    def __init__(self, api: Api, pairs: list[Pair], options: Options, report_dir: Path) -> None:
        self.api = api
        self.pairs = pairs
        self.options = options
        self.report_dir = report_dir
        self.outcomes: dict[str, Outcome] = {}
        self._todo: queue.Queue[Pair] = queue.Queue()
        self._done: queue.Queue[Outcome | Fatal] = queue.Queue()

    def run(self, on_done: Callable[[Outcome], None]) -> None:
        """Compare every pair; raise `Fatal` when the run cannot go on (KeyboardInterrupt passes
        through). Either way the workers are told to stop."""
        for pair in self.pairs:
            self._todo.put(pair)
        workers = [
            threading.Thread(target=self._work, daemon=True, name=f"diffall-{n}")
            for n in range(max(1, min(self.options.concurrency, len(self.pairs))))
        ]
        for worker in workers:
            worker.start()
        try:
            while len(self.outcomes) < len(self.pairs):
                try:
                    item = self._done.get(timeout=0.5)
                except queue.Empty:
                    if not any(w.is_alive() for w in workers):
                        break  # cannot happen unless a worker died; never wait forever
                    continue
                if isinstance(item, Fatal):
                    raise item
                self.outcomes[item.path] = item
                on_done(item)
        finally:
            self.api.stop.set()

    def not_run(self, reason: str) -> list[Outcome]:
        return [
            Outcome(p.path, Status.NOT_RUN, reason)
            for p in self.pairs
            if p.path not in self.outcomes
        ]

    def _work(self) -> None:
        while not self.api.stop.is_set():
            try:
                pair = self._todo.get_nowait()
            except queue.Empty:
                return
            try:
                self._done.put(self._compare(pair))
            except Stopped:
                return
            except ClientError as exc:  # key refused, no credits, unreachable, 429 past --max-wait
                self._done.put(Fatal(exc))
                return
            except Exception as exc:  # a bug or a local I/O error: this pair fails, not the run
                self._done.put(Outcome(pair.path, Status.ERROR, f"{type(exc).__name__}: {exc}"))

    def _compare(self, pair: Pair) -> Outcome:
        started = time.monotonic()
        try:
            answer = self.api.submit(
                Source(str(pair.baseline)), Source(str(pair.current)),
                self.options.fields, key=str(uuid.uuid4()),
            )  # fmt: skip
            answer = self.api.wait(answer)
        except ApiError as exc:
            if exc.status in FATAL_STATUSES:
                raise
            reason = f"HTTP {exc.status} {exc.code}: {exc.detail}"
            return Outcome(pair.path, Status.ERROR, reason, exc.body, time.monotonic() - started)
        seconds = time.monotonic() - started
        if answer.get("status") == "error":
            reason = f"{answer.get('error', 'error')}: {answer.get('detail', '')}"
            return Outcome(pair.path, Status.ERROR, reason, answer, seconds)
        passed, reason = judge(answer, self.options.fail_on)
        outcome = Outcome(pair.path, Status.PASSED if passed else Status.FAILED, reason, answer)
        outcome.seconds = seconds
        if self._wants_diff(outcome) and answer.get("diff_url"):
            self._save_diff(outcome, answer["diff_url"])
        return outcome

    def _wants_diff(self, outcome: Outcome) -> bool:
        if self.options.diffs == "changed":
            return is_changed(outcome.answer)
        return self.options.diffs == "failed" and outcome.status is Status.FAILED

    def _save_diff(self, outcome: Outcome, diff_url: str) -> None:
        try:
            png = self.api.download(diff_url)
        except ApiError as exc:
            if exc.status in FATAL_STATUSES:
                raise
            outcome.reason += f" (diff image not saved: {exc.detail})"
            return
        relative = f"diffs/{outcome.path}.diff.png"
        target = self.report_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.part")  # a stopped run leaves no half file
        partial.write_bytes(png)
        partial.replace(target)
        outcome.diff_image = relative


def counts(outcomes: list[Outcome]) -> dict[Status, int]:
    return {status: sum(o.status is status for o in outcomes) for status in Status}


def ordered(outcomes: list[Outcome]) -> Iterator[Outcome]:
    return iter(sorted(outcomes, key=lambda o: o.path))
