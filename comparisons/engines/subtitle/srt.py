"""SubRip (SRT) read the way FFmpeg and pysrt read real files, which often break the format.

The format: blocks separated by blank lines, each a cue number, a timing line
`hh:mm:ss,mmm --> hh:mm:ss,mmm` and one or more lines of text. What real files do instead, and
what is done about it (FFmpeg's srtdec and pysrt agree on the first four):

- no cue numbers: read; a timing line starts a cue (FFmpeg: any timing line does; pysrt: the
  number line is optional) - not reported, nothing is lost;
- `.` for `,` before the milliseconds, or other digit counts (`0:0:1,5` is 1.005 s, as FFmpeg's
  `%d:%d:%d%*1[,.]%d` and pysrt's int() read it): read that way, reported as repaired;
- a cue whose end is before its start: shown until the next cue starts (FFmpeg's queue does
  this), reported as repaired;
- a timing line neither can read (`->`, a missing hours field, `;` for `,`, letters): the cue is
  skipped, as pysrt does (FFmpeg glues such a block onto the previous cue's text, which would
  make a changed cue out of a broken one), reported as skipped;
- no blank line before a cue: the timing line still starts it (FFmpeg), reported as repaired;
- text after a blank line inside a cue: joined to that cue (FFmpeg), reported as repaired;
  text before the first cue is skipped and reported.

Every pattern here is anchored to one line and bounded, so a hostile file costs linear time.
"""

from __future__ import annotations

import bisect
import itertools
import re

from comparisons.engines.subtitle.parsed import Parsed, ParseReport, RawCue

_STAMP = r"(\d{1,9}):(\d{1,9}):(\d{1,9})([,.])(\d{1,9})"
# FFmpeg's "%d:%d:%d%*1[,.]%d --> %d:%d:%d%*1[,.]%d": any digit counts, "," or ".", any spaces
# around the arrow, anything after the end time (X1:... coordinates, VTT-style settings)
TIMING = re.compile(rf"[ \t]*{_STAMP}[ \t]*-->[ \t]*{_STAMP}(?:[ \t].*)?", re.ASCII)
_STANDARD = re.compile(r"\d{2,}:\d{2}:\d{2},\d{3}", re.ASCII)
# A line that was meant as a timing line but is not one: an arrow anywhere, or a line that opens
# with a time and then a dash or an arrow (`00:00:05,000 -> ...`, `00:07,000 - 00:08,000`).
_DASH = "-\u2013\u2014="  # hyphen, en and em dashes, equals
_BROKEN = re.compile(
    rf".*-->|[ \t]*\d{{1,9}}[:;.,]\d{{1,9}}[^ \t]{{0,20}}[ \t]*[{_DASH}]{{1,3}}>?[ \t]*\d"
)
_NUMBER = re.compile(r"[ \t]*\d{1,9}[ \t]*", re.ASCII)


def looks_like_srt(text: str, window: int = 8192) -> bool:
    """A timing line opens the file (after a cue number or not), or two cue blocks (number, then
    timing line) appear in its first `window` characters: how media-type detection tells SRT
    from text that happens to contain a time."""
    lines = text.lstrip("\ufeff \t\n")[:window].split("\n")
    numbered = [
        k for k, (above, line) in enumerate(itertools.pairwise(lines)) if _cue_start(above, line)
    ]
    return bool(TIMING.fullmatch(lines[0])) or numbered[:1] == [0] or len(numbered) >= 2


def _cue_start(above: str, line: str) -> bool:
    return _NUMBER.fullmatch(above) is not None and TIMING.fullmatch(line) is not None


def has_timing(text: str, window: int = 1 << 16) -> bool:
    """Whether any line in the first `window` characters is an SRT timing line."""
    return any(TIMING.fullmatch(line) for line in text[:window].split("\n"))


def parse(text: str) -> Parsed:
    """The cues of a normalised text ("\\n" line ends), and what could not be read as written."""
    report = ParseReport()
    cues: list[RawCue] = []
    for block in _blocks(text.split("\n")):
        _read_block(block, cues, report)
    return Parsed(_fix_ends(cues), report)


Line = tuple[int, str]  # (1-based line number, text)


