"""Subtitles read by their formats' own rules, on subtitles written from real text (the GPL's
preamble, Django's French translations): SRT as leniently as FFmpeg and pysrt read real files -
FFmpeg itself (PyAV's demuxer) is the reference for the timings - and WebVTT by the W3C parsing
algorithm. Whatever is repaired or skipped is reported in `metrics.parse`, with its line, and a
file that needed a repair never scores 100 against one that did not."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path

import av
import pytest

from comparisons.detect import Detected, detect
from comparisons.engines.base import Options, Result, UnreadableFile, no_progress
from comparisons.engines.subtitle import engine
from comparisons.engines.subtitle.read import read_subtitles
from tests.engines.media_texts import (
    Cue,
    cues_from,
    licence,
    sentences,
    srt,
    translations,
    vtt,
    write,
)

DAMAGED = 7  # the cue (1-based) each damaged file breaks


def compare(a: Path, b: Path) -> Result:
    return engine.compare(a, b, Options(), no_progress)


def gpl_cues(count: int = 40) -> list[Cue]:
    return cues_from(sentences(licence("GPL-3"))[:count])


def french_cues(count: int = 30) -> list[Cue]:
    return cues_from(translations("fr")[:count])


def ffmpeg_cues(path: Path) -> list[tuple[int, int, str]]:
    """(start ms, end ms, text) of every cue as FFmpeg's SRT demuxer reads the file."""
    with av.open(str(path), format="srt") as container:
        stream = container.streams.subtitles[0]
        return [
            (packet.pts, packet.pts + packet.duration, " ".join(bytes(packet).decode().split()))
            for packet in container.demux(stream)
            if packet.size and packet.pts is not None and packet.duration is not None
        ]


def our_cues(path: Path) -> list[tuple[int, int, str]]:
    return [(c.start_ms, c.end_ms, c.text) for c in read_subtitles(path, "file2").cues]


def line_of(text: str, needle: str) -> int:
    """1-based line number of the first line holding `needle`."""
    return text[: text.index(needle)].count("\n") + 1


def timing_line(text: str, cue: int) -> str:
    """The timing line of cue number `cue` (1-based) in a numbered SRT or a WebVTT file."""
    return [line for line in text.split("\n") if "-->" in line][cue - 1]


def parse_report(result: Result, file: str = "file2") -> dict[str, object]:
    report: dict[str, object] = result.metrics["parse"][file]
    return report


# --- SRT: read as FFmpeg reads it ----------------------------------------------------------------


def test_it_reads_an_srt_without_cue_numbers_as_ffmpeg_does(tmp_path: Path) -> None:
    cues = gpl_cues()
    numbered = write(tmp_path / "numbered.srt", srt(cues))
    bare = write(tmp_path / "bare.srt", srt(cues, numbered=False))

    result = compare(numbered, bare)

    assert detect(bare) == Detected("subtitle", "srt")
    assert our_cues(bare) == ffmpeg_cues(bare) == ffmpeg_cues(numbered)
    assert engine.probe(bare).extra == {"cues": len(cues), "encoding": "utf-8"}
    assert result.similarity == 100.0
    for file in ("file1", "file2"):
        assert parse_report(result, file) == {
            "repaired": 0, "skipped": 0, "note": "Read as written.", "issues": [],
        }  # fmt: skip


def _dot(text: str) -> str:
    line = timing_line(text, DAMAGED)
    return text.replace(line, line.replace(",", ".", 1))


def _unpadded(text: str) -> str:
    line = timing_line(text, DAMAGED)
    return text.replace(line, re.sub(r"\b0(\d):", r"\1:", line))  # "0:0:21,500": the same time


def _ends_first(text: str) -> str:
    line = timing_line(text, DAMAGED)
    start, end = line.split(" --> ")
    return text.replace(line, f"{end} --> {start}")


def _no_blank_line(text: str) -> str:
    return text.replace(f"\n\n{DAMAGED}\n", f"\n{DAMAGED}\n", 1)


def _blank_line_in_text(text: str) -> str:
    block = text.split("\n\n")[DAMAGED - 1]
    lines = block.split("\n")
    words = lines[2].split(" ")
    half = len(words) // 2
    split = "\n".join([*lines[:2], " ".join(words[:half]), "", " ".join(words[half:]), *lines[3:]])
    return text.replace(block, split, 1)


