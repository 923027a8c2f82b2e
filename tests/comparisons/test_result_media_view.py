"""Audio and video results laid out: file1's and file2's ranges on one timeline (each range
knowing where both players go), the per-second chart with a red bar where a second scored 0,
an axis in seconds, and the delay in words."""

from __future__ import annotations

import uuid

from django.utils import timezone

from comparisons.models import Comparison
from comparisons.results import media

CHANGED = {"kind": "changed", "magnitude": 1.0, "before": None, "after": None,
           "time": {"source_start": 14.912, "source_end": 25.024,
                    "target_start": 15.712, "target_end": 25.824}}  # fmt: skip


def audio_result() -> Comparison:
    return Comparison(
        id=uuid.uuid4(), media_type="audio", file_a="a.wav", file_b="b.mp3",
        metrics={"offset_s": 0.8, "duration_a": 40.0, "duration_b": 40.8,
                 "timeline": [100.0] * 14 + [81.5] + [0.0] * 10 + [94.8] + [None]},
        segments=[
            {"source_start": 0.0, "source_end": 14.912, "target_start": 0.8,
             "target_end": 15.712, "score": 99.6},
            {"source_start": 25.216, "source_end": 40.0, "target_start": 26.016,
             "target_end": 40.8, "score": 99.6},
        ],
    )  # fmt: skip


def test_it_puts_both_files_on_one_timeline_and_knows_where_each_range_seeks() -> None:
    shown = media.view(audio_result(), [CHANGED])
    assert shown.offset == "file2 starts 0.8 s later"
    assert shown.length_s == 40.8
    assert [(s.kind, s.seek_a, s.seek_b) for s in shown.lane_a] == [
        ("matched", 0.0, 0.8), ("matched", 25.216, 26.016), ("changed", 14.912, 15.712),
    ]  # fmt: skip
    assert shown.lane_b[1].x == f"{100 * 26.016 / 40.8:.3f}%"  # file2's own times on its lane
    assert [row.kind for row in shown.rows] == ["matched", "changed", "matched"]  # in time order
    assert shown.extent_a == f"{100 * 40 / 40.8:.3f}%"


def test_a_second_that_scored_zero_is_a_red_bar_not_a_gap() -> None:
    bars = media.view(audio_result(), []).bars
    assert len(bars) == 27
    assert (bars[0].css, bars[0].height) == ("high", "100.000%")
    assert (bars[14].css, bars[14].height) == ("mid", "81.500%")
    zero = bars[15]
    assert (zero.css, zero.height, zero.y) == ("zero", "4.000%", "96.000%")
    assert zero.title == "15\u201316 s: 0"
    assert (bars[26].css, bars[26].height) == ("none", "100%")  # no counterpart in file2


def test_the_axis_is_marked_in_round_seconds() -> None:
    ticks = media.ticks(40.0)
    assert [t.label for t in ticks] == ["0 s", "5 s", "10 s", "15 s", "20 s", "25 s", "30 s",
                                        "35 s", "40 s"]  # fmt: skip
    assert (ticks[0].anchor, ticks[4].anchor, ticks[-1].anchor) == ("start", "middle", "end")
    assert [t.label for t in media.ticks(150.0)][:3] == ["0 s", "30 s", "1:00"]


def test_without_the_uploads_there_is_nothing_to_play() -> None:
    comparison = audio_result()
    comparison.files_purged_at = timezone.now()
    assert media.view(comparison, [CHANGED]).files_kept is False
