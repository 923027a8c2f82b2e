"""Each media type's facts live in one registry line (comparisons/engines/__init__.py): the web
process reads them without loading any engine, and a sixth type takes one engine package and one
line."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from comparisons import engines
from comparisons.engines import MediaSpec, Mode
from comparisons.models import Comparison

SPEC = MediaSpec(
    "model", "tests.comparisons.sixth_media_type:engine", "3D models", ("STL",),
    modes=(Mode("", 95.0),), sniff="tests.comparisons.sixth_media_type:sniff",
)  # fmt: skip


def test_the_web_process_knows_every_types_facts_without_loading_an_engine() -> None:
    """Serving the API imports no decoder: cv2, PyAV, librosa and numpy load with the engine
    that needs them, when a file of its type arrives."""
    script = (
        "import sys, django; django.setup()\n"
        "import diffall.urls, comparisons.api, comparisons.views, comparisons.services\n"
        "from comparisons.engines import REGISTRY\n"
        "print([spec.threshold(spec.default_mode) for spec in REGISTRY.values()])\n"
        "print(sorted(m for m in ('cv2', 'av', 'librosa', 'numpy') if m in sys.modules))\n"
    )
    command = [sys.executable, "-c", script]
    run = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    thresholds, heavy = run.stdout.splitlines()
    assert thresholds == "[85.0, 85.0, 80.0, 85.0, 90.0]"
    assert heavy == "[]"


@pytest.fixture
def sixth_type(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setitem(engines.REGISTRY, "model", SPEC)
    engines.sniffers.cache_clear()
    yield
    engines.sniffers.cache_clear()
    engines.get_engine.cache_clear()


def _stl(path: Path, facets: list[str]) -> Path:
    body = "".join(
        f"  facet normal 0 0 1\n    outer loop\n{f}    endloop\n  endfacet\n" for f in facets
    )
    path.write_text(f"solid part\n{body}endsolid part\n")
    return path


FACETS = [
    f"      vertex {i} 0 0\n      vertex 0 {i} 0\n      vertex 0 0 {i}\n" for i in range(1, 5)
]


def test_a_sixth_media_type_takes_one_engine_and_one_registry_line(
    alice, sixth_type: None, tmp_path: Path
) -> None:
    a = _stl(tmp_path / "a.stl", FACETS)
    b = _stl(tmp_path / "b.stl", [*FACETS[:3], "      vertex 9 9 9\n" * 3])

    response = alice.compare(a, b)

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["type"], body["similarity"], body["threshold"], body["match"]) == (
        "model", 60.0, 95.0, False,
    )  # fmt: skip
    assert body["files"]["file1"]["format"] == "stl" and "mode" not in body
    assert Comparison.objects.get(id=body["job_id"]).status == Comparison.Status.DONE


def test_a_sixth_media_type_gets_the_same_checks_as_the_others(
    alice, sixth_type: None, tmp_path: Path
) -> None:
    a = _stl(tmp_path / "a.stl", FACETS)

    response = alice.compare(a, a, mode="pixel")

    assert response.status_code == 400
    assert response.json() == {
        "status": "error", "error": "invalid_mode",
        "detail": "model comparisons have no modes; leave mode out.",
    }  # fmt: skip


def test_the_readme_shows_the_engine_and_line_this_test_runs() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    package = readme.split("# comparisons/engines/model/__init__.py: the package\n")[1]
    engine_source = (Path(__file__).parent / "sixth_media_type.py").read_text()
    assert package.split("```")[0] == engine_source[engine_source.index("from pathlib") :]
    line = readme.split("# comparisons/engines/__init__.py: one more entry in REGISTRY\n")[1]
    shown = eval(line.split("```")[0], {"MediaSpec": MediaSpec, "Mode": Mode})  # noqa: S307
    assert shown == replace(SPEC, engine="comparisons.engines.model:engine", sniff=shown.sniff)
    assert shown.sniff == "comparisons.engines.model:sniff"
