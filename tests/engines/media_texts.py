"""Real texts for the text and subtitle engine tests, and the files made from them.

Sources that ship with the machine or the project's own dependencies: Debian's licence texts,
Django's translations (real French, Polish and Russian sentences), JSON schemas, CSV test data
and XML files installed with packages. Subtitles are written from real text with timings paced
the way subtitlers pace them (about 15 characters a second, short gaps, two lines at most).
"""

from __future__ import annotations

import bisect
import html
import itertools
import random
import re
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import allauth
import django
import drf_spectacular
import numpy

LICENCES = Path("/usr/share/common-licenses")
DJANGO_LOCALE = Path(django.__file__).parent / "conf" / "locale"

OPENAPI_SCHEMA = Path(drf_spectacular.__file__).parent / "validation" / "openapi_3_0_schema.json"
NUMPY_COS_CSV = Path(numpy.__file__).parent / "_core/tests/data/umath-validation-set-cos.csv"
NUMPY_LOG2_CSV = Path(numpy.__file__).parent / "_core/tests/data/umath-validation-set-log2.csv"
FACEBOOK_LOCALES_XML = (
    Path(allauth.__file__).parent / "socialaccount/providers/facebook/data/FacebookLocales.xml"
)


def licence(name: str) -> str:
    return (LICENCES / name).read_text(encoding="utf-8")


def translations(language: str, min_words: int = 4) -> list[str]:
    """Django's own sentences in `language` (single-line msgstr entries of a few words)."""
    po = (DJANGO_LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    found = re.findall(r'^msgstr "(.+)"$', po, flags=re.MULTILINE)
    return [s.replace('\\"', '"') for s in found if len(s.split()) >= min_words and "%" not in s]


def sentences(text: str) -> list[str]:
    """The sentences of a text, each on one line."""
    flat = " ".join(text.split())
    return [s for s in re.split(r"(?<=[.;:!?])\s+", flat) if len(s.split()) >= 2]


def rewrap(text: str, width: int) -> str:
    """The same paragraphs, wrapped at another width (what an editor's reflow does)."""
    paragraphs = re.split(r"\n\s*\n", text)
    return "\n\n".join(
        textwrap.fill(" ".join(p.split()), width, break_on_hyphens=False, break_long_words=False)
        for p in paragraphs
    )


def edited_words(text: str, fraction: float, seed: int) -> tuple[str, int]:
    """`text` with `fraction` of its words replaced by other real words (from the Apache licence)
    and its lines kept; returns the new text and how many words were replaced."""
    rng = random.Random(seed)
    pool = sorted(set(licence("Apache-2.0").split()))
    lines = text.split("\n")
    starts = list(itertools.accumulate((len(line.split()) for line in lines), initial=0))
    chosen = rng.sample(range(starts[-1]), max(1, round(starts[-1] * fraction)))
    touched: dict[int, list[str]] = {}
    for index in sorted(chosen):
        n = bisect.bisect_right(starts, index) - 1
        if n not in touched:
            touched[n] = lines[n].split()
        words = touched[n]
        k = index - starts[n]
        words[k] = rng.choice([w for w in rng.sample(pool, 3) if w != words[k]])
    for n, words in touched.items():
        lines[n] = " ".join(words)
    return "\n".join(lines), len(chosen)


def write(path: Path, text: str, encoding: str = "utf-8", newline: str = "\n") -> Path:
    """Write `text` with the given encoding (e.g. "utf-8-sig", "utf-16", "cp1252") and line end."""
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


# --- subtitles -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cue:
    start_ms: int
    end_ms: int
    lines: tuple[str, ...]


def cues_from(text_lines: Iterable[str], seed: int = 7, start_ms: int = 1_000) -> list[Cue]:
    """Cues for a list of sentences: each on screen for its reading time, with short gaps."""
    rng = random.Random(seed)
    cues, at = [], start_ms
    for sentence in text_lines:
        for chunk in _chunks(sentence):
            duration = max(1_200, min(6_000, len(" ".join(chunk)) * 1000 // 15))
            cues.append(Cue(at, at + duration, chunk))
            at += duration + rng.randint(80, 600)
    return cues


def _chunks(sentence: str) -> list[tuple[str, ...]]:
    lines = textwrap.wrap(sentence, 42)
    return [tuple(lines[k : k + 2]) for k in range(0, len(lines), 2)]


def shifted(cues: list[Cue], ms: int) -> list[Cue]:
    return [replace(c, start_ms=c.start_ms + ms, end_ms=c.end_ms + ms) for c in cues]


def srt(cues: list[Cue], numbered: bool = True) -> str:
    """SubRip; `numbered=False` leaves out the cue numbers, as some tools write it."""
    blocks = [
        (f"{n}\n" if numbered else "")
        + f"{_stamp(c.start_ms, ',')} --> {_stamp(c.end_ms, ',')}\n"
        + "\n".join(c.lines)
        for n, c in enumerate(cues, 1)
    ]
    return "\n\n".join(blocks) + "\n"


def vtt(cues: list[Cue], hours: bool = True) -> str:
    """WebVTT, with the text escaped as the format requires (&amp; &lt; &gt;)."""
    blocks = [
        f"{_stamp(c.start_ms, '.', hours)} --> {_stamp(c.end_ms, '.', hours)} line:90%\n"
        + "\n".join(html.escape(line, quote=False) for line in c.lines)
        for c in cues
    ]
    return (
        "WEBVTT\n\nNOTE made from real text for the DiffALL tests\n\n" + "\n\n".join(blocks) + "\n"
    )


def _stamp(ms: int, separator: str, hours: bool = True) -> str:
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    clock = f"{h:02}:{m:02}:{s:02}" if hours or h else f"{m:02}:{s:02}"
    return f"{clock}{separator}{ms:03}"


def tiny_cues_srt(count: int) -> str:
    """`count` cues of one word each, 40 ms apart — the pathological case, not a real file."""
    return "".join(
        f"{n}\n{_stamp(n * 40, ',')} --> {_stamp(n * 40 + 30, ',')}\nw{n}\n\n"
        for n in range(1, count)
    )


# --- damaged files -------------------------------------------------------------------------------

_SHARDS = (b"-->", b"<", b"{", b"[", b'"', b",", b"\n\n", b"&", b"\r", b"\x00", b"<!ENTITY a 'b'>",
           b"00:00:01,000 --> 00:00:00,500\n")  # fmt: skip


def mangled(data: bytes, rng: random.Random) -> bytes:
    """`data` with 1-30 random cuts, insertions of random bytes or of format syntax, and flips —
    what a truncated upload, a bad editor or a hostile user produces."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 30)):
        op, at = rng.random(), rng.randrange(len(out) or 1)
        if op < 0.3:
            del out[at : at + rng.randint(1, 50)]
        elif op < 0.6:
            out[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif op < 0.8:
            out[at:at] = rng.choice(_SHARDS)
        elif out:
            out[at] = rng.randrange(256)
    return bytes(out)


def edited_lines(text: str, seed: int, edits: int) -> str:
    """Lines changed by a word, inserted and deleted, scattered over the whole text."""
    rng, lines = random.Random(seed), text.split("\n")
    for _ in range(edits):
        k, choice = rng.randrange(len(lines)), rng.random()
        if choice < 0.7:
            words = lines[k].split(" ")
            words[rng.randrange(len(words))] = "edited"
            lines[k] = " ".join(words)
        elif choice < 0.85:
            lines.insert(k, f"# a line added before line {k}")
        else:
            del lines[k]
    return "\n".join(lines)
