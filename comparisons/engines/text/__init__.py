"""The text engine: plain text, JSON, CSV and XML.

Plain text is compared as a reader reads it — words, not bytes: re-wrapping a paragraph, CRLF
line endings, a BOM or another encoding change nothing. The score comes from word error rate and
character error rate (jiwer); `changes` are hunks with line numbers in each file. When both files
parse as the same structured format, their values are compared instead (key order, indentation,
quoting, XML comments and attribute order do not matter) and each change names its path: that
part lives in `text.structured`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from comparisons.engines import changes, spec_of, summaries
from comparisons.engines.base import MediaInfo, Options, Progress, Result
from comparisons.engines.changes import Change, Kind
from comparisons.engines.text.structured import Parsed, compare_structured, parse
from comparisons.engines.textio import (
    Decoded,
    TextDistance,
    Words,
    clip,
    distance,
    line_count,
    read_text,
    score,
    text_metrics,
)

MAX_HUNKS = 100  # hunks listed in `changes`; all of them are counted in metrics
MAX_HUNK_LINES = 20  # lines shown per side of a hunk


class TextEngine:
    media_type = "text"
    runs_async = spec_of(media_type).runs_async  # its facts live in the registry's line

    def probe(self, path: Path) -> MediaInfo:
        decoded = read_text(path, "the file")
        parsed = parse(decoded.text)
        extra: dict[str, Any] = {"encoding": decoded.encoding, "lines": line_count(decoded.text)}
        if parsed.problem:
            extra["structure"] = f"unparsed: {parsed.problem}"
        return MediaInfo(media_type="text", format=parsed.format, extra=extra)

    def compare(self, a: Path, b: Path, options: Options, progress: Progress) -> Result:
        da, db = read_text(a, "file1"), read_text(b, "file2")
        progress(10)
        pa, pb = parse(da.text), parse(db.text)
        progress(30)
        metrics: dict[str, Any] = {
            "encoding_a": da.encoding,
            "encoding_b": db.encoding,
            "format_a": pa.format,
            "format_b": pb.format,
        }
        if pa.format == pb.format and pa.value is not None and pb.value is not None:
            result = compare_structured(pa, pb, metrics)
        else:
            metrics.update(format="plain", structure=_why_plain(pa, pb))
            result = _plain(da, db, metrics)
        progress(100)
        return result


engine = TextEngine()


def _why_plain(pa: Parsed, pb: Parsed) -> str:
    for label, parsed in (("file1", pa), ("file2", pb)):
        if parsed.problem:
            return f"unparsed: {label} {parsed.problem}"
    if pa.format != pb.format:
        return f"different formats: file1 is {pa.format}, file2 is {pb.format}"
    return "none"


# --- plain text ----------------------------------------------------------------------------------


def _plain(da: Decoded, db: Decoded, metrics: dict[str, Any]) -> Result:
    wa, wb = Words.of(da.text), Words.of(db.text)
    dist = distance(wa, wb)
    hunks = _hunks(dist, wa, wb)
    metrics.update(text_metrics(dist, wa, wb))
    metrics.update(
        lines_a=line_count(da.text),
        lines_b=line_count(db.text),
        lines_removed=sum(h.a_end - h.a_start + 1 for h in hunks),
        lines_added=sum(h.b_end - h.b_start + 1 for h in hunks),
        hunks=len(hunks),
        hunks_shown=min(len(hunks), MAX_HUNKS),
    )
    found = [h.as_change(wa, wb) for h in hunks[:MAX_HUNKS]]
    similarity = score(_similarity(dist), differs=bool(hunks))
    return Result(
        similarity=similarity,
        metrics=metrics,
        changes=found,
        identical=not hunks,  # line endings, encodings and re-wrapping make no hunk
        summary=_summary(hunks),
    )


def _similarity(dist: TextDistance) -> float:
    """100 when the words and characters agree; WER and CER above 1 (b much longer) count as 1."""
    return 100 * (1 - (min(dist.wer, 1.0) + min(dist.cer, 1.0)) / 2)


@dataclass
class Hunk:
    """Lines a_start..a_end of file1 became lines b_start..b_end of file2 (1-based, inclusive).
    An empty side has end = start - 1: the other side's lines go before its line `start`."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    words: list[tuple[int, int, int, int]]  # the changed word ranges (i1, i2, j1, j2) inside

    @property
    def kind(self) -> Kind:
        if self.a_end < self.a_start:
            return "added"
        return "removed" if self.b_end < self.b_start else "changed"

    def as_change(self, wa: Words, wb: Words) -> Change:
        lines_a = wa.lines[self.a_start - 1 : self.a_end]
        lines_b = wb.lines[self.b_start - 1 : self.b_end]
        return changes.lines(
            self.kind,
            source=(self.a_start, self.a_end) if lines_a else None,
            target=(self.b_start, self.b_end) if lines_b else None,
            before=_shown(lines_a),
            after=_shown(lines_b),
            magnitude=self._edited_share(wa, wb),
        )

    def _edited_share(self, wa: Words, wb: Words) -> float:
        """Words edited over the words on the hunk's lines (the larger side): a word error rate
        of the hunk, from the alignment already made (a 10 MB line is not aligned again)."""
        edited = sum(max(i2 - i1, j2 - j1) for i1, i2, j1, j2 in self.words)
        on_lines = max(
            _words_on(wa, self.a_start, self.a_end), _words_on(wb, self.b_start, self.b_end)
        )
        return min(1.0, edited / on_lines) if on_lines else 1.0


