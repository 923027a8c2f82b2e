"""What the SRT and WebVTT parsers hand back: the cues as written (times in ms, raw text), and a
report of what was not read as written - the cues skipped and the lines repaired, each with its
line number - which the engine puts in `metrics.parse`, so nothing is scored silently as fine."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

MAX_LISTED = 20  # issues listed one by one in metrics; all are counted
MAX_LINES_NAMED = 5  # line numbers named per kind of problem in the note
MAX_TEXT = 80  # characters of the offending line shown


@dataclass(frozen=True)
class RawCue:
    start_ms: int
    end_ms: int
    text: str  # as written, markup and all; lines joined with "\n"
    line: int  # the line of its timing line, for reports


@dataclass(frozen=True)
class Issue:
    line: int  # 1-based line of the file
    action: str  # "repaired" | "skipped"
    problem: str  # what was wrong and what was done, e.g. "'.' for ',' in a timestamp"
    text: str  # the line as written (clipped)

    def as_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "action": self.action,
            "problem": self.problem,
            "text": self.text,
        }


@dataclass
class ParseReport:
    issues: list[Issue] = field(default_factory=list)

    def sorted(self) -> list[Issue]:
        return sorted(self.issues, key=lambda issue: issue.line)

    def repaired(self, line: int, problem: str, text: str) -> None:
        self.issues.append(Issue(line, "repaired", problem, _clip(text)))

    def skipped(self, line: int, problem: str, text: str) -> None:
        self.issues.append(Issue(line, "skipped", problem, _clip(text)))

    def count(self, action: str) -> int:
        return sum(1 for issue in self.issues if issue.action == action)

    def same_as(self, other: ParseReport) -> bool:
        """Both files needed the same repairs and skips (then they were read the same way)."""
        return _kinds(self) == _kinds(other)

    def note(self) -> str:
        """One sentence per kind of problem: "2 cues skipped: timing line unreadable (lines 7,
        19)." - or that the file was read as written."""
        if not self.issues:
            return "Read as written."
        lines: dict[tuple[str, str], list[int]] = defaultdict(list)
        for issue in self.sorted():
            lines[(issue.action, issue.problem)].append(issue.line)
        parts = []
        for (action, problem), where in lines.items():
            named = ", ".join(str(n) for n in where[:MAX_LINES_NAMED])
            hidden = len(where) - MAX_LINES_NAMED
            more = f" and {hidden} more" if hidden > 0 else ""
            noun = "line" if len(where) == 1 else "lines"
            parts.append(f"{action} {len(where)}: {problem} ({noun} {named}{more}).")
        return " ".join(part[0].upper() + part[1:] for part in parts)

    def as_metrics(self) -> dict[str, Any]:
        return {
            "repaired": self.count("repaired"),
            "skipped": self.count("skipped"),
            "note": self.note(),
            "issues": [issue.as_dict() for issue in self.sorted()[:MAX_LISTED]],
        }


def _kinds(report: ParseReport) -> list[tuple[str, str, str]]:
    return [(issue.action, issue.problem, issue.text) for issue in report.issues]


def _clip(text: str) -> str:
    text = text.strip()
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


@dataclass(frozen=True)
class Parsed:
    cues: list[RawCue]
    report: ParseReport
