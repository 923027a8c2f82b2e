"""Reading text the way a reader sees it, and measuring how far two texts are apart.

Shared by the text and subtitle engines: decoding (BOMs, UTF-16/32, legacy 8-bit encodings),
normalisation (line endings, Unicode NFC), word tokens that remember their lines, and a word
alignment whose cost stays bounded however large or repetitive the input is.
"""

from __future__ import annotations

import bisect
import codecs
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import chardet
import jiwer
from rapidfuzz.distance import Levenshtein

from comparisons.engines.base import UnreadableFile

# The API caps text uploads well below this; the engine still refuses anything larger so a direct
# caller cannot hand it a file whose word lists would not fit in memory.
MAX_BYTES = 32 * 1024 * 1024

# Levenshtein on token lists is O(n*m/64) (rapidfuzz, bit-parallel); 6.4e8 cells is ~25k x 25k
# words, about 0.15 s here. Above it the alignment is anchored and windowed (see `align`).
EXACT_WORD_CELLS = 640_000_000
# Character edit distance over n characters within a band of w: n*w cells, ~0.1 s for 4e9
# (two unrelated 10,000-word texts: 62k x 62k); sparse edits need a narrow band (see `_cer`).
EXACT_CHAR_CELLS = 4_000_000_000
WINDOW = 4_000  # words per window when a gap is too large to align exactly
MAX_LINE_CHARS = (
    240  # characters shown per line or value (one 10 MB line must not become the answer)
)

BOMS = (  # UTF-32 first: its little-endian BOM starts with the UTF-16 one
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# C0 controls a text file does not contain (tab, LF, VT, FF, CR and ESC are fine), DEL, C1 controls
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f-\x9f]")
_LINE_BREAK = re.compile(r"\r\n?")


@dataclass(frozen=True)
class Decoded:
    text: str  # NFC, "\n" line endings, no BOM
    encoding: str  # "utf-8", "utf-8 (BOM)", "utf-16-le (BOM)", "cp1252", ...


# --- decoding ------------------------------------------------------------------------------------


def read_text(path: Path, label: str) -> Decoded:
    """Decode and normalise one file. `label` names the file in errors ("file1", "The file")."""
    return decode(read_bytes(path, label), label)


