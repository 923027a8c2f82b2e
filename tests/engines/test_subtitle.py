"""The subtitle engine on subtitles written from real text (the GPL's preamble, Django's French and
Russian translations) with real-looking timings, in SRT and WebVTT and several encodings."""

from __future__ import annotations

import gzip
import json
import random
import time
from dataclasses import replace
from pathlib import Path

import pytest

from comparisons.engines import get_engine
from comparisons.engines.base import Options, Result, UnreadableFile, no_progress
from comparisons.engines.subtitle import engine
from tests.engines.media_texts import (
    Cue,
    cues_from,
    licence,
    mangled,
    sentences,
    shifted,
    srt,
    tiny_cues_srt,
    translations,
    vtt,
    write,
)


def compare(a: Path, b: Path) -> Result:
    return engine.compare(a, b, Options(), no_progress)


def gpl_cues(count: int = 60) -> list[Cue]:
    return cues_from(sentences(licence("GPL-3"))[:count])


@pytest.fixture
def gpl_srt(tmp_path: Path) -> Path:
    return write(tmp_path / "gpl.srt", srt(gpl_cues()))


def test_it_is_the_registered_subtitle_engine() -> None:
    assert get_engine("subtitle") is engine
    assert (engine.media_type, engine.runs_async) == ("subtitle", False)


@pytest.mark.parametrize(
    ("language", "srt_encoding", "vtt_encoding", "newline", "hours"),
    [
        ("en", "utf-8", "utf-8-sig", "\r\n", True),
        ("en", "utf-8-sig", "utf-16", "\r\n", False),
        ("fr", "cp1252", "utf-8", "\n", True),
        ("ru", "cp1251", "utf-16", "\r\n", False),
    ],
)
def test_it_scores_an_srt_and_a_vtt_of_the_same_cues_100(
    tmp_path: Path, language: str, srt_encoding: str, vtt_encoding: str, newline: str, hours: bool
) -> None:
    cues = gpl_cues() if language == "en" else cues_from(translations(language))
    a = write(tmp_path / "a.srt", srt(cues), srt_encoding, newline)
    b = write(tmp_path / "b.vtt", vtt(cues, hours=hours), vtt_encoding)

    result = compare(a, b)

    assert result.similarity == 100.0
    assert result.changes == []
    metrics = result.metrics
    assert (metrics["format_a"], metrics["format_b"]) == ("srt", "vtt")
    assert metrics["cues_a"] == metrics["cues_b"] == metrics["cues_matched"] == len(cues)
    assert (metrics["wer"], metrics["offset_ms"], metrics["matched_ratio"]) == (0, 0, 1)
    assert result.segments == [
        {
            "source_start": cues[0].start_ms / 1000, "source_end": cues[-1].end_ms / 1000,
            "target_start": cues[0].start_ms / 1000, "target_end": cues[-1].end_ms / 1000,
            "score": 100.0,
        }
    ]  # fmt: skip


@pytest.mark.parametrize("delay_ms", [400, -250, 3_000])
def test_it_reports_a_constant_delay_as_one_shift_without_counting_it(
    tmp_path: Path, gpl_srt: Path, delay_ms: int
) -> None:
    cues = gpl_cues()
    later = write(tmp_path / "later.vtt", vtt(shifted(cues, delay_ms)), "utf-16")

    result = compare(gpl_srt, later)

    assert result.metrics["offset_ms"] == delay_ms
    assert result.similarity == 100.0
    assert result.metrics["timing_overlap"] == 1.0
    [delay] = result.changes  # the same subtitles, but not identical: every cue moved
    first, last, by = cues[0].start_ms / 1000, cues[-1].end_ms / 1000, delay_ms / 1000
    assert delay["kind"] == "shifted" and "cue" not in delay
    assert delay["time"] == {
        "source_start": first, "source_end": last,
        "target_start": first + by, "target_end": last + by,
    }  # fmt: skip
    assert 0 < delay["magnitude"] < 0.1  # a few seconds of a several-minute span
    later_or_earlier = "later" if delay_ms > 0 else "earlier"
    assert result.summary == f"all cues {abs(by):g} s {later_or_earlier}"
    assert result.identical is False
    segment = result.segments[0]
    assert segment["target_start"] == pytest.approx(segment["source_start"] + delay_ms / 1000)


