"""`diffall`: the commands, their options and exit codes.

Exit codes: 0 match (or every file passed), 1 no match (or some file failed), 2 an error (bad
arguments, key refused, no credits, server unreachable, a file the API refused), 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from diffall_cli import __version__, output
from diffall_cli.api import DEFAULT_URL, Api, ApiError, ClientError, Source
from diffall_cli.check import CheckRun, Fatal, Options, Outcome, Status, judge, pair_up
from diffall_cli.limiter import DEFAULT_RATES, RateLimiter, Stopped, parse_rates
from diffall_cli.output import err, out
from diffall_cli.reports import (
    JUNIT_NAME,
    SUMMARY_NAME,
    RunInfo,
    totals,
    write_junit,
    write_markdown,
)

MATCH, NO_MATCH, ERROR, INTERRUPTED = 0, 1, 2, 130


class UsageError(Exception):
    pass


# --- arguments ------------------------------------------------------------------------------


def _region(text: str) -> dict[str, int]:
    try:
        x, y, width, height = (int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a region: write x,y,width,height in pixels, e.g. 0,0,320,40"
        ) from None
    if min(x, y) < 0 or min(width, height) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: x and y must be >= 0, width and height >= 1")
    return {"x": x, "y": y, "width": width, "height": height}


def _connection_options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("connection")
    group.add_argument(
        "--url", default=os.environ.get("DIFFALL_URL") or DEFAULT_URL,
        help="the DiffALL site (env DIFFALL_URL; default %(default)s)",
    )  # fmt: skip
    group.add_argument(
        "--api-key", default=os.environ.get("DIFFALL_API_KEY", ""),
        help="your dk_live_… key (env DIFFALL_API_KEY)",
    )  # fmt: skip
    group.add_argument(
        "--rate-limit", default=os.environ.get("DIFFALL_RATE_LIMIT") or DEFAULT_RATES,
        help="the key's rate limit, paced on this side (env DIFFALL_RATE_LIMIT; default "
        "%(default)s, DiffALL's own; 'none' to not pace)",
    )  # fmt: skip
    group.add_argument(
        "--max-wait", type=float, metavar="SECONDS",
        default=float(os.environ.get("DIFFALL_MAX_WAIT") or 300),
        help="how long one request may keep waiting out rate limits (429) before the run gives "
        "up (env DIFFALL_MAX_WAIT; default %(default)g)",
    )  # fmt: skip
    group.add_argument(
        "--timeout", type=float, metavar="SECONDS",
        default=float(os.environ.get("DIFFALL_TIMEOUT") or 300),
        help="how long to wait for an answer before asking again, doubled at each new attempt "
        "(env DIFFALL_TIMEOUT; default %(default)g); a comparison asked again is neither run "
        "nor charged twice",
    )  # fmt: skip
    return common


def _comparison_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--mode", choices=["pixel", "feature"], help="images: how to compare")
    parser.add_argument(
        "--threshold", type=float, help="the score (0-100) a match needs; default per type"
    )
    parser.add_argument(
        "--ignore-region", type=_region, action="append", default=[], metavar="X,Y,W,H",
        help="images: a region to leave out of the comparison, in file1's pixels (repeatable)",
    )  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    common = _connection_options()
    parser = argparse.ArgumentParser(
        prog="diffall",
        description="Compare files with DiffALL: two files, or a whole folder against a baseline.",
        epilog="Exit codes: 0 match / all passed, 1 no match / something failed, 2 error, "
        "130 interrupted.",
    )  # fmt: skip
    parser.add_argument("--version", action="version", version=f"diffall {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    compare = commands.add_parser(
        "compare", parents=[common], help="compare two files (or URLs)",
        description="Compare two files or URLs: prints the score, verdict and summary. Exit 0 on "
        "a match, 1 on no match, 2 on an error.",
    )  # fmt: skip
    compare.add_argument("first", metavar="A", help="the first file, or an http(s) URL")
    compare.add_argument("second", metavar="B", help="the second file, or an http(s) URL")
    _comparison_options(compare)
    compare.add_argument("--json", action="store_true", help="print the API's JSON answer")
    compare.add_argument("--diff-out", type=Path, metavar="FILE", help="save the diff image")
    compare.set_defaults(handler=cmd_compare)

    check = commands.add_parser(
        "check", parents=[common], help="compare a folder with a baseline folder",
        description="Compare every file of CURRENT_DIR with the file at the same path in "
        "BASELINE_DIR; write a JUnit report, a Markdown summary and the diff images.",
    )  # fmt: skip
    check.add_argument("baseline", type=Path, metavar="BASELINE_DIR")
    check.add_argument("current", type=Path, metavar="CURRENT_DIR")
    check.add_argument(
        "--fail-on", choices=["no-match", "changed"], default="no-match",
        help="no-match (default): a pair fails when it scores below the threshold; changed: "
        "when it is not identical",
    )  # fmt: skip
    check.add_argument(
        "--report-dir", type=Path, default=Path("diffall-report"), metavar="DIR",
        help="where junit.xml, summary.md and diffs/ go (default %(default)s)",
    )  # fmt: skip
    check.add_argument(
        "--concurrency", type=int, default=4, metavar="N",
        help="comparisons in flight at once (default %(default)s); the rate limit still applies",
    )  # fmt: skip
    check.add_argument(
        "--diffs", choices=["failed", "changed", "none"], default="failed",
        help="whose diff images to download into DIR/diffs (default %(default)s)",
    )  # fmt: skip
    _comparison_options(check)
    check.set_defaults(handler=cmd_check)

    whoami = commands.add_parser(
        "whoami", parents=[common], help="the account, plan and credits of the key",
        description="Show whose key this is, the plan and the credits left.",
    )  # fmt: skip
    whoami.add_argument("--json", action="store_true", help="print the API's JSON answer")
    whoami.set_defaults(handler=cmd_whoami)
    return parser


def _api(args: argparse.Namespace) -> Api:
    if not args.url.lower().startswith(("http://", "https://")):
        raise UsageError(f"--url / DIFFALL_URL must start with https:// (got {args.url!r})")
    if not args.api_key:
        raise UsageError("No API key: set DIFFALL_API_KEY or pass --api-key dk_live_….")
    try:
        rates = parse_rates(args.rate_limit)
    except ValueError as exc:
        raise UsageError(f"--rate-limit: {exc}") from None
    if args.timeout <= 0:
        raise UsageError("--timeout must be more than 0 seconds")
    return Api(
        args.url, args.api_key, RateLimiter(rates),
        max_wait_s=args.max_wait, timeout_s=args.timeout,
    )  # fmt: skip


def _fields(args: argparse.Namespace) -> dict[str, str]:
    fields = {}
    if args.mode:
        fields["mode"] = args.mode
    if args.threshold is not None:
        fields["threshold"] = f"{args.threshold:g}"
    if args.ignore_region:
        fields["ignore_regions"] = json.dumps(args.ignore_region)
    return fields


def _print_json(data: Any) -> None:
    """The answer exactly as JSON (not through rich, which could wrap or colour it)."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()