def read_bytes(path: Path, label: str) -> bytes:
    """The file's bytes, refused above MAX_BYTES before any is read."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise UnreadableFile(
            f"{label} is {size / 1048576:.1f} MB; text is compared up to {MAX_BYTES >> 20} MB."
        )
    return path.read_bytes()


def decode(data: bytes, label: str, *, complete: bool = True) -> Decoded:
    """The one way DiffALL decides whether bytes are text, and in what encoding: a BOM, else
    strict UTF-8, else chardet's guess; then no NULs and few control characters. Raises
    `UnreadableFile`. `complete=False` says `data` is only the head of a longer file (media-type
    detection reads 64 KB), so a character cut in two at its end is dropped, not an error."""
    for bom, codec in BOMS:
        if data.startswith(bom):
            text = _strict(data[len(bom) :], codec, label, complete)
            return _decoded(text, f"{codec} (BOM)", label)
    if b"\x00" not in data:
        try:
            return _decoded(_text_of(data, "utf-8", complete), "utf-8", label)
        except UnicodeDecodeError:
            pass  # a legacy 8-bit encoding (or binary): let the detector decide
    codec = _detect(data, label)
    return _decoded(_strict(data, codec, label, complete), codec, label)


def _detect(data: bytes, label: str) -> str:
    # chardet 7 rather than charset-normalizer: on short Western texts charset-normalizer picked
    # cp1257 for cp1252 French ("crčme") and found nothing for cp1250 Polish; chardet got both.
    found = chardet.detect(data)  # no "superset" renaming: it turns ISO-8859-2 into cp1250
    encoding = found.get("encoding")
    if not encoding:
        raise UnreadableFile(f"{label} is not text: it looks like binary data.")
    return codecs.lookup(encoding).name


def _text_of(data: bytes, codec: str, complete: bool) -> str:
    """Strict decoding; of a head, an incomplete last character is held back, not an error."""
    if complete:
        return data.decode(codec)
    return codecs.getincrementaldecoder(codec)("strict").decode(data, final=False)


def _strict(data: bytes, codec: str, label: str, complete: bool) -> str:
    try:
        return _text_of(data, codec, complete)
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            f"{label} is not readable text: byte {exc.start} is not valid {codec}."
        ) from None


def _decoded(text: str, encoding: str, label: str) -> Decoded:
    controls = len(_CONTROL.findall(text, 0, 1 << 20))  # a sample is enough to tell
    if "\x00" in text or controls > max(8, min(len(text), 1 << 20) // 200):
        raise UnreadableFile(f"{label} is not text: it contains binary control bytes.")
    return Decoded(normalise(text), encoding)


def line_count(text: str) -> int:
    """Lines as an editor counts them: a final line break does not start another line."""
    return text.count("\n") + (1 if text and not text.endswith("\n") else 0)


def normalise(text: str) -> str:
    """What a reader sees: no BOM, one kind of line ending, composed Unicode (é is é)."""
    text = _LINE_BREAK.sub("\n", text.lstrip("\ufeff"))
    return unicodedata.normalize("NFC", text)


# --- words that remember their lines ------------------------------------------------------------


@dataclass(frozen=True)
class Words:
    """The words of a text (split on any whitespace) and where each line starts among them."""

    tokens: list[str]
    line_starts: list[int]  # line_starts[k] = index of the first word on line k + 1
    lines: list[str]

    @classmethod
    def of(cls, text: str) -> Words:
        lines = text.split("\n")
        tokens: list[str] = []
        starts: list[int] = []
        for line in lines:
            starts.append(len(tokens))
            # interned: the same word shares one string, so a 10 MB text stays small in memory
            tokens.extend(map(sys.intern, line.split()))
        return cls(tokens, starts, lines)

    def line_of(self, index: int) -> int:
        """1-based line number of word `index`."""
        return bisect.bisect_right(self.line_starts, index)


# --- alignment -----------------------------------------------------------------------------------

Op = tuple[str, int, int, int, int]  # ("equal" | "replace" | "delete" | "insert", i1, i2, j1, j2)


@dataclass(frozen=True)
class Alignment:
    ops: list[Op]
    method: str  # "exact" or "anchored" (bounded: unique-word anchors, then windows)

    def counts(self) -> tuple[int, int, int, int]:
        """(hits, substitutions, deletions, insertions), as jiwer counts them."""
        totals = {"equal": 0, "replace": 0, "delete": 0, "insert": 0}
        for tag, i1, i2, j1, j2 in self.ops:
            totals[tag] += max(i2 - i1, j2 - j1)
        return totals["equal"], totals["replace"], totals["delete"], totals["insert"]


def align(a: Sequence[object], b: Sequence[object]) -> Alignment:
    """Edit-distance alignment of two token sequences. Exact when the cost is affordable; for
    larger inputs, the common prefix and suffix are taken off, unique tokens shared by both anchor
    the rest, and each gap between anchors is aligned exactly or, if still too large, window by
    window — so the cost grows linearly, not with n*m."""
    pre = _common_prefix(a, b)
    suf = _common_suffix(a[pre:], b[pre:])
    mid_a, mid_b = a[pre : len(a) - suf], b[pre : len(b) - suf]
    ops: list[Op] = [("equal", 0, pre, 0, pre)] if pre else []
    method = "exact"
    if len(mid_a) * len(mid_b) <= EXACT_WORD_CELLS:
        ops += _shift(_exact(mid_a, mid_b), pre, pre)
    else:
        method = "anchored"
        ops += _shift(_anchored(mid_a, mid_b), pre, pre)
    if suf:
        ops.append(("equal", len(a) - suf, len(a), len(b) - suf, len(b)))
    return Alignment([op for op in ops if op[1] < op[2] or op[3] < op[4]], method)


def _common_prefix(a: Sequence[object], b: Sequence[object]) -> int:
    n, i, step = min(len(a), len(b)), 0, 1024
    while i + step <= n and a[i : i + step] == b[i : i + step]:  # compared in C, a block a time
        i += step
    while i < n and a[i] == b[i]:
        i += 1
    return i


def _common_suffix(a: Sequence[object], b: Sequence[object]) -> int:
    la, lb, k, step = len(a), len(b), 0, 1024
    n = min(la, lb)
    while k + step <= n and a[la - k - step : la - k] == b[lb - k - step : lb - k]:
        k += step
    while k < n and a[la - 1 - k] == b[lb - 1 - k]:
        k += 1
    return k


def _shift(ops: list[Op], di: int, dj: int) -> list[Op]:
    return [(tag, i1 + di, i2 + di, j1 + dj, j2 + dj) for tag, i1, i2, j1, j2 in ops]


def _exact(a: Sequence[object], b: Sequence[object]) -> list[Op]:
    if not a or not b:
        return _unaligned(len(a), len(b))
    found = Levenshtein.opcodes(a, b)
    return [(op.tag, op.src_start, op.src_end, op.dest_start, op.dest_end) for op in found]


def _unaligned(n: int, m: int) -> list[Op]:
    """Two stretches that cannot be aligned: substitutions as far as both go, the rest
    deleted or inserted — the same counts jiwer would give two unrelated stretches."""
    k = min(n, m)
    ops: list[Op] = [("replace", 0, k, 0, k)] if k else []
    if n > k:
        ops.append(("delete", k, n, k, k))
    if m > k:
        ops.append(("insert", k, k, k, m))
    return ops


def _anchored(a: Sequence[object], b: Sequence[object]) -> list[Op]:
    ops: list[Op] = []
    i = j = 0
    for ai, bj in [*_anchors(a, b), (len(a), len(b))]:
        if ai < i or bj < j:
            continue
        gap_a, gap_b = a[i:ai], b[j:bj]
        if len(gap_a) * len(gap_b) <= EXACT_WORD_CELLS:
            ops += _shift(_exact(gap_a, gap_b), i, j)
        else:
            ops += _shift(_windowed(gap_a, gap_b), i, j)
        if ai < len(a):
            ops.append(("equal", ai, ai + 1, bj, bj + 1))
        i, j = ai + 1, bj + 1
    return ops


def _anchors(a: Sequence[object], b: Sequence[object]) -> list[tuple[int, int]]:
    """Tokens that occur exactly once in each text, kept where their order agrees (the longest
    increasing run of positions, as patience diff does)."""
    once_a = {tok for tok, n in Counter(a).items() if n == 1}
    unique = {tok for tok, n in Counter(b).items() if n == 1 and tok in once_a}
    if not unique:
        return []  # repetitive text: the windows will have to do
    where_b = {tok: j for j, tok in enumerate(b) if tok in unique}
    return _longest_increasing([(i, where_b[tok]) for i, tok in enumerate(a) if tok in unique])


def _longest_increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    tails: list[int] = []  # tails[k] = smallest j ending an increasing run of length k + 1
    tail_at: list[int] = []  # index into pairs of that run's last element
    back: list[int] = []
    for n, (_, j) in enumerate(pairs):
        k = bisect.bisect_left(tails, j)
        if k == len(tails):
            tails.append(j)
            tail_at.append(n)
        else:
            tails[k], tail_at[k] = j, n
        back.append(tail_at[k - 1] if k else -1)
    run, n = [], tail_at[-1] if tail_at else -1
    while n >= 0:
        run.append(pairs[n])
        n = back[n]
    return run[::-1]


def _windowed(a: Sequence[object], b: Sequence[object]) -> list[Op]:
    """Greedy alignment window by window: align WINDOW words of each side exactly, keep it up to
    the last match that starts in the first half of the window, move on. Linear in the input;
    exact for local edits, approximate for large moves (which had no anchors to begin with)."""
    ops: list[Op] = []
    i = j = 0
    while i < len(a) and j < len(b):
        wa, wb = a[i : i + WINDOW], b[j : j + WINDOW]
        window = _exact(wa, wb)
        if i + WINDOW >= len(a) and j + WINDOW >= len(b):
            keep = window  # the last window: nothing after it to pull the ends elsewhere
        else:
            keep = _first_half(window, len(wa) // 2) or _unaligned(
                (len(wa) + 1) // 2, (len(wb) + 1) // 2
            )
        ops += _shift(keep, i, j)
        i, j = i + keep[-1][2], j + keep[-1][4]
    return ops + _shift(_unaligned(len(a) - i, len(b) - j), i, j)


def _first_half(window: list[Op], half: int) -> list[Op] | None:
    """The window's ops up to the last match starting before `half`; None if there is none."""
    cut = None
    for n, op in enumerate(window):
        if op[1] >= half:
            break
        if op[0] == "equal":
            cut = n
    return window[: cut + 1] if cut is not None else None