def test_it_lists_changed_removed_added_and_retimed_cues(tmp_path: Path, gpl_srt: Path) -> None:
    cues = gpl_cues()
    edited = list(cues)
    edited[5] = replace(cues[5], lines=("Every word of this cue is new.",))
    edited[20] = replace(cues[20], start_ms=cues[20].start_ms + 700, end_ms=cues[20].end_ms + 700)
    del edited[10]
    last = cues[-1]
    edited.append(Cue(last.end_ms + 500, last.end_ms + 2_500, ("A closing line.",)))
    other = write(tmp_path / "edited.srt", srt(edited), "utf-8-sig", "\r\n")

    result = compare(gpl_srt, other)

    def where(i: int | None, a: Cue | None, j: int | None, b: Cue | None) -> dict[str, object]:
        """Each file's cue number and its time in seconds; null on a side without the cue."""
        return {
            "cue": {"source_index": i, "target_index": j},
            "time": {
                "source_start": a.start_ms / 1000 if a else None,
                "source_end": a.end_ms / 1000 if a else None,
                "target_start": b.start_ms / 1000 if b else None,
                "target_end": b.end_ms / 1000 if b else None,
            },
        }

    def text(cue: Cue) -> str:
        return " ".join(cue.lines)

    retimed = cues[20]
    length = retimed.end_ms / 1000 - retimed.start_ms / 1000
    moved_by = 1 - (length - 0.7) / (length + 0.7)  # 1 - IoU of where it was and where it is
    found = [{k: v for k, v in c.items() if k != "magnitude"} for c in result.changes]
    assert found == [
        {"kind": "changed", **where(6, cues[5], 6, edited[5]),
         "before": text(cues[5]), "after": "Every word of this cue is new."},
        {"kind": "removed", **where(11, cues[10], None, None),
         "before": text(cues[10]), "after": None},
        {"kind": "shifted", **where(21, cues[20], 20, edited[19]),
         "before": text(cues[20]), "after": text(cues[20])},
        {"kind": "added", **where(None, None, len(edited), edited[-1]),
         "before": None, "after": "A closing line."},
    ]  # fmt: skip
    changed, removed, moved, added = (c["magnitude"] for c in result.changes)
    assert 0.5 < changed < 1 and removed == added == 1.0
    assert moved == pytest.approx(moved_by, abs=0.001)
    assert result.summary == "1 cue retimed, 1 cue changed, 1 cue added, 1 cue removed"
    assert result.identical is False
    metrics = result.metrics
    assert metrics["offset_ms"] == 0
    assert (metrics["cues_changed"], metrics["cues_removed"], metrics["cues_added"]) == (1, 1, 1)
    assert metrics["cues_retimed"] == 1
    assert metrics["cues_matched"] == len(cues) - 3
    assert 95 < result.similarity < 100
    assert len(result.segments) == 4  # the agreeing runs between the four changes


def test_it_finds_where_two_files_agree_when_only_the_first_half_matches(
    tmp_path: Path, gpl_srt: Path
) -> None:
    cues = gpl_cues()
    half = len(cues) // 2
    other_text = cues_from(sentences(licence("Apache-2.0"))[:60])
    mixed = cues[:half] + [
        replace(c, lines=o.lines) for c, o in zip(cues[half:], other_text, strict=False)
    ]
    other = write(tmp_path / "mixed.vtt", vtt(mixed))

    result = compare(gpl_srt, other)

    assert result.segments == [
        {"source_start": cues[0].start_ms / 1000, "source_end": cues[half - 1].end_ms / 1000,
         "target_start": cues[0].start_ms / 1000, "target_end": cues[half - 1].end_ms / 1000,
         "score": 100.0}
    ]  # fmt: skip
    assert 40 < result.similarity < 80