# name -> (how the file is damaged, the line the report names, what the note says)
REPAIRS: dict[str, tuple[Callable[[str], str], Callable[[str], str], str]] = {
    "full stop for comma": (_dot, lambda t: timing_line(t, DAMAGED), "'.' for ','"),
    "unpadded fields": (_unpadded, lambda t: timing_line(t, DAMAGED), "not written as"),
    "ends before it starts": (_ends_first, lambda t: timing_line(t, DAMAGED), "ends before"),
    "no blank line between cues": (
        _no_blank_line, lambda t: timing_line(t, DAMAGED), "no blank line",
    ),
    "blank line inside the text": (
        _blank_line_in_text, lambda t: t.split("\n\n")[DAMAGED].split("\n")[0], "blank line inside",
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", REPAIRS)
def test_it_repairs_what_ffmpeg_repairs_and_reports_it(tmp_path: Path, name: str) -> None:
    damage, reported, note = REPAIRS[name]
    text = srt(gpl_cues())
    clean = write(tmp_path / "clean.srt", text)
    damaged_text = damage(text)
    damaged = write(tmp_path / "damaged.srt", damaged_text)

    result = compare(clean, damaged)

    assert our_cues(damaged) == ffmpeg_cues(damaged)
    report = parse_report(result)
    assert (report["repaired"], report["skipped"]) == (1, 0)
    (issue,) = report["issues"]  # type: ignore[misc]
    assert issue["line"] == line_of(damaged_text, reported(damaged_text))
    assert note in issue["problem"] and note in str(report["note"])
    assert parse_report(result, "file1")["repaired"] == 0
    assert result.similarity < 100.0  # never scored as if nothing were wrong
    assert compare(damaged, damaged).similarity == 100.0  # read alike: the same content


@pytest.mark.parametrize(
    "broken",
    [
        "00:00:21,500 -> 00:00:23,100",
        "00:21,500 --> 00:23,100",
        "00:00:21;500 --> 00:00:23:100",
        "00:00:2l,500 --> 00:00:23,100",
    ],
    ids=["short-arrow", "no-hours", "semicolon", "letter-l-for-1"],
)
def test_it_skips_a_cue_whose_timing_line_neither_ffmpeg_nor_pysrt_reads_and_reports_it(
    tmp_path: Path, broken: str
) -> None:
    cues = gpl_cues()
    text = srt(cues)
    clean = write(tmp_path / "clean.srt", text)
    damaged_text = text.replace(timing_line(text, DAMAGED), broken)
    damaged = write(tmp_path / "damaged.srt", damaged_text)

    result = compare(clean, damaged)

    # FFmpeg does not read it as a cue either (it glues the block onto the cue before)
    assert len(ffmpeg_cues(damaged)) == len(cues) - 1
    kept = our_cues(clean)
    assert our_cues(damaged) == kept[: DAMAGED - 1] + kept[DAMAGED:]
    report = parse_report(result)
    assert (report["repaired"], report["skipped"]) == (0, 1)
    assert report["issues"] == [
        {
            "line": line_of(damaged_text, broken),
            "action": "skipped",
            "problem": "timing line unreadable; cue skipped",
            "text": broken,
        }
    ]
    assert "Skipped 1: timing line unreadable" in str(report["note"])
    assert result.metrics["cues_b"] == len(cues) - 1
    assert result.similarity < 99.0


def test_it_skips_text_before_the_first_cue_and_reports_it(tmp_path: Path) -> None:
    text = srt(gpl_cues())
    clean = write(tmp_path / "clean.srt", text)
    damaged = write(tmp_path / "damaged.srt", "Subtitles by a tool\n\n" + text)

    report = parse_report(compare(clean, damaged))

    assert (report["repaired"], report["skipped"]) == (0, 1)
    assert report["issues"][0]["line"] == 1  # type: ignore[index]
    assert report["issues"][0]["text"] == "Subtitles by a tool"  # type: ignore[index]


# --- WebVTT: the W3C parsing algorithm -----------------------------------------------------------


def test_it_decodes_a_utf8_webvtt_with_nul_bytes_as_utf8(tmp_path: Path) -> None:
    cues = french_cues()
    text = vtt(cues)
    clean = write(tmp_path / "clean.vtt", text)
    line = cues[2].lines[0]
    word = max(line.split(), key=len)
    broken_word = word[:2] + "\x00" + word[2:]
    with_nuls = text.replace(line, line.replace(word, broken_word, 1), 1).encode() + b"\x00" * 64
    damaged = tmp_path / "nuls.vtt"
    damaged.write_bytes(with_nuls)

    result = compare(clean, damaged)

    assert detect(damaged) == Detected("subtitle", "vtt")
    assert result.metrics["encoding_b"] == "utf-8"
    read = our_cues(damaged)
    assert read[2][2] == " ".join(cues[2].lines).replace(word, word[:2] + "\ufffd" + word[2:], 1)
    middle = [" ".join(cue.lines) for cue in cues[3:-1]]
    assert [cue[2] for cue in read[3:-1]] == middle  # é and the rest intact
    # the padding follows the last cue's text with no blank line: by the algorithm it is text
    assert read[-1][2] == " ".join(cues[-1].lines) + " " + "\ufffd" * 64
    report = parse_report(result)
    nul_lines = [line_of(text, line), text.count("\n") + 1]  # the cue's line, the padding
    assert [issue["line"] for issue in report["issues"]] == nul_lines  # type: ignore[attr-defined]
    assert (report["repaired"], report["skipped"]) == (2, 0)
    assert "NUL characters; replaced by U+FFFD" in str(report["note"])
    assert result.metrics["cues_b"] == len(cues)
    assert 90.0 < result.similarity < 100.0


def test_it_reads_a_webvtt_file_as_utf8_even_when_written_in_cp1252(tmp_path: Path) -> None:
    cues = french_cues()
    text = vtt(cues)
    utf8 = write(tmp_path / "utf8.vtt", text)
    legacy = write(tmp_path / "cp1252.vtt", text, "cp1252")

    result = compare(utf8, legacy)

    assert result.metrics["encoding_b"] == "utf-8"  # the standard's, not a detector's guess
    report = parse_report(result)
    accented = [n for n, line in enumerate(text.split("\n"), 1) if not line.isascii()]
    assert [issue["line"] for issue in report["issues"]] == accented[:20]  # type: ignore[attr-defined]
    assert report["repaired"] == len(accented)
    assert "not UTF-8; replaced by U+FFFD" in str(report["note"])
    assert result.similarity < 100.0


@pytest.mark.parametrize(
    ("broken", "rule"),
    [
        ("00:00:21,500 --> 00:00:23,100", "a full stop before the milliseconds"),
        ("00:00:21.5 --> 00:00:23.100", "exactly three digits of milliseconds"),
        ("00:00:61.500 --> 00:01:03.100", "seconds at most 59"),
        ("00:1:21.500 --> 00:01:23.100", "exactly two digits of minutes"),
        ("00:00:21.500 -> 00:00:23.100", "the arrow is -->"),
    ],
)
def test_it_drops_a_webvtt_cue_whose_timing_breaks_the_rules_and_reports_it(
    tmp_path: Path, broken: str, rule: str
) -> None:
    cues = gpl_cues()
    text = vtt(cues)
    clean = write(tmp_path / "clean.vtt", text)
    damaged_text = text.replace(timing_line(text, DAMAGED), broken)
    damaged = write(tmp_path / "damaged.vtt", damaged_text)

    result = compare(clean, damaged)

    assert result.metrics["cues_b"] == len(cues) - 1, rule
    report = parse_report(result)
    assert (report["repaired"], report["skipped"]) == (0, 1)
    (issue,) = report["issues"]  # type: ignore[misc]
    assert issue["line"] == line_of(damaged_text, broken)
    assert result.similarity < 99.0


def test_it_follows_the_webvtt_block_rules(tmp_path: Path) -> None:
    """Identifiers are not text; a timing line after cue text starts the next cue even without a
    blank line; NOTE and STYLE blocks and header lines are not cues; hours are optional and may
    have more than two digits."""
    cues = gpl_cues(6)
    stamps = [
        "00:00:01.000 --> 00:00:03.500",
        "00:04.000 --> 00:06.250 align:start",
        "100:00:07.000 --> 100:00:09.000",
    ]
    text = (
        "WEBVTT - made from the GPL\nKind: captions\n\n"
        "STYLE\n::cue { color: white }\n\n"
        f"intro\n{stamps[0]}\n{' '.join(cues[0].lines)}\n"
        f"{stamps[1]}\n{' '.join(cues[1].lines)}\n\n"
        "NOTE the next cue is late\n\n"
        f"3\n{stamps[2]}\n&lt;{html.escape(' '.join(cues[2].lines))}&gt;\n"
    )
    path = write(tmp_path / "blocks.vtt", text)

    read = read_subtitles(path, "file1")

    assert [(cue.start_ms, cue.end_ms) for cue in read.cues] == [
        (1_000, 3_500), (4_000, 6_250), (360_007_000, 360_009_000),
    ]  # fmt: skip
    assert [cue.text for cue in read.cues] == [
        " ".join(cues[0].lines), " ".join(cues[1].lines), f"<{' '.join(cues[2].lines)}>",
    ]  # fmt: skip
    assert read.report.issues == []


def test_it_refuses_a_webvtt_file_whose_every_cue_is_broken_saying_why(tmp_path: Path) -> None:
    cues = gpl_cues(3)
    good = write(tmp_path / "good.vtt", vtt(cues))
    broken = write(tmp_path / "broken.vtt", vtt(cues).replace(".", ","))

    with pytest.raises(
        UnreadableFile, match=rf"^file2 has no subtitle cues .* Skipped {len(cues)}:"
    ):
        compare(good, broken)