def _blocks(lines: list[str]) -> list[list[Line]]:
    blocks: list[list[Line]] = [[]]
    for number, line in enumerate(lines, 1):
        if line.strip():
            blocks[-1].append((number, line))
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def _read_block(block: list[Line], cues: list[RawCue], report: ParseReport) -> None:
    """One blank-line-separated block: usually one cue, but a missing blank line puts several in
    one block, and a blank line inside a cue's text leaves a block with no timing at all."""
    starts = [k for k, (_, line) in enumerate(block) if _timing_like(line)]
    if not starts:
        _orphan(block, cues, report)
        return
    lead = block[: starts[0]]
    if lead and _NUMBER.fullmatch(lead[-1][1]):
        lead = lead[:-1]  # the first cue's number
    if lead:
        _orphan(lead, cues, report)
    for n, start in enumerate(starts):
        stop = starts[n + 1] if n + 1 < len(starts) else len(block)
        body = block[start + 1 : stop]
        if n + 1 < len(starts):
            if body and _NUMBER.fullmatch(body[-1][1]):
                body = body[:-1]  # the next cue's number
            number, line = block[stop]
            report.repaired(number, "no blank line before this cue; read as a new cue", line)
        _read_cue(block[start], body, cues, report)


def _timing_like(line: str) -> bool:
    return TIMING.fullmatch(line) is not None or _BROKEN.match(line) is not None


def _read_cue(timing: Line, body: list[Line], cues: list[RawCue], report: ParseReport) -> None:
    number, line = timing
    found = TIMING.fullmatch(line)
    if found is None:
        report.skipped(number, "timing line unreadable; cue skipped", line)
        return
    start, end = _ms(found.groups()[:5]), _ms(found.groups()[5:10])
    problems = _nonstandard(found)
    if end < start:
        problems.append("ends before it starts; shown until the next cue")
    if problems:
        report.repaired(number, "; ".join(problems), line)
    cues.append(RawCue(start, end, "\n".join(text for _, text in body), number))


def _ms(parts: tuple[str | None, ...]) -> int:
    hours, minutes, seconds, _, millis = (int(p) if p and p.isdigit() else 0 for p in parts)
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis


def _nonstandard(found: re.Match[str]) -> list[str]:
    problems = []
    stamps = (found.groups()[:5], found.groups()[5:10])
    if any(stamp[3] == "." for stamp in stamps):
        problems.append("'.' for ',' before the milliseconds; read as ','")
    written = [f"{s[0]}:{s[1]}:{s[2]},{s[4]}" for s in stamps]
    if not all(_STANDARD.fullmatch(stamp) for stamp in written) or any(
        int(s[1]) > 59 or int(s[2]) > 59 for s in stamps
    ):
        problems.append("timestamp not written as hh:mm:ss,mmm; read as FFmpeg reads it")
    return problems


def _orphan(lines: list[Line], cues: list[RawCue], report: ParseReport) -> None:
    """Lines that belong to no timing line: after a cue, a blank line inside its text (FFmpeg
    reads on); before the first cue, or opening with a cue number (a cue that lost its timing
    line), nothing to attach them to."""
    number, first = lines[0]
    if not cues or _NUMBER.fullmatch(first):
        what = "text before the first cue" if not cues else "a cue without a timing line"
        report.skipped(number, f"{what}; skipped", first)
        return
    last = cues[-1]
    extra = "\n".join(text for _, text in lines)
    cues[-1] = RawCue(last.start_ms, last.end_ms, f"{last.text}\n{extra}".strip("\n"), last.line)
    report.repaired(number, "blank line inside a cue's text; read as part of that cue", first)


def _fix_ends(cues: list[RawCue]) -> list[RawCue]:
    """A cue that ends before it starts is shown until the next one starts, as FFmpeg's
    subtitle queue does (or not at all if it is the last)."""
    order = sorted(cues, key=lambda cue: cue.start_ms)
    starts = [cue.start_ms for cue in order]
    fixed = []
    for cue in order:
        if cue.end_ms < cue.start_ms:
            later = bisect.bisect_right(starts, cue.start_ms)
            end = starts[later] if later < len(starts) else cue.start_ms
            cue = RawCue(cue.start_ms, end, cue.text, cue.line)
        fixed.append(cue)
    return fixed
