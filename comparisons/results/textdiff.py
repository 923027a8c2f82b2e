"""A line diff a person reads: rows of file1's and file2's lines side by side, changed lines
paired with the words that differ marked, and long unchanged runs folded to a few lines of
context around each change. The unified view is the same rows, one column.

Lines are aligned with the text engine's own aligner (comparisons.engines.textio.align), whose
cost stays bounded for large inputs; words inside a changed line with difflib."""

from __future__ import annotations

import difflib
import re
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
    """The two texts line by line, unchanged runs folded."""
    lines_a, lines_b = _lines(text_a), _lines(text_b)
    rows: list[Row] = []
    # lines are the same when their words are (the text engine compares words, not spacing)
    keys_a, keys_b = ([" ".join(line.split()) for line in lines] for lines in (lines_a, lines_b))
    at_a = at_b = 0  # where the lines not yet shown start: a run of edits is one block
    for tag, i1, i2, j1, j2 in align(keys_a, keys_b).ops:
        if tag != "equal":
            continue
        # everything between the last equal run and this one changed: pair it line by line
        rows += paired(lines_a[at_a:i1], lines_b[at_b:j1], at_a + 1, at_b + 1)
        rows += [
            Row("same", i1 + k + 1, j1 + k + 1, [Piece(_shown(la))], [Piece(_shown(lb))])
            for k, (la, lb) in enumerate(zip(lines_a[i1:i2], lines_b[j1:j2], strict=True))
        ]
        at_a, at_b = i2, j2
    rows += paired(lines_a[at_a:], lines_b[at_b:], at_a + 1, at_b + 1)
    return _limited(fold(rows, context))


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
        keep_head = context if k > 0 else 0  # after a change
        keep_tail = context if end < len(rows) else 0  # before the next one
        run = rows[k:end]
        if len(run) <= keep_head + keep_tail + 1:
            folded += run
        else:
            hidden = run[keep_head : len(run) - keep_tail]
            folded += run[:keep_head]
            unfoldable = hidden if len(hidden) <= MAX_FOLDED else []
            folded.append(Row("fold", hidden=unfoldable, count=len(hidden)))
            folded += run[len(run) - keep_tail :]
        k = end
    return folded


def _limited(rows: list[Row]) -> LineDiff:
    """At most MAX_ROWS rows (folded ones count), changed lines marked word by word: only these,
    so two unrelated 40,000-line files cost 2,000 word diffs, not 40,000."""
    total, shown, truncated = 0, rows, False
    for index, row in enumerate(rows):
        total += 1 + len(row.hidden)
        if total > MAX_ROWS:
            shown, truncated = rows[:index], True
            break
    for row in shown:
        mark_words(row)
    return LineDiff(shown, truncated=truncated)


def mark_words(row: Row) -> None:
    if not row.marked:
        row.a, row.b = words(row.a[0].text, row.b[0].text)
        row.marked = True
