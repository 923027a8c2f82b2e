"""Calibration benchmark: the score of every pair of the calibration set (tests/calibration), per
class min / median / max, and the decision at the default threshold - the figures the default
thresholds were chosen from (README, "How the default thresholds were chosen").

    .venv/bin/python benchmarks/bench_calibration.py [--types audio,video,subtitles,text]

Per media type it then prints the lowest same-content score and the highest different-content
score: every threshold between the two decides every pair right, and the default's distance to
each is its margin. For audio it also scores each class with the engine's noise-floor step
switched off (in this process, the same files): the baseline the step is measured against.
Media are made once and kept under benchmarks/out/calibration/. A type added to
tests/calibration.SETS (images) shows up here as more rows.
"""

from __future__ import annotations

import argparse
import platform
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._machine import machine  # noqa: E402
from comparisons.engines import get_engine  # noqa: E402
from tests.calibration import SETS, Kind, Scored, kinds, score, summary  # noqa: E402

OUT = ROOT / "benchmarks" / "out" / "calibration"


def folder(kind: Kind) -> Path:
    slug = re.sub(r"[^a-z0-9]+", "-", kind.name.lower()).strip("-")
    return OUT / kind.media_type / kind.mode / slug


@contextmanager
def audio_without_noise_step() -> Iterator[None]:
    """The audio engine without its noise-floor step: no file has a floor to subtract, so only
    the 60 dB log floor below each file's peak is left, as before the step was added."""
    import numpy as np

    from comparisons.engines.audio import align

    kept = align.noise_floor
    align.noise_floor = lambda s: np.zeros(s.mel.shape[0], np.float32)
    try:
        yield
    finally:
        align.noise_floor = kept


def label(kind: Kind) -> str:
    """The type, and for images the mode: pixel and feature mode have their own thresholds."""
    return f"image/{kind.mode}" if kind.media_type == "image" else kind.media_type


def row(kind: Kind, scored: list[Scored], baseline: list[Scored] | None) -> str:
    low, median, high = summary(scored)
    right = sum(s.right for s in scored)
    answer = "same" if kind.same else "different"
    line = (
        f"{label(kind):<13} {kind.name[:40]:<40} {answer:<9} {len(scored):>2}  "
        f"{low:6.1f} {median:6.1f} {high:6.1f}  {scored[0].threshold:5.1f}  "
        f"{'match' if kind.same else 'no match'}: {right}/{len(scored)} right"
    )
    if baseline:
        b_low, b_median, b_high = summary(baseline)
        b_right = sum(s.right for s in baseline)
        line += f"   | no noise step: {b_low:5.1f} {b_median:5.1f} {b_high:5.1f}"
        line += f" {b_right}/{len(baseline)}"
    return line


def margins(media_type: str, scored: list[Scored]) -> str:
    same = [s.similarity for s in scored if s.kind.same]
    other = [s.similarity for s in scored if not s.kind.same]
    threshold = scored[0].threshold
    lowest, highest = min(same, default=100.0), max(other, default=0.0)
    wrong = sum(not s.right for s in scored)
    return (
        f"{media_type:<13} same content scores >= {lowest:.1f}, different <= {highest:.1f}: "
        f"thresholds in ({highest:.1f}, {lowest:.1f}] decide all {len(scored)} pairs right; "
        f"default {threshold:g} (margins {lowest - threshold:+.1f} / {threshold - highest:+.1f}); "
        f"{wrong} wrong at the default"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--types", default=",".join(SETS), help="calibration sets to run")
    args = parser.parse_args()
    sets = tuple(name.strip() for name in args.types.split(",") if name.strip())

    print(f"machine: {machine()}")
    print(f"python {platform.python_version()}")
    if "audio" in sets:
        get_engine("audio").warm_up()  # type: ignore[attr-defined]
    header = (
        f"{'type':<13} {'class':<40} {'answer':<9} {'n':>2}  "
        f"{'min':>6} {'median':>6} {'max':>6}  {'thr':>5}  decision at the default"
    )
    print(header)
    by_type: dict[str, list[Scored]] = {}
    for name in sets:
        started = time.perf_counter()
        for kind in kinds((name,)):
            scored = score(kind, folder(kind))
            baseline = None
            if kind.media_type == "audio":
                with audio_without_noise_step():
                    baseline = score(kind, folder(kind))
            by_type.setdefault(label(kind), []).extend(scored)
            print(row(kind, scored, baseline), flush=True)
        print(f"{'':<13} ({name}: {time.perf_counter() - started:.1f} s, media made or reused)")
    print()
    for media_type, scored in by_type.items():
        print(margins(media_type, scored))
    wrong = sum(not s.right for group in by_type.values() for s in group)
    total = sum(len(group) for group in by_type.values())
    print(f"all types: {total - wrong}/{total} pairs decided right at the default thresholds")


if __name__ == "__main__":
    main()
