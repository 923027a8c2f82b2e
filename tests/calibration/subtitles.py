"""Subtitle calibration pairs: cues written from real text (the GPL's opening, Django's French and
Russian translations) with subtitler-like timings; file2 is the same subtitles in another form,
or other subtitles."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from tests.calibration import Kind, Pair
from tests.engines import media_texts as texts
from tests.engines.media_texts import Cue

CUES = 40


def _gpl() -> list[str]:
    return texts.sentences(texts.licence("GPL-3"))


def _apache() -> list[str]:
    return texts.sentences(texts.licence("Apache-2.0"))


def _django(language: str) -> list[str]:
    """Django's messages in `language`, two words or more: ~90 lines, 40 cues a half."""
    return texts.translations(language, min_words=2)


# (name, the lines of file1's cues, other lines of the same language)
SOURCES: tuple[tuple[str, Callable[[], list[str]], Callable[[], list[str]]], ...] = (
    ("GPL-3 (en)", _gpl, _apache),
    ("Django (fr)", lambda: _django("fr")[:40], lambda: _django("fr")[40:]),
    ("Django (ru)", lambda: _django("ru")[:40], lambda: _django("ru")[40:]),
)


def cues(lines: list[str]) -> list[Cue]:
    return texts.cues_from(lines)[:CUES]


def _with_text_of(timed: list[Cue], other: list[Cue]) -> list[Cue]:
    """`timed`'s timings carrying `other`'s words: other subtitles paced the same way."""
    return [replace(cue, lines=o.lines) for cue, o in zip(timed, other, strict=False)]


def _one_word_changed(original: list[Cue]) -> list[Cue]:
    changed = list(original)
    cue = changed[CUES // 2]
    words = cue.lines[0].split()
    words[len(words) // 2] = "changed"
    changed[CUES // 2] = replace(cue, lines=(" ".join(words), *cue.lines[1:]))
    return changed


def _retimed(original: list[Cue], every: int = 10, ms: int = 400) -> list[Cue]:
    return [
        replace(c, start_ms=c.start_ms + ms, end_ms=c.end_ms + ms) if n % every == 5 else c
        for n, c in enumerate(original)
    ]


def _half_replaced(original: list[Cue], other: list[Cue]) -> list[Cue]:
    half = len(original) // 2
    return original[:half] + _with_text_of(original[half:], other)


Write = Callable[[list[Cue], list[Cue], Path], Path]  # (file1's cues, other cues, folder) -> file2


def _pairs(write_b: Write) -> Callable[[Path], list[Pair]]:
    def make(folder: Path) -> list[Pair]:
        pairs = []
        for n, (name, lines, other_lines) in enumerate(SOURCES):
            original, other = cues(lines()), cues(other_lines())
            here = folder / str(n)
            here.mkdir(parents=True, exist_ok=True)
            a = texts.write(here / "a.srt", texts.srt(original))
            pairs.append(Pair(name, a, write_b(original, other, here)))
        return pairs

    return make


def srt_of(edit: Callable[[list[Cue], list[Cue]], list[Cue]], **options: str) -> Write:
    return lambda a, other, folder: texts.write(
        folder / "b.srt", texts.srt(edit(a, other)), **options
    )


def _kind(name: str, same: bool, write_b: Write) -> Kind:
    return Kind("subtitle", name, same, _pairs(write_b))


KINDS = [
    _kind("WebVTT of the same cues", True, lambda a, _, f: texts.write(f / "b.vtt", texts.vtt(a))),
    _kind("UTF-16, CRLF", True, srt_of(lambda a, _: a, encoding="utf-16", newline="\r\n")),
    _kind(
        "SRT without cue numbers",
        True,
        lambda a, _, f: texts.write(f / "b.srt", texts.srt(a, numbered=False)),
    ),
    _kind("constant delay 2.5 s", True, srt_of(lambda a, _: texts.shifted(a, 2_500))),
    _kind("4 of 40 cues retimed by 400 ms", True, srt_of(lambda a, _: _retimed(a))),
    _kind("one word changed", True, srt_of(lambda a, _: _one_word_changed(a))),
    _kind("other text, same pacing", False, srt_of(lambda a, other: _with_text_of(a, other))),
    _kind("second half other text", False, srt_of(_half_replaced)),
]
