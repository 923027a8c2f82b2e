"""The reports `diffall check` leaves in its report folder: JUnit XML (which CI systems show as
test results: one test case per file) and a Markdown summary in the shape GitHub's job summary
takes (append it to $GITHUB_STEP_SUMMARY). The diff images are written by the run itself."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from diffall_cli.check import Outcome, Status, counts, ordered

JUNIT_NAME = "junit.xml"
SUMMARY_NAME = "summary.md"


@dataclass(frozen=True)
class RunInfo:
    baseline: str
    current: str
    fail_on: str
    server: str
    seconds: float
    stopped: str | None = None  # why the run ended early, if it did


def totals(outcomes: list[Outcome]) -> dict[str, int]:
    """The JUnit counts: a file on one side only is a failure, a pair not compared is skipped."""
    by = counts(outcomes)
    return {
        "tests": len(outcomes),
        "failures": by[Status.FAILED] + by[Status.ONLY_IN_BASELINE] + by[Status.ONLY_IN_CURRENT],
        "errors": by[Status.ERROR],
        "skipped": by[Status.NOT_RUN],
    }


def details(outcome: Outcome) -> str:
    answer = outcome.answer
    lines = [outcome.reason]
    if "similarity" in answer:
        lines.append(
            f"similarity: {answer['similarity']} (threshold {answer.get('threshold')}, "
            f"{answer.get('type', '?')})"
        )
    for key in ("verdict", "summary", "job_id"):
        if answer.get(key):
            lines.append(f"{key.replace('_', ' ')}: {answer[key]}")
    if outcome.diff_image:
        lines.append(f"diff image: {outcome.diff_image}")
    return "\n".join(lines)


def write_junit(path: Path, outcomes: list[Outcome], info: RunInfo) -> None:
    numbers = {k: str(v) for k, v in totals(outcomes).items()}
    elapsed = f"{info.seconds:.3f}"
    root = ET.Element("testsuites", {"name": "diffall check", "time": elapsed, **numbers})
    started = datetime.now(timezone.utc) - timedelta(seconds=info.seconds)
    suite = ET.SubElement(root, "testsuite", {
        "name": "diffall check", "time": elapsed,
        "timestamp": started.isoformat(timespec="seconds"), **numbers,
    })  # fmt: skip
    properties = ET.SubElement(suite, "properties")
    for name in ("baseline", "current", "fail_on", "server"):
        ET.SubElement(properties, "property", name=name, value=getattr(info, name))
    for outcome in ordered(outcomes):
        folder = outcome.path.rpartition("/")[0]
        case = ET.SubElement(
            suite, "testcase", name=outcome.path, time=f"{outcome.seconds:.3f}",
            classname=folder.replace("/", ".") if folder else "diffall",
        )  # fmt: skip
        tag = {Status.ERROR: "error", Status.NOT_RUN: "skipped"}.get(
            outcome.status, "failure" if outcome.failed else None
        )
        if tag:
            kind = outcome.status.value.replace(" ", "_")
            ET.SubElement(case, tag, message=outcome.reason, type=kind).text = details(outcome)
        else:
            ET.SubElement(case, "system-out").text = details(outcome)
    ET.indent(root)
    path.write_bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n")


def _cell(text: object) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _code(path: str) -> str:
    return f"`{path}`" if "`" not in path else _cell(path)


def write_markdown(path: Path, outcomes: list[Outcome], info: RunInfo) -> None:
    by = counts(outcomes)
    bad = [o for o in ordered(outcomes) if o.failed or o.status is Status.ERROR]
    compared = by[Status.PASSED] + by[Status.FAILED] + by[Status.ERROR]
    if bad:
        title = f"❌ DiffALL check: {len(bad)} of {len(outcomes)} failed"
    elif info.stopped:
        title = "⚠️ DiffALL check: stopped early"
    else:
        title = f"✅ DiffALL check: all {len(outcomes)} passed"
    fail_on = "any change" if info.fail_on == "changed" else "no match"
    lines = [
        f"## {title}",
        "",
        f"{_code(info.baseline)} (baseline) vs {_code(info.current)} · fails on **{fail_on}** · "
        f"{compared} compared in {info.seconds:.0f} s on {info.server}",
        "",
    ]
    if info.stopped:
        lines += [f"> **Stopped early:** {_cell(info.stopped)}", ""]
    lines += [
        "| " + " | ".join(s.value.capitalize() for s in Status) + " |",
        "|" + "---:|" * len(Status),
        "| " + " | ".join(str(by[s]) for s in Status) + " |",
        "",
    ]
    if bad:
        lines += ["### Failures", "", "| File | Result | Similarity | Why | Diff image |"]
        lines.append("|---|---|---:|---|---|")
        for o in bad:
            diff = _code(o.diff_image) if o.diff_image else ""
            score = o.answer.get("similarity", "")
            lines.append(
                f"| {_code(o.path)} | {o.status.value} | {score} | {_cell(o.reason)} | {diff} |"
            )
        lines.append("")
    passed = [o for o in ordered(outcomes) if o.status is Status.PASSED]
    if passed:
        lines += [f"<details><summary>Passed ({len(passed)})</summary>", ""]
        lines += ["| File | Type | Similarity | Verdict |", "|---|---|---:|---|"]
        for o in passed:
            a = o.answer
            lines.append(
                f"| {_code(o.path)} | {a.get('type', '')} | {a.get('similarity', '')} | "
                f"{_cell(a.get('summary') or a.get('verdict', ''))} |"
            )
        lines += ["", "</details>", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