def test_it_scores_segments_from_0_to_100_like_video_and_audio(
    tmp_path: Path, gpl_srt: Path
) -> None:
    cues = gpl_cues()
    # every cue ends 100 ms later: within the timing tolerance, so still matched, but each cue's
    # time overlap is now duration / (duration + 100 ms), i.e. 92-99 out of 100
    longer = write(tmp_path / "longer.vtt", vtt([replace(c, end_ms=c.end_ms + 100) for c in cues]))

    result = compare(gpl_srt, longer)

    overlaps = [(c.end_ms - c.start_ms) / (c.end_ms + 100 - c.start_ms) for c in cues]
    assert [s["score"] for s in result.segments] == [round(100 * sum(overlaps) / len(overlaps), 1)]
    assert 90 < result.segments[0]["score"] < 100
    assert result.changes == [] and result.metrics["cues_matched"] == len(cues)


def test_it_scores_unrelated_subtitles_low(tmp_path: Path, gpl_srt: Path) -> None:
    french = write(tmp_path / "fr.srt", srt(cues_from(translations("fr"))), "cp1252")

    result = compare(gpl_srt, french)

    assert result.similarity < 30
    assert result.metrics["cues_matched"] == 0 and result.segments == []


def test_it_ignores_markup_that_viewers_do_not_read(tmp_path: Path) -> None:
    cues = gpl_cues(12)
    styled = [replace(c, lines=(f"{{\\an8}}<i>{c.lines[0]}</i>", *c.lines[1:])) for c in cues]
    a = write(tmp_path / "styled.srt", srt(styled))
    vtt_text = vtt(cues).replace("\nGNU", "\n<v Narrator><c.loud>GNU</c>")
    b = write(tmp_path / "voiced.vtt", vtt_text)
    assert "<c.loud>" in b.read_text()

    result = compare(a, b)

    assert result.similarity == 100.0
    assert result.changes == []


def test_it_probes_the_format_duration_and_cue_count(tmp_path: Path, gpl_srt: Path) -> None:
    cues = gpl_cues()
    as_vtt = write(tmp_path / "gpl.txt", vtt(cues, hours=False), "utf-16")

    for path, fmt, encoding in ((gpl_srt, "srt", "utf-8"), (as_vtt, "vtt", "utf-16-le (BOM)")):
        info = engine.probe(path)
        assert (info.media_type, info.format) == ("subtitle", fmt)
        assert info.duration_s == cues[-1].end_ms / 1000
        assert info.extra == {"cues": len(cues), "encoding": encoding}


# --- bad and pathological input ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (licence("GPL-3").encode(), r"^file2 is not SRT or WebVTT subtitles: no cue timing"),
        (gzip.compress(srt(gpl_cues()).encode()), r"^file2 is not text: it looks like binary"),
        (b"WEBVTT\n\nNOTE nothing to show\n", r"^file2 has no subtitle cues with valid timings"),
        (b"WEBVTT\n\n00:01.000 --> 00:0x.000\nbroken\n", r"^file2 has no subtitle cues"),
    ],
    ids=["licence", "gzip", "vtt-without-cues", "bad-timestamp"],
)
def test_it_refuses_files_that_are_not_subtitles(
    tmp_path: Path, gpl_srt: Path, content: bytes, message: str
) -> None:
    bad = tmp_path / "bad.srt"
    bad.write_bytes(content)

    with pytest.raises(UnreadableFile, match=message):
        compare(gpl_srt, bad)
    with pytest.raises(UnreadableFile):
        engine.probe(bad)


def test_it_refuses_100k_tiny_cues_before_parsing_them(tmp_path: Path, gpl_srt: Path) -> None:
    swarm = write(tmp_path / "swarm.srt", tiny_cues_srt(100_001))
    started = time.monotonic()

    with pytest.raises(UnreadableFile, match=r"^file1 has 100,000 cues; .* up to 20,000 cues"):
        compare(swarm, gpl_srt)
    assert time.monotonic() - started < 3


