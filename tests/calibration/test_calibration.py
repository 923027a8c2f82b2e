"""At the default threshold, with nothing but the two files in the request, every class of the
calibration set gets the right `match`: audio re-encodes, volume changes, a leading offset and
broadband noise down to 20 dB SNR are the same recording, other words by the same voice and a
file half replaced by other speech are not; video, subtitles and text keep deciding as they did
(re-encodes, re-timings, re-formattings match; other content and substantial edits do not)."""

from __future__ import annotations

from pathlib import Path

import pytest

from comparisons.engines import get_engine
from tests.calibration import Kind, kinds, score, wrong

KINDS = kinds()


@pytest.fixture(scope="module")
def warm() -> None:
    """What a worker does at start (audio compiles its numba kernels once)."""
    get_engine("audio").warm_up()  # type: ignore[attr-defined]


@pytest.mark.parametrize("kind", KINDS, ids=[f"{k.media_type}: {k.name}" for k in KINDS])
def test_it_decides_the_class_right_at_the_default_threshold(
    tmp_path: Path, warm: None, kind: Kind
) -> None:
    scored = score(kind, tmp_path)

    assert scored, "a class without pairs proves nothing"
    assert wrong(scored) == [], f"{kind.media_type} / {kind.name}: the right match is {kind.same}"
