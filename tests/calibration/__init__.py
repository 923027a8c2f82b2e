"""The calibration set: pairs of real media whose right answer to "is this the same content?" is
known, grouped in classes ("MP3 re-encode", "other sentence, same speaker", ...). The tests assert
that every pair of a class gets that answer at the default threshold, with no option in the
request; `benchmarks/bench_calibration.py` prints each class's scores, which is how the default
thresholds were chosen (README, "How the default thresholds were chosen").

Each media type has a module here with a `KINDS` list, named in `SETS`; a new type (images) adds
its module there, and the test and the benchmark pick it up. Every file is made from media that
ship with the machine or the project's packages (espeak-ng, Debian's licence texts, Django's
translations, scikit-image's photographs), never by hand.
"""

from __future__ import annotations

import importlib
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from comparisons.engines import Options, Result, get_engine, spec_of

SETS = ("audio", "video", "subtitles", "text", "images")  # modules of this package


def kinds(sets: tuple[str, ...] = SETS) -> list[Kind]:
    found: list[Kind] = []
    for name in sets:
        found += importlib.import_module(f"{__name__}.{name}").KINDS
    return found


@dataclass(frozen=True)
class Pair:
    name: str  # which source the pair was made from, e.g. "GPL-3, en-us"
    a: Path
    b: Path


@dataclass(frozen=True)
class Kind:
    """A class of pairs: how file2 is made from file1, and whether that keeps the content."""

    media_type: str
    name: str
    same: bool  # the right `match`
    make: Callable[[Path], list[Pair]]  # writes the pairs into the folder it is given
    mode: str = "pixel"  # images only: the comparison mode the class is judged in


@dataclass(frozen=True)
class Scored:
    kind: Kind
    pair: Pair
    similarity: float
    threshold: float

    @property
    def match(self) -> bool:
        return self.similarity >= self.threshold

    @property
    def right(self) -> bool:
        return self.match == self.kind.same


def threshold_for(kind: Kind) -> float:
    return spec_of(kind.media_type).threshold(kind.mode)


def compare(kind: Kind, pair: Pair) -> Result:
    engine = get_engine(kind.media_type)
    return engine.compare(pair.a, pair.b, Options(mode=kind.mode), lambda _: None)


def score(kind: Kind, folder: Path) -> list[Scored]:
    """Every pair of `kind`, made in `folder` (a folder of its own per kind), compared."""
    folder.mkdir(parents=True, exist_ok=True)
    threshold = threshold_for(kind)
    return [
        Scored(kind, pair, compare(kind, pair).similarity, threshold) for pair in kind.make(folder)
    ]


def summary(scored: list[Scored]) -> tuple[float, float, float]:
    values = [s.similarity for s in scored]
    return min(values), statistics.median(values), max(values)


def wrong(scored: list[Scored]) -> list[str]:
    """The pairs decided wrongly, described for an assertion message."""
    return [
        f"{s.pair.name}: {s.similarity} {'>=' if s.match else '<'} {s.threshold}"
        for s in scored
        if not s.right
    ]
