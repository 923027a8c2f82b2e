"""Detection tells subtitles by the same rules the subtitle engine reads them with: an SRT whose
cues carry no numbers is SRT (FFmpeg and pysrt read it), and a file that opens with the WebVTT
signature is WebVTT in UTF-8 even when it holds NUL bytes or bytes of another encoding - never
a guess at UTF-16 or a refusal as binary."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from comparisons.detect import Detected, detect
from tests.engines.media_texts import cues_from, licence, sentences, srt, translations, vtt, write


def gpl_srt(numbered: bool) -> str:
    return srt(cues_from(sentences(licence("GPL-3"))[:30]), numbered=numbered)


def french_vtt() -> str:
    return vtt(cues_from(translations("fr")[:30]))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_it_detects_an_srt_without_cue_numbers(tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path / "subtitles.txt", gpl_srt(numbered=False), encoding, "\r\n")

    assert detect(path) == Detected("subtitle", "srt")


def test_it_detects_an_srt_whose_first_timestamp_uses_a_full_stop(tmp_path: Path) -> None:
    text = gpl_srt(numbered=True).replace(",", ".", 1)
    path = write(tmp_path / "subtitles.txt", text)

    assert detect(path) == Detected("subtitle", "srt")


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data.replace(b"\n\n", b"\n\x00\n", 3),  # stray NULs between blocks
        lambda data: data + b"\x00" * 4096,  # padded by a broken copy
        lambda data: data.replace("é".encode(), "é".encode("cp1252")),  # Latin-1 bytes
    ],
    ids=["stray-nuls", "nul-padding", "cp1252-bytes"],
)
def test_it_detects_a_webvtt_file_whatever_else_its_bytes_hold(
    tmp_path: Path, damage: Callable[[bytes], bytes]
) -> None:
    path = tmp_path / "subtitles.bin"
    path.write_bytes(damage(french_vtt().encode()))

    assert detect(path) == Detected("subtitle", "vtt")


def test_it_does_not_take_text_mentioning_webvtt_for_subtitles(tmp_path: Path) -> None:
    path = write(tmp_path / "notes.txt", "WEBVTTX is not a signature\n\n" + licence("GPL-3"))

    assert detect(path) == Detected("text", "plain")