# --- scores --------------------------------------------------------------------------------------


def score(similarity: float, differs: bool) -> float:
    """100 means nothing differs: three changed values among 40,000 would otherwise round to it."""
    return min(similarity, 99.9) if differs else similarity


@dataclass(frozen=True)
class TextDistance:
    alignment: Alignment
    wer: float
    cer: float
    cer_method: str  # "exact" (over all characters) or "word-aligned" (within changed words)
    words_added: int
    words_removed: int


def distance(a: Words, b: Words) -> TextDistance:
    """Word error rate and character error rate of `b` against `a`, whitespace-normalised."""
    ref, hyp = a.tokens, b.tokens
    if len(ref) * len(hyp) <= EXACT_WORD_CELLS and ref and hyp:
        words = jiwer.process_words(" ".join(ref), " ".join(hyp))
        alignment = Alignment([_from_jiwer(c) for c in words.alignments[0]], "exact")
        wer = words.wer
    else:
        alignment = align(ref, hyp)
        wer = _rate(alignment, len(ref), len(hyp))
    cer, cer_method = _cer(a, b, alignment)
    _, subs, dels, ins = alignment.counts()
    return TextDistance(alignment, wer, cer, cer_method, subs + ins, subs + dels)


def text_metrics(dist: TextDistance, wa: Words, wb: Words) -> dict[str, Any]:
    """The word and character figures every text comparison reports, plain or structured."""
    return {
        "wer": round(dist.wer, 4),
        "cer": round(dist.cer, 4),
        "cer_method": dist.cer_method,
        "alignment": dist.alignment.method,
        "words_a": len(wa.tokens),
        "words_b": len(wb.tokens),
        "words_added": dist.words_added,
        "words_removed": dist.words_removed,
    }


