"""Image calibration: every pair of tests/engines/calibration_images.py compared by the engine at
the default threshold of its mode, and per class the min / median / max score and how many pairs
get the expected decision (`match` for same-content classes, no match for the others).

    .venv/bin/python benchmarks/bench_calibration_image.py [--mode pixel|feature] [--folder DIR]

Figures are printed, not asserted (tests/engines/test_image_calibration.py asserts the decisions
on a subset). The per-pair scores are printed with --pairs.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402

from comparisons.engines.base import Options, no_progress  # noqa: E402
from comparisons.engines.image import engine  # noqa: E402
from tests.engines import calibration_images as calibration  # noqa: E402
from tests.engines.test_image_calibration import default_threshold  # noqa: E402


def run(folder: Path, mode: str | None, show_pairs: bool) -> None:
    pairs = [pair for pair in calibration.all_pairs() if mode is None or pair.mode == mode]
    print(
        f"machine : {platform.machine()}, Python {platform.python_version()}, "
        f"OpenCV {cv2.__version__}"
    )
    print(f"pairs   : {len(pairs)} (photos and textures bundled with scikit-image)")
    header = f"{'mode':8s} {'class':32s} {'n':>3s} {'min':>6s} {'median':>6s} {'max':>6s}"
    print(f"{header} {'threshold':>9s}  expected  right")
    wrong: list[str] = []
    started = time.perf_counter()
    for (pair_mode, kind), members in calibration.classes(pairs).items():
        threshold = default_threshold(pair_mode)
        scores = []
        for pair in members:
            first, second = pair.write(folder)
            result = engine.compare(first, second, Options(mode=pair.mode), no_progress)
            scores.append(result.similarity)
            if (result.similarity >= threshold) != pair.same:
                wrong.append(f"{pair_mode}/{kind}/{pair.name}: {result.similarity}")
            if show_pairs:
                print(f"    {pair.name:36s} {result.similarity:5.1f}  {result.summary}")
        expected = "match" if members[0].same else "no match"
        right = sum((score >= threshold) == members[0].same for score in scores)
        print(
            f"{pair_mode:8s} {kind:32s} {len(scores):3d} {min(scores):6.1f} "
            f"{statistics.median(scores):6.1f} {max(scores):6.1f} {threshold:9.1f}  "
            f"{expected:8s}  {right}/{len(scores)}"
        )
    elapsed = time.perf_counter() - started
    print(f"wrong decisions: {len(wrong)} of {len(pairs)}; {elapsed:.1f} s")
    for line in wrong:
        print(f"  {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("pixel", "feature"))
    parser.add_argument("--folder", type=Path, help="where to write the pairs (default: temp)")
    parser.add_argument("--pairs", action="store_true", help="print every pair's score")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = arguments.folder or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        run(folder, arguments.mode, arguments.pairs)


if __name__ == "__main__":
    main()