def _words_on(words: Words, first: int, last: int) -> int:
    """How many words lines first..last (1-based, inclusive) hold."""
    if last < first:
        return 0
    stop = words.line_starts[last] if last < len(words.line_starts) else len(words.tokens)
    return stop - words.line_starts[first - 1]


def _shown(lines: list[str]) -> str | None:
    """The lines as one string (None when there are none), each clipped, at most MAX_HUNK_LINES
    of them and then how many more there are."""
    if not lines:
        return None
    shown = [clip(line) for line in lines[:MAX_HUNK_LINES]]
    if len(lines) > MAX_HUNK_LINES:
        shown.append(f"… {len(lines) - MAX_HUNK_LINES:,} more lines")
    return "\n".join(shown)


def _summary(hunks: list[Hunk]) -> str:
    """ "3 lines changed, 1 line added", over every hunk (not only those listed)."""
    counted: dict[str, int] = {"changed": 0, "removed": 0, "added": 0}
    for hunk in hunks:
        side = (hunk.b_start, hunk.b_end) if hunk.kind == "added" else (hunk.a_start, hunk.a_end)
        counted[hunk.kind] += side[1] - side[0] + 1
    return summaries.joined(
        f"{summaries.plural(count, 'line')} {kind}" for kind, count in counted.items() if count
    )


def _hunks(dist: TextDistance, wa: Words, wb: Words) -> list[Hunk]:
    hunks: list[Hunk] = []
    for group in _groups(dist.alignment.ops):
        hunk = _hunk(group, wa, wb)
        last = hunks[-1] if hunks else None
        if last and (hunk.a_start <= last.a_end or hunk.b_start <= last.b_end):
            last.a_start, last.a_end = min(last.a_start, hunk.a_start), max(last.a_end, hunk.a_end)
            last.b_start, last.b_end = min(last.b_start, hunk.b_start), max(last.b_end, hunk.b_end)
            last.words += hunk.words
        else:
            hunks.append(hunk)
    return hunks


def _groups(ops: list[tuple[str, int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """Runs of consecutive changes between two matches, as word ranges (i1, i2, j1, j2)."""
    groups: list[tuple[int, int, int, int]] = []
    open_run = False
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            open_run = False
        elif open_run:
            gi1, _, gj1, _ = groups[-1]
            groups[-1] = (gi1, i2, gj1, j2)
        else:
            groups.append((i1, i2, j1, j2))
            open_run = True
    return groups


def _hunk(group: tuple[int, int, int, int], wa: Words, wb: Words) -> Hunk:
    """The lines a run of word changes touches. A change that starts or ends inside a line also
    takes the neighbouring matched words' lines, so a one-word edit shows its whole line on both
    sides — while a paragraph that was only re-wrapped produces no run at all."""
    i1, i2, j1, j2 = group
    lines_a = {wa.line_of(i1), wa.line_of(i2 - 1)} if i2 > i1 else set()
    lines_b = {wb.line_of(j1), wb.line_of(j2 - 1)} if j2 > j1 else set()
    if i1 and j1 and (_joined(wa, i1 - 1, i1, i2 > i1) or _joined(wb, j1 - 1, j1, j2 > j1)):
        lines_a.add(wa.line_of(i1 - 1))
        lines_b.add(wb.line_of(j1 - 1))
    n, m = len(wa.tokens), len(wb.tokens)
    if i2 < n and j2 < m and (_joined(wa, i2 - 1, i2, i2 > i1) or _joined(wb, j2 - 1, j2, j2 > j1)):
        lines_a.add(wa.line_of(i2))
        lines_b.add(wb.line_of(j2))
    a_start, a_end = _line_range(lines_a, wa, i1)
    b_start, b_end = _line_range(lines_b, wb, j1)
    return Hunk(a_start, a_end, b_start, b_end, [group])


def _joined(words: Words, left: int, right: int, changed: bool) -> bool:
    return changed and words.line_of(left) == words.line_of(right)


def _line_range(lines: set[int], words: Words, at: int) -> tuple[int, int]:
    if lines:
        return min(lines), max(lines)
    if at < len(words.tokens):
        return words.line_of(at), words.line_of(at) - 1  # before the line holding the next word
    start = words.line_of(at - 1) + 1 if at else 1  # after the last word
    return start, start - 1
