"""WebVTT read by the W3C WebVTT parsing algorithm (https://www.w3.org/TR/webvtt1/#file-parsing).

- The file is UTF-8, whatever its bytes look like: decoded with U+FFFD for invalid sequences,
  and every NUL becomes U+FFFD too - a UTF-8 file with stray NULs is not guessed to be UTF-16.
  (A UTF-16 or UTF-32 file announced by its BOM is still read, by that BOM: no browser would,
  but no reading is in doubt.) Replacements are reported.
- It must open with "WEBVTT" followed by a space, a tab, a line end or nothing.
- Blocks are separated by blank lines. A line holding "-->" as the block's first line, or its
  second after an identifier, is a cue's timing line; anywhere later it starts the next block.
- Timestamps are `[hh:]mm:ss.ttt`: hours of any length, exactly two digits of minutes and
  seconds (at most 59), a full stop, exactly three digits of milliseconds. A timing line that
  does not parse drops its cue, with its text (the spec says "discard cue"); each is reported.
- A cue whose end precedes its start is kept, ending where it starts (it is never shown).
"""

from __future__ import annotations

import codecs
import re

from comparisons.engines.subtitle.parsed import Parsed, ParseReport, RawCue

_SIGNATURE = re.compile(rb"WEBVTT(?:[ \t\r\n]|$)")
_TIMESTAMP = re.compile(r"(\d{1,12}):(\d+)(?::(\d+))?\.(\d+)", re.ASCII)
_SPACES = " \t\n\f\r"  # "ASCII whitespace"
_NOT_A_CUE = re.compile(r"(NOTE|STYLE|REGION)([ \t]|$)")
_LINE_ENDS = re.compile(r"\r\n|\r|\n")
_INVALID = re.compile(r"[\udc80-\udcff]+")  # bytes surrogateescape could not decode
_NUL = re.compile(r"\x00")


def has_signature(data: bytes) -> bool:
    """The file's bytes open with the WebVTT signature (after a UTF-8 BOM, if any)."""
    return _SIGNATURE.match(data.removeprefix(codecs.BOM_UTF8)) is not None


def opens_with_signature(text: str) -> bool:
    """The same test on decoded text (a UTF-16 file, say), BOM and line ends already gone."""
    first = text.split("\n", 1)[0]
    return first.startswith("WEBVTT") and (len(first) == 6 or first[6] in " \t")


def decode(data: bytes) -> tuple[str, str, ParseReport]:
    """UTF-8 text (U+FFFD for each invalid sequence and for each NUL), its encoding label, and
    the lines where something was replaced."""
    body = data.removeprefix(codecs.BOM_UTF8)
    encoding = "utf-8 (BOM)" if len(body) < len(data) else "utf-8"
    report = ParseReport()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = body.decode("utf-8", errors="replace")  # maximal subparts, as the WHATWG decoder
        escaped = body.decode("utf-8", errors="surrogateescape")  # marks where they were
        _report_lines(escaped, _INVALID, "bytes that are not UTF-8; replaced by U+FFFD", report)
    if "\x00" in text:
        _report_lines(text, _NUL, "NUL characters; replaced by U+FFFD as WebVTT requires", report)
        text = text.replace("\x00", "\ufffd")
    return text, encoding, report


def _report_lines(text: str, mark: re.Pattern[str], problem: str, report: ParseReport) -> None:
    for number, line in enumerate(_LINE_ENDS.split(text), 1):
        if mark.search(line):
            report.repaired(number, problem, mark.sub("\ufffd", line))


def parse(text: str, report: ParseReport | None = None) -> Parsed | None:
    """The cues of a normalised text ("\\n" line ends, no BOM); None when the signature is
    missing (not WebVTT at all)."""
    report = report if report is not None else ParseReport()
    if not opens_with_signature(text):
        return None
    lines = text.split("\n")
    cues: list[RawCue] = []
    at = _skip_header(lines, 1)
    while at < len(lines):
        if not lines[at]:
            at += 1
            continue
        at = _block(lines, at, cues, report)
    return Parsed(cues, report)


def _skip_header(lines: list[str], at: int) -> int:
    """The header runs to the first blank line, or to a line holding "-->" (a cue's timing)."""
    while at < len(lines) and lines[at] and "-->" not in lines[at]:
        at += 1
    return at


def _block(lines: list[str], at: int, cues: list[RawCue], report: ParseReport) -> int:
    """Collect one block from line `at`; a cue goes into `cues`. Returns where the next starts."""
    count, seen_arrow, timing_line = 0, False, 0
    timing: tuple[int, int] | None = None
    buffer: list[str] = []
    start = at
    while at < len(lines):
        line = lines[at]
        count += 1
        if "-->" in line:
            if not (count == 1 or (count == 2 and not seen_arrow)):
                break  # a second timing line: the next block begins here
            seen_arrow, timing_line = True, at + 1
            timing = _timings(line)
            if timing is None:
                report.skipped(at + 1, "timing line unreadable; cue skipped", line)
            buffer = []  # the identifier is not text
            at += 1
            continue
        at += 1
        if not line:
            break
        buffer.append(line)
    if timing is not None:
        begin, end = timing
        if end < begin:
            written = lines[timing_line - 1]
            report.repaired(timing_line, "ends before it starts; never shown", written)
            end = begin
        cues.append(RawCue(begin, end, "\n".join(buffer), timing_line))
    elif not seen_arrow and buffer and not _NOT_A_CUE.match(buffer[0]):
        report.skipped(start + 1, "text without a timing line; skipped", buffer[0])
    return at


def _timings(line: str) -> tuple[int, int] | None:
    """ "Collect WebVTT cue timings and settings": start, "-->", end; the settings are ignored."""
    rest = line.lstrip(_SPACES)
    start, rest = _timestamp(rest)
    if start is None:
        return None
    rest = rest.lstrip(_SPACES)
    if not rest.startswith("-->"):
        return None
    end, _ = _timestamp(rest[3:].lstrip(_SPACES))
    return None if end is None else (start, end)


def _timestamp(text: str) -> tuple[int | None, str]:
    """ "Collect a WebVTT timestamp" at the start of `text`: milliseconds and what follows."""
    found = _TIMESTAMP.match(text)
    if found is None:
        return None, text
    first, second, third, fraction = found.groups()
    hours_first = len(first) != 2 or int(first) > 59
    if hours_first and third is None:
        return None, text
    if third is None:
        hours, minutes, seconds = 0, int(first), int(second)
        fixed = [second]
    else:
        hours, minutes, seconds = int(first), int(second), int(third)
        fixed = [second, third]
    if any(len(part) != 2 for part in fixed) or len(fraction) != 3:
        return None, text
    if minutes > 59 or seconds > 59:
        return None, text
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + int(fraction), text[found.end() :]