# --- compare --------------------------------------------------------------------------------


def cmd_compare(args: argparse.Namespace) -> int:
    api = _api(args)
    first, second = Source(args.first), Source(args.second)
    for source in (first, second):
        if not source.is_url and not source.path.is_file():
            raise UsageError(f"No such file: {source.text}")
    try:
        answer = api.submit(first, second, _fields(args))
    except ApiError as exc:
        if args.json and exc.body:
            _print_json(exc.body)
        raise
    try:
        answer = _wait_with_progress(api, answer)
    except KeyboardInterrupt:
        output.error(
            f"Interrupted. The job keeps running on the server: {api.base.rstrip('/')}"
            f"{answer['status_url']} (poll it with your key)."
        )
        return INTERRUPTED
    if args.json:
        _print_json(answer)
    if answer.get("status") == "error":
        output.error(f"The comparison failed ({answer.get('error')}): {answer.get('detail')}")
        return ERROR
    matched, _ = judge(answer, "no-match")
    if not args.json:
        output.result(answer, matched)
    if args.diff_out:
        _save_diff(api, answer, args.diff_out)
    return MATCH if matched else NO_MATCH


def _wait_with_progress(api: Api, answer: dict[str, Any]) -> dict[str, Any]:
    if answer.get("status") in ("done", "error"):
        return answer
    if not err.is_terminal:
        err.print(f"Job {answer.get('job_id')} accepted; waiting for the result…", highlight=False)
    with Progress(
        TextColumn("Comparing"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn(),
        console=err, transient=True,
    ) as progress:  # fmt: skip
        task = progress.add_task("job", total=100)
        return api.wait(answer, on_progress=lambda p: progress.update(task, completed=p))


def _save_diff(api: Api, answer: dict[str, Any], target: Path) -> None:
    if not answer.get("diff_url"):
        err.print(f"No diff image: DiffALL makes none for {answer.get('type')} comparisons.")
        return
    target.write_bytes(api.download(answer["diff_url"]))
    err.print(f"Diff image saved to {escape(str(target))}", highlight=False)


# --- check ----------------------------------------------------------------------------------


def cmd_check(args: argparse.Namespace) -> int:
    for folder in (args.baseline, args.current):
        if not folder.is_dir():
            raise UsageError(f"No such folder: {folder}")
    if args.concurrency < 1:
        raise UsageError("--concurrency must be at least 1")
    api = _api(args)
    pairs, lonely = pair_up(args.baseline, args.current)
    if not pairs and not lonely:
        raise UsageError(f"Nothing to check: {args.baseline} and {args.current} have no files.")
    args.report_dir.mkdir(parents=True, exist_ok=True)
    options = Options(args.fail_on, args.diffs, _fields(args), args.concurrency)
    run = CheckRun(api, pairs, options, args.report_dir)
    started = time.monotonic()
    stopped, code = None, MATCH
    try:
        _run_with_progress(run, len(pairs))
    except KeyboardInterrupt:
        stopped = f"interrupted after {len(run.outcomes)} of {len(pairs)} comparisons"
        code = INTERRUPTED
    except Fatal as fatal:
        message = output.explain(fatal.error) if isinstance(fatal.error, ApiError) else str(fatal)
        output.error(message)
        stopped = f"{message} ({len(run.outcomes)} of {len(pairs)} comparisons were done)"
        code = ERROR
    outcomes = lonely + list(run.outcomes.values()) + run.not_run(f"not compared: {stopped}")
    info = RunInfo(
        baseline=str(args.baseline), current=str(args.current), fail_on=args.fail_on,
        server=args.url, seconds=time.monotonic() - started, stopped=stopped,
    )  # fmt: skip
    write_junit(args.report_dir / JUNIT_NAME, outcomes, info)
    write_markdown(args.report_dir / SUMMARY_NAME, outcomes, info)
    _print_summary(outcomes, args.report_dir)
    if code == INTERRUPTED:
        output.error(
            f"Interrupted: {len(run.outcomes)} of {len(pairs)} comparisons done; the report has "
            f"them, the other {len(pairs) - len(run.outcomes)} are marked not run."
        )
        return INTERRUPTED
    if code == ERROR:
        return ERROR
    numbers = totals(outcomes)
    return NO_MATCH if numbers["failures"] or numbers["errors"] else MATCH


_MARKS = {
    Status.PASSED: "[green]✔[/]",
    Status.FAILED: "[red]✘[/]",
    Status.ERROR: "[red]![/]",
    Status.ONLY_IN_BASELINE: "[yellow]-[/]",
    Status.ONLY_IN_CURRENT: "[yellow]+[/]",
    Status.NOT_RUN: "[dim]·[/]",
}


def _line(outcome: Outcome) -> str:
    similarity = outcome.answer.get("similarity", "")
    return (
        f"{_MARKS[outcome.status]} {escape(outcome.path)}  {similarity}  "
        f"[dim]{escape(outcome.reason)}[/]"
    )


def _run_with_progress(run: CheckRun, total: int) -> None:
    """A progress bar on a terminal; on a CI log (no terminal), one line per finished pair."""
    failed = 0
    with Progress(
        TextColumn("Checking"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
        TextColumn("[red]{task.fields[failed]} failed"), TimeElapsedColumn(),
        console=err, transient=True,
    ) as progress:  # fmt: skip
        task = progress.add_task("check", total=total, failed=0)

        def done(outcome: Outcome) -> None:
            nonlocal failed
            failed += outcome.status is not Status.PASSED
            progress.update(task, advance=1, failed=failed)
            if not err.is_terminal:
                err.print(
                    escape(f"[{len(run.outcomes)}/{total}] ") + _line(outcome), highlight=False
                )
            elif outcome.status is not Status.PASSED:
                progress.console.print(_line(outcome), highlight=False)

        run.run(done)


def _print_summary(outcomes: list[Outcome], report_dir: Path) -> None:
    groups = [
        (Status.FAILED, "Failed"),
        (Status.ERROR, "Errors"),
        (Status.ONLY_IN_BASELINE, "Only in the baseline"),
        (Status.ONLY_IN_CURRENT, "Only in the current folder"),
    ]
    for status, title in groups:
        listed = sorted((o for o in outcomes if o.status is status), key=lambda o: o.path)
        if listed:
            out.print(f"[bold]{title} ({len(listed)}):[/]", highlight=False)
            for outcome in listed:
                diff = f"  → {escape(outcome.diff_image)}" if outcome.diff_image else ""
                out.print("  " + _line(outcome) + diff, highlight=False)
    by_status = {s: sum(o.status is s for o in outcomes) for s in Status}
    parts = [f"{n} {s.value}" for s, n in by_status.items() if n]
    diffs = sum(o.diff_image is not None for o in outcomes)
    out.print(
        f"{len(outcomes)} files: {', '.join(parts)}. Report: {escape(str(report_dir))}/ "
        f"({JUNIT_NAME}, {SUMMARY_NAME}, {diffs} diff image{'' if diffs == 1 else 's'})",
        highlight=False,
    )


# --- whoami ---------------------------------------------------------------------------------


def cmd_whoami(args: argparse.Namespace) -> int:
    me = _api(args).me()
    if args.json:
        _print_json(me)
    else:
        output.account(me)
    return MATCH


# --- entry point ----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except UsageError as exc:
        output.error(str(exc))
        return ERROR
    except ApiError as exc:
        output.error(output.explain(exc))
        return ERROR
    except ClientError as exc:
        output.error(str(exc))
        return ERROR
    except (KeyboardInterrupt, Stopped):
        output.error("Interrupted.")
        return INTERRUPTED
    return code


if __name__ == "__main__":
    sys.exit(main())
