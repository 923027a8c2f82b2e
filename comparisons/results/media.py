"""Audio and video results: both files' time ranges on one timeline (what matched, what
differs, each range seeking both players), the per-second chart with its axis, and the delay
in words ("file2 starts 0.8 s later").

Geometry is given in percentages for SVG attributes, so the page needs no inline style (the CSP
forbids them) and the pictures scale with the page."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from comparisons import verdicts
from comparisons.engines.summaries import seconds
from comparisons.models import Comparison
from comparisons.results import wording

TICK_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)
MAX_TICKS = 8
ZERO_BAR = 4.0  # the height (of 100) of the red bar drawn for a second that scored 0
DEGRADED = 0.5  # a `changed` span below this magnitude is shared audio that sounds degraded
WORDS = {"changed": "differs", "degraded": "degraded", "removed": "only in file1",
         "added": "only in file2", "moved": "moved"}  # fmt: skip


def _pct(value: float) -> str:
    return f"{max(0.0, min(100.0, value)):.3f}%"


@dataclass
class Span:
    """One range on a lane of the timeline, and where each player goes when it is clicked."""

    kind: str  # "matched" | "changed" | "degraded" | "removed" | "added"
    x: str
    width: str
    seek_a: float
    seek_b: float
    label: str


@dataclass
class Bar:
    x: str
    width: str
    y: str
    height: str
    css: str  # "high" | "mid" | "low" | "zero" | "none"
    title: str


@dataclass
class Tick:
    x: str
    label: str
    anchor: str  # SVG text-anchor: the first tick starts, the last ends, the rest are centred


@dataclass
class ChangeRow:
    """A row of the ranges table: what, where in each file, and where the players go."""

    kind: str
    word: str
    text_a: str
    text_b: str
    seek_a: float
    seek_b: float


@dataclass
class MediaView:
    element: str  # "audio" | "video"
    offset: str  # the delay in words
    length_s: float  # the timeline's length (the longer file)
    lane_a: list[Span] = field(default_factory=list)
    lane_b: list[Span] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)
    bar_ticks: list[Tick] = field(default_factory=list)
    segments: list[ChangeRow] = field(default_factory=list)
    changes: list[ChangeRow] = field(default_factory=list)

    @property
    def rows(self) -> list[ChangeRow]:
        """What matched and what differs, in file1's order (file2's for what file1 lacks)."""
        return sorted(self.segments + self.changes, key=lambda row: (row.seek_a, row.seek_b))

    offset_s: float = 0.0
    extent_a: str = "100%"  # how much of the timeline each file covers
    extent_b: str = "100%"
    files_kept: bool = True
    url_a: str = ""
    url_b: str = ""


def view(comparison: Comparison, changes: list[dict[str, Any]]) -> MediaView:
    metrics = comparison.metrics
    offset = float(metrics.get("offset_s") or 0.0)
    offset = 0.0 if abs(offset) < wording.NO_DELAY_S else offset
    duration_a = float(metrics.get("duration_a") or 0.0)
    duration_b = float(metrics.get("duration_b") or 0.0)
    ends = [duration_a, duration_b]
    for segment in comparison.segments:
        ends += [segment.get("source_end") or 0.0, segment.get("target_end") or 0.0]
    length = max(ends) or 1.0
    found = MediaView(
        element="video" if comparison.media_type == "video" else "audio",
        offset=wording.file2_starts(offset), length_s=length, offset_s=offset,
        extent_a=_pct(100 * (duration_a or length) / length),
        extent_b=_pct(100 * (duration_b or length) / length), ticks=ticks(length),
        files_kept=comparison.files_purged_at is None and bool(comparison.file_a),
        url_a=reverse("comparisons:comparison_file", args=[comparison.id, "file1"]),
        url_b=reverse("comparisons:comparison_file", args=[comparison.id, "file2"]),
    )  # fmt: skip
    for segment in comparison.segments:
        _matched(found, segment, length)
    for change in changes:
        if "time" in change and change["kind"] != "shifted":
            _changed(found, change, offset, length)
    timeline = metrics.get("timeline") or []
    found.bars = bars(timeline)
    found.bar_ticks = ticks(float(len(timeline))) if timeline else []
    return found


def _matched(found: MediaView, segment: dict[str, Any], length: float) -> None:
    a0, a1 = segment["source_start"], segment["source_end"]
    b0, b1 = segment["target_start"], segment["target_end"]
    score = seconds(float(segment.get("score") or 0.0))
    label = f"Matched (score {score}): file1 {wording.span(a0, a1)}, file2 {wording.span(b0, b1)}"
    found.lane_a.append(_span("matched", a0, a1, a0, b0, label, length))
    found.lane_b.append(_span("matched", b0, b1, a0, b0, label, length))
    found.segments.append(
        ChangeRow("matched", f"score {score}", wording.span(a0, a1), wording.span(b0, b1), a0, b0)
    )


def _changed(found: MediaView, change: dict[str, Any], offset: float, length: float) -> None:
    time = change["time"]
    a0, a1, b0, b1 = (time[k] for k in ("source_start", "source_end", "target_start", "target_end"))
    seek_a = a0 if a0 is not None else max(0.0, (b0 or 0.0) - offset)
    seek_b = b0 if b0 is not None else max(0.0, (a0 or 0.0) + offset)
    kind = change["kind"]
    if kind == "changed" and change.get("magnitude", 1.0) < DEGRADED:
        kind = "degraded"
    word = WORDS.get(kind, kind)
    label = f"{word.capitalize()}: file1 {wording.span(a0, a1)}, file2 {wording.span(b0, b1)}"
    if a0 is not None:
        found.lane_a.append(_span(kind, a0, a1, seek_a, seek_b, label, length))
    if b0 is not None:
        found.lane_b.append(_span(kind, b0, b1, seek_a, seek_b, label, length))
    found.changes.append(
        ChangeRow(kind, word, wording.span(a0, a1), wording.span(b0, b1), seek_a, seek_b)
    )


def _span(
    kind: str, start: float, end: float, seek_a: float, seek_b: float, label: str, length: float
) -> Span:
    width = max(100 * (end - start) / length, 0.4)  # a short change stays visible and clickable
    return Span(kind, _pct(100 * start / length), _pct(width), round(seek_a, 3),
                round(seek_b, 3), label)  # fmt: skip


def ticks(length: float) -> list[Tick]:
    """Seconds marked along an axis of `length` seconds, at most MAX_TICKS, on round steps."""
    step = next((s for s in TICK_STEPS if length / s <= MAX_TICKS), TICK_STEPS[-1])
    found = []
    at = 0
    while at <= length + 1e-9:
        anchor = "start" if at == 0 else ("end" if length - at < step / 2 else "middle")
        found.append(Tick(_pct(100 * at / length), _tick_label(at), anchor))
        at += step
    return found


def _tick_label(at: float) -> str:
    return f"{int(at)} s" if at < 60 else wording.clock(at)


def bars(timeline: list[float | None]) -> list[Bar]:
    """One bar per second of file1 (0-100 high); a second that scored 0 gets a short red bar
    (not nothing), a second with no counterpart in file2 a grey band."""
    count = len(timeline)
    found = []
    for second, score in enumerate(timeline):
        x, width = _pct(100 * second / count), _pct(max(100 / count - 0.25, 0.1))
        where = f"{second}\u2013{second + 1} s"
        if score is None:
            found.append(Bar(x, width, "0%", "100%", "none", f"{where}: no counterpart in file2"))
            continue
        value = float(score)
        height = max(value, ZERO_BAR) if value < 1 else value
        css = "zero" if value < 1 else verdicts.score_class(value)
        found.append(
            Bar(x, width, _pct(100 - height), _pct(height), css, f"{where}: {seconds(value)}")
        )
    return found
