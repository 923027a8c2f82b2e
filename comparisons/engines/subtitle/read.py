"""Reading one subtitle file: which format it is, its text, its cues as a viewer reads them, and
the report of what its parser skipped or repaired (`metrics.parse` of the comparison)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from comparisons.engines.base import UnreadableFile
from comparisons.engines.subtitle import srt, webvtt
from comparisons.engines.subtitle.parsed import Parsed, ParseReport, RawCue
from comparisons.engines.textio import decode, normalise, read_bytes

MAX_CUES = 20_000  # a feature film has ~1,500; parsing 20,000 takes ~0.5 s here

# Markup a viewer does not read. WebVTT escapes "<" in text, so any <...> there is a tag; SRT has
# no escaping, so only the tags players know are markup ("<https://…>" stays text), and so are
# {\an8}-style override tags. Each pattern is bounded and stops at the next "<" or "{", so a line
# of 100,000 "<" costs linear time (webvtt-py's own '<.*?>' took 13 s on 40,000 of them).
_VTT_TAG = re.compile(r"<[^<>\n]{0,500}>")
_SRT_TAG = re.compile(r"</?(?:b|i|u|font)(?:\s[^<>\n]{0,500})?>", re.IGNORECASE)
_ASS_TAG = re.compile(r"\{\\[^{}\n]{0,500}\}")


@dataclass(frozen=True)
class Cue:
    start_ms: int
    end_ms: int
    text: str  # what a viewer reads: tags gone, entities decoded, lines joined, spaces squashed


@dataclass(frozen=True)
class Subtitles:
    format: str  # "srt" | "vtt"
    encoding: str
    cues: list[Cue]
    report: ParseReport  # what was skipped or repaired to read it

    @property
    def duration_s(self) -> float:
        return max((cue.end_ms for cue in self.cues), default=0) / 1000


def read_subtitles(path: Path, label: str) -> Subtitles:
    fmt, text, encoding, report = _decoded(read_bytes(path, label), label)
    timings = text.count("-->")
    if timings > MAX_CUES:
        raise UnreadableFile(
            f"{label} has {timings:,} cues; subtitles are compared up to {MAX_CUES:,} cues."
        )
    parsed = _parse(fmt, text, report, label)
    cues = [_cue(raw, fmt) for raw in parsed.cues]
    if not cues:
        raise UnreadableFile(
            f"{label} has no subtitle cues with valid timings. {parsed.report.note()}"
        )
    cues.sort(key=lambda cue: (cue.start_ms, cue.end_ms))
    return Subtitles(fmt, encoding, cues, parsed.report)


def _decoded(data: bytes, label: str) -> tuple[str, str, str, ParseReport]:
    """(format, normalised text, encoding, report). A file that opens with the WebVTT signature is
    UTF-8 by the WebVTT standard, whatever a detector would guess; anything else is decoded the
    way every text file is (BOM, UTF-8, else a legacy encoding)."""
    if webvtt.has_signature(data):
        text, encoding, report = webvtt.decode(data)
        return "vtt", normalise(text), encoding, report
    decoded = decode(data, label)
    text = decoded.text.lstrip()
    if webvtt.opens_with_signature(text):
        return "vtt", text, decoded.encoding, _signature_report(decoded.text, text)
    if srt.has_timing(text):
        return "srt", text, decoded.encoding, ParseReport()
    raise UnreadableFile(
        f"{label} is not SRT or WebVTT subtitles: no cue timing such as "
        "00:00:01,000 --> 00:00:02,000 was found."
    )


def _signature_report(whole: str, text: str) -> ParseReport:
    """WebVTT must open with its signature; blank lines or spaces before it are read past."""
    report = ParseReport()
    if len(text) < len(whole):
        report.repaired(1, "blank lines or spaces before WEBVTT; read past them", "")
    return report


def _parse(fmt: str, text: str, report: ParseReport, label: str) -> Parsed:
    if fmt == "srt":
        return srt.parse(text)
    parsed = webvtt.parse(text, report)
    if parsed is None:  # cannot happen: the signature decided the format
        raise UnreadableFile(f"{label} is not valid WebVTT: it must begin with WEBVTT.")
    return parsed


def _cue(raw: RawCue, fmt: str) -> Cue:
    if fmt == "vtt":  # WebVTT escapes "<" and "&" in text, so every <...> is a tag
        text = html.unescape(_VTT_TAG.sub("", raw.text))
    else:
        text = _SRT_TAG.sub("", _ASS_TAG.sub("", raw.text))
    return Cue(raw.start_ms, max(raw.start_ms, raw.end_ms), " ".join(text.split()))
