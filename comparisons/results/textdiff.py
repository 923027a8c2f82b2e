"""A line diff a person reads: rows of file1's and file2's lines side by side, changed lines
paired with the words that differ marked, and long unchanged runs folded to a few lines of
context around each change. The unified view is the same rows, one column.

Lines are aligned with the text engine's own aligner (comparisons.engines.textio.align), whose
cost stays bounded for large inputs; words inside a changed line with difflib."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from comparisons.engines.textio import align

CONTEXT = 3  # unchanged lines kept on each side of a change
MAX_ROWS = 2_000  # rows rendered in all (a page, not a dump); the rest is said in words
MAX_FOLDED = 300  # an unchanged run up to this long can be unfolded in the page
MAX_LINE = 2_000  # characters shown of one line
MAX_WORD_DIFF = 3_000  # longer changed lines are marked whole, not word by word
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


@dataclass(frozen=True)
class Piece:
    text: str
    marked: bool = False  # a word that differs from the other side


@dataclass
class Row:
    kind: str  # "same" | "changed" | "removed" | "added" | "fold"
    number_a: int | None = None
    number_b: int | None = None
    a: list[Piece] = field(default_factory=list)
    b: list[Piece] = field(default_factory=list)
    hidden: list[Row] = field(default_factory=list)  # a fold: the rows it hides (may be empty)
    marked: bool = True  # the words that differ are marked (done only for rows that are shown)
    count: int = 0  # a fold: how many lines it stands for (0 = not known)
    time_a: str = ""  # subtitles: each side's cue times
    time_b: str = ""


@dataclass
class LineDiff:
    rows: list[Row]
    truncated: bool = False  # more rows than MAX_ROWS: the page says so

    @property
    def changed(self) -> bool:
        return any(row.kind not in ("same", "fold") for row in self.rows)


def _shown(line: str) -> str:
    return line if len(line) <= MAX_LINE else line[:MAX_LINE] + "\u2026"


def words(before: str, after: str) -> tuple[list[Piece], list[Piece]]:
    """Both lines cut into pieces, the words that differ marked."""
    before, after = _shown(before), _shown(after)
    if len(before) + len(after) > MAX_WORD_DIFF:
        return [Piece(before, True)], [Piece(after, True)]
    ta, tb = _TOKEN.findall(before), _TOKEN.findall(after)
    a: list[Piece] = []
    b: list[Piece] = []
    matcher = difflib.SequenceMatcher(None, ta, tb, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        marked = tag != "equal"
        _append(a, "".join(ta[i1:i2]), marked)
        _append(b, "".join(tb[j1:j2]), marked)
    return a or [Piece("")], b or [Piece("")]


def _append(pieces: list[Piece], text: str, marked: bool) -> None:
    """Adjacent pieces of the same kind join, so a page has few elements."""
    if not text:
        return
    if pieces and pieces[-1].marked == marked:
        pieces[-1] = Piece(pieces[-1].text + text, marked)
    else:
        pieces.append(Piece(text, marked))


def paired(
    before: list[str], after: list[str], first_a: int | None, first_b: int | None
) -> list[Row]:
    """A changed block: line k of one side beside line k of the other, words marked; the
    lines only one side has are removed or added."""
    rows = []
    for k in range(max(len(before), len(after))):
        number_a = first_a + k if first_a is not None and k < len(before) else None
        number_b = first_b + k if first_b is not None and k < len(after) else None
        if k < len(before) and k < len(after):  # words are marked once the rows shown are known
            a, b = [Piece(before[k])], [Piece(after[k])]
            rows.append(Row("changed", number_a, number_b, a, b, marked=False))
        elif k < len(before):
            rows.append(Row("removed", number_a, None, a=[Piece(_shown(before[k]))]))
        else:
            rows.append(Row("added", None, number_b, b=[Piece(_shown(after[k]))]))
    return rows


def line_diff(text_a: str, text_b: str, context: int = CONTEXT) -> LineDiff:
    """The two texts line by line, unchanged runs folded. Only the rows the page shows are
    built: a 2 MB file is ~50,000 unchanged lines, nearly all folded away or past MAX_ROWS."""
    lines_a, lines_b = _lines(text_a), _lines(text_b)
    # lines are the same when their words are (the text engine compares words, not spacing)
    keys_a, keys_b = ([" ".join(line.split()) for line in lines] for lines in (lines_a, lines_b))
    blocks = _blocks(align(keys_a, keys_b).ops, len(lines_a), len(lines_b))
    return _limited(_rows(blocks, lines_a, lines_b, context))


# A stretch of both files: ("same" | "edit", a_start, a_end, b_start, b_end), 0-based, end
# exclusive. Unchanged runs are merged and edits are never empty, as `fold` sees its rows.
Block = tuple[str, int, int, int, int]


def _blocks(ops: list[tuple[str, int, int, int, int]], len_a: int, len_b: int) -> list[Block]:
    blocks: list[Block] = []
    at_a = at_b = 0  # where the lines not yet placed start: a run of edits is one block
    for tag, i1, i2, j1, j2 in [*ops, ("equal", len_a, len_a, len_b, len_b)]:
        if tag != "equal":
            continue
        if at_a < i1 or at_b < j1:
            blocks.append(("edit", at_a, i1, at_b, j1))
        if i1 < i2:
            last = blocks[-1] if blocks else None
            if last and last[0] == "same" and last[2] == i1 and last[4] == j1:
                blocks[-1] = ("same", last[1], i2, last[3], j2)
            else:
                blocks.append(("same", i1, i2, j1, j2))
        at_a, at_b = i2, j2
    return blocks


def _rows(
    blocks: list[Block], lines_a: list[str], lines_b: list[str], context: int
) -> Iterator[Row]:
    """What `fold(rows, context)` gives for the rows of these blocks, built one at a time."""

    def same(i: int, j: int, n: int) -> list[Row]:
        return [
            Row("same", i + k + 1, j + k + 1, [Piece(_shown(lines_a[i + k]))],
                [Piece(_shown(lines_b[j + k]))])
            for k in range(n)
        ]  # fmt: skip

    for index, (kind, i1, i2, j1, j2) in enumerate(blocks):
        if kind == "edit":
            yield from paired(lines_a[i1:i2], lines_b[j1:j2], i1 + 1, j1 + 1)
            continue
        head, hidden, tail = _split(i2 - i1, index > 0, index < len(blocks) - 1, context)
        yield from same(i1, j1, head)
        if hidden:
            rows = same(i1 + head, j1 + head, hidden) if hidden <= MAX_FOLDED else []
            yield Row("fold", hidden=rows, count=hidden)
        yield from same(i2 - tail, j2 - tail, tail)


def _split(length: int, after: bool, before: bool, context: int) -> tuple[int, int, int]:
    """An unchanged run as the rows kept before its fold, the rows folded, the rows kept after:
    `context` rows next to a change on each side, the whole run when folding saves nothing."""
    keep_head = context if after else 0
    keep_tail = context if before else 0
    if length <= keep_head + keep_tail + 1:
        return length, 0, 0
    return keep_head, length - keep_head - keep_tail, keep_tail


def _lines(text: str) -> list[str]:
    lines = text.split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines  # a final newline ends a line


def fold(rows: list[Row], context: int = CONTEXT) -> list[Row]:
    """Runs of unchanged rows longer than the context around a change become one fold."""
    folded: list[Row] = []
    k = 0
    while k < len(rows):
        if rows[k].kind != "same":
            folded.append(rows[k])
            k += 1
            continue
        end = k
        while end < len(rows) and rows[end].kind == "same":
            end += 1
        head, hidden, tail = _split(end - k, k > 0, end < len(rows), context)
        folded += rows[k : k + head]
        if hidden:
            run = rows[k + head : k + head + hidden]
            folded.append(Row("fold", hidden=run if hidden <= MAX_FOLDED else [], count=hidden))
        folded += rows[end - tail : end]
        k = end
    return folded


def _limited(rows: Iterable[Row]) -> LineDiff:
    """At most MAX_ROWS rows (folded ones count), changed lines marked word by word: only these,
    so two unrelated 40,000-line files cost 2,000 word diffs, not 40,000."""
    total, shown, truncated = 0, [], False
    for row in rows:
        total += 1 + len(row.hidden)
        if total > MAX_ROWS:
            truncated = True
            break
        shown.append(row)
    for row in shown:
        mark_words(row)
    return LineDiff(shown, truncated=truncated)


def mark_words(row: Row) -> None:
    if not row.marked:
        row.a, row.b = words(row.a[0].text, row.b[0].text)
        row.marked = True
