"""`make bench` runs every benchmarks/bench_*.py as a script: each must start that way (imports
resolve from the repository root and `--help` answers) and helpers must not match the pattern.
Running the benchmarks themselves takes minutes, and their figures are reported, not asserted."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = sorted((ROOT / "benchmarks").glob("bench_*.py"))


def test_there_are_benchmarks_to_run():
    assert {path.stem for path in SCRIPTS} >= {"bench_image", "bench_audio", "bench_video"}


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.stem)
def test_each_benchmark_starts_as_make_bench_runs_it(script: Path):
    done = subprocess.run(
        [sys.executable, str(script.relative_to(ROOT)), "--help"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage:"), done.stdout
