"""The image engine's decisions at the default thresholds, per class of the calibration set
(tests/engines/calibration_images.py): re-encoded, resized, watermarked, relit, turned and cropped
copies match; a replaced object, another photo or another scene of the same kind does not.

benchmarks/bench_calibration_image.py prints the scores of every pair; this asserts the decision
for every pair of a class (a few classes, the slowest, on a sample of their pairs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from comparisons import verdicts
from comparisons.engines import Options, Result
from comparisons.engines.image import engine
from tests.engines import calibration_images as calibration

PAIRS = calibration.classes(calibration.all_pairs())
SAMPLE = 6  # pairs per class tested here (the benchmark runs all of them)


def default_threshold(mode: str) -> float:
    return verdicts.default_threshold("image", mode)


def sample(pairs: list[calibration.Pair]) -> list[calibration.Pair]:
    """Evenly spread over the class, so every photo and scene kind is represented."""
    step = max(1, len(pairs) // SAMPLE)
    return pairs[::step][:SAMPLE]


CASES = [
    pytest.param(pair, id=f"{mode}-{kind}-{pair.name}")
    for (mode, kind), pairs in PAIRS.items()
    for pair in sample(pairs)
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("calibration")


def compare(pair: calibration.Pair, folder: Path) -> Result:
    first, second = pair.write(folder)
    return engine.compare(first, second, Options(mode=pair.mode), lambda _: None)


@pytest.mark.parametrize("pair", CASES)
def test_it_decides_each_calibration_pair_right_at_the_default_threshold(
    pair: calibration.Pair, folder: Path
) -> None:
    result = compare(pair, folder)

    assert (result.similarity >= default_threshold(pair.mode)) is pair.same, (
        result.similarity,
        result.summary,
        result.metrics,
    )


def test_it_calibrates_every_class_the_issue_names() -> None:
    names = {kind for _, kind in PAIRS}
    assert {"jpeg_q40", "webp", "resized", "watermark", "brightness_30pct", "object_10pct"} <= names
    assert {"rotated", "cropped_80pct", "brightness_colour", "unrelated_scenes"} <= names
    assert {"low_texture_rotated", "low_texture_cropped_80pct"} <= names