def clip(text: str) -> str:
    """At most MAX_LINE_CHARS characters of `text`, an ellipsis marking a cut."""
    return text if len(text) <= MAX_LINE_CHARS else text[: MAX_LINE_CHARS - 1] + "…"


def _from_jiwer(chunk: jiwer.AlignmentChunk) -> Op:
    tag = "replace" if chunk.type == "substitute" else chunk.type
    return (tag, chunk.ref_start_idx, chunk.ref_end_idx, chunk.hyp_start_idx, chunk.hyp_end_idx)


def _rate(alignment: Alignment, n_ref: int, n_hyp: int) -> float:
    if n_ref == 0:
        return 0.0 if n_hyp == 0 else 1.0
    _, subs, dels, ins = alignment.counts()
    return (subs + dels + ins) / n_ref


def _cer(a: Words, b: Words, alignment: Alignment) -> tuple[float, str]:
    ref, hyp = " ".join(a.tokens), " ".join(b.tokens)
    if not ref:
        return (0.0 if not hyp else 1.0), "exact"
    if not hyp:
        return 1.0, "exact"
    # The word alignment is one way of editing ref into hyp, so its character edits bound the
    # true distance from above; told that bound, rapidfuzz only explores a band that wide —
    # the same number jiwer.cer gives, in milliseconds instead of ~0.2 s for 10,000 words.
    bound = sum(_chunk_chars(a.tokens, b.tokens, op) for op in alignment.ops if op[0] != "equal")
    if len(ref) * min(len(hyp), 2 * bound + 1) > EXACT_CHAR_CELLS:
        return bound / len(ref), "word-aligned"
    return Levenshtein.distance(ref, hyp, score_cutoff=bound) / len(ref), "exact"


def _chunk_chars(ref: Sequence[str], hyp: Sequence[str], op: Op) -> int:
    """Character edits inside one changed stretch of the word alignment (plus the space that
    separated it from its neighbours when one side is empty)."""
    _, i1, i2, j1, j2 = op
    x, y = " ".join(ref[i1:i2]), " ".join(hyp[j1:j2])
    if not x or not y:
        return len(x or y) + 1
    if len(x) * len(y) > EXACT_CHAR_CELLS // 16:
        return max(len(x), len(y))  # an upper bound; such a stretch is unrelated text anyway
    return int(Levenshtein.distance(x, y))


def difference(a: str, b: str) -> float:
    """How much of two strings differs, 0..1: the edit distance over the longer length. The
    common ends are taken off first (an edit in a 2 MB line costs what the edit costs); a middle
    still too large to align exactly is counted as entirely different, an upper bound."""
    longest = max(len(a), len(b))
    if not longest:
        return 0.0
    pre = _common_prefix(a, b)
    suf = _common_suffix(a[pre:], b[pre:])
    mid_a, mid_b = a[pre : len(a) - suf], b[pre : len(b) - suf]
    if len(mid_a) * len(mid_b) > EXACT_CHAR_CELLS // 16:
        return max(len(mid_a), len(mid_b)) / longest
    return int(Levenshtein.distance(mid_a, mid_b)) / longest
