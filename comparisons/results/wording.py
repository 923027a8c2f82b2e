"""Times and delays in words: "file2 starts 0.8 s later", SRT timecodes, seconds on an axis."""

from __future__ import annotations

from comparisons.engines.summaries import seconds

NO_DELAY_S = 0.005  # below half a hundredth of a second the two files start together


def delay(value: float) -> str:
    """A delay in seconds as a reader says it: 0.8 -> "0.8 s", 0.25 -> "0.25 s", 2 -> "2 s"."""
    return f"{seconds(abs(value), decimals=2)} s"


def file2_starts(offset_s: float | None) -> str:
    """Audio and video: where file2's content sits against file1's (positive = later)."""
    if offset_s is None or abs(offset_s) < NO_DELAY_S:
        return "Both files start together"
    later = "later" if offset_s > 0 else "earlier"
    return f"file2 starts {delay(offset_s)} {later}"


def cues_come(offset_ms: int | float | None) -> str:
    """Subtitles: the constant delay of file2's cues against file1's."""
    if not offset_ms:
        return "The cues of both files start at the same times"
    later = "later" if offset_ms > 0 else "earlier"
    return f"file2's cues come {delay(offset_ms / 1000)} {later}"


def timecode(value: float | None) -> str:
    """SRT's timecode: 63.043 -> "00:01:03,043"; no time at all -> "" (the side has no cue)."""
    if value is None:
        return ""
    total_ms = round(value * 1000)
    hours, rest = divmod(total_ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    whole, ms = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{whole:02d},{ms:03d}"


def clock(value: float) -> str:
    """A moment in a recording: 8.0 -> "0:08", 75.5 -> "1:15.5", 3725 -> "1:02:05"."""
    minutes, rest = divmod(value, 60)
    hours, minutes = divmod(int(minutes), 60)
    second = seconds(rest, decimals=1)
    second = second if rest >= 10 else "0" + second
    return f"{hours}:{minutes:02d}:{second}" if hours else f"{minutes}:{second}"


def span(start: float | None, end: float | None) -> str:
    """ "0:02-0:04" (an en dash); a side without the content reads an em dash."""
    if start is None or end is None:
        return "\u2014"
    return f"{clock(start)}\u2013{clock(end)}"