def test_it_compares_files_at_the_cue_cap_within_seconds(tmp_path: Path) -> None:
    a = write(tmp_path / "a.srt", tiny_cues_srt(20_001))
    b = write(
        tmp_path / "b.srt",
        srt(shifted([Cue(n * 40, n * 40 + 30, (f"w{n}",)) for n in range(1, 20_001)], 120)),
    )
    started = time.monotonic()

    result = compare(a, b)

    assert time.monotonic() - started < 20  # ~2 s on an idle 2-core machine
    assert result.metrics["cues_a"] == 20_000
    assert result.metrics["offset_ms"] == 120
    assert result.similarity == 100.0


def test_it_compares_a_single_huge_cue_within_seconds(tmp_path: Path) -> None:
    words = " ".join(licence("GPL-3").split() * 60)  # ~2 MB on one line
    a = write(tmp_path / "a.srt", f"1\n00:00:01,000 --> 00:00:59,000\n{words}\n")
    b = write(tmp_path / "b.srt", f"1\n00:00:01,000 --> 00:00:59,000\n{words} and one more\n")
    started = time.monotonic()

    result = compare(a, b)

    assert time.monotonic() - started < 10
    assert result.similarity == 99.9  # three words more: as close to 100 as a change gets
    assert len(result.changes) == 1 and result.changes[0]["kind"] == "changed"


@pytest.mark.parametrize(
    ("fmt", "storm"),
    [("vtt", "<" * 200_000), ("srt", "<font " * 40_000), ("srt", "{\\" * 100_000)],
    ids=["vtt-angle-brackets", "srt-font-tags", "srt-override-tags"],
)
def test_it_strips_markup_in_linear_time(tmp_path: Path, fmt: str, storm: str) -> None:
    # webvtt-py's own tag pattern needed 13 s for 40,000 "<"; these would have taken hours
    cue = f"00:00:01.000 --> 00:00:04.000\nBefore {storm} after\n"
    text = f"WEBVTT\n\n{cue}" if fmt == "vtt" else "1\n" + cue.replace(".", ",", 2)
    a = write(tmp_path / f"a.{fmt}", text)
    b = write(tmp_path / f"b.{fmt}", text.replace("after", "later"))
    started = time.monotonic()

    result = compare(a, b)

    assert time.monotonic() - started < 5
    [change] = result.changes
    assert change["kind"] == "changed" and change["before"].startswith("Before")
    assert len(change["after"]) <= 240  # shown clipped
    assert change["magnitude"] == 0.001  # "after" -> "later" among 200,000 characters


def test_it_decides_a_file_is_not_subtitles_in_linear_time(tmp_path: Path, gpl_srt: Path) -> None:
    # 60,000 empty lines: a timing pattern starting with ^\s* needed 37 s to give up on them
    blank = write(tmp_path / "blank.srt", "Notes\n" + "\n" * 60_000 + " 1\n")

    started = time.monotonic()
    with pytest.raises(UnreadableFile, match="is not SRT or WebVTT"):
        compare(gpl_srt, blank)
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("fmt", ["srt", "vtt"])
def test_it_answers_or_refuses_damaged_files_and_never_crashes(tmp_path: Path, fmt: str) -> None:
    rng = random.Random(fmt)
    cues = gpl_cues(30)
    original = (srt(cues) if fmt == "srt" else vtt(cues)).encode()
    a = tmp_path / f"a.{fmt}"
    a.write_bytes(original)
    answered = 0
    for n in range(40):
        damaged = tmp_path / f"damaged-{n}.{fmt}"
        damaged.write_bytes(mangled(original, rng))
        try:
            result = compare(a, damaged)
        except UnreadableFile:
            continue
        json.dumps([result.metrics, result.changes, result.segments], allow_nan=False)
        answered += 1
    assert answered > 10
