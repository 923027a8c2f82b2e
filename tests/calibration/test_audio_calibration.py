"""At the default threshold, with no option in the request, every audio class of the calibration
set gets the right `match`: re-encodes, volume changes, a leading offset and broadband noise down
to 20 dB SNR (and 10) are the same recording; other words by the same voice, and a file whose
second half is other speech, are not."""

from __future__ import annotations

from pathlib import Path

import pytest

from comparisons.engines import get_engine
from tests.calibration import Kind, score, wrong
from tests.calibration.audio import KINDS


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    get_engine("audio").warm_up()  # type: ignore[attr-defined]
    return tmp_path_factory.mktemp("calibration_audio")


@pytest.mark.parametrize("kind", KINDS, ids=[kind.name for kind in KINDS])
def test_it_decides_the_audio_class_right_at_the_default_threshold(
    folder: Path, kind: Kind
) -> None:
    scored = score(kind, folder / str(KINDS.index(kind)))

    assert len(scored) == 3
    assert wrong(scored) == [], f"{kind.name}: expected match={kind.same}"
