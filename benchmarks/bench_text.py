"""Text engine and text result page benchmark: two ~10,000-word real texts (the GPL-3 and the
LGPL-2.1, concatenated, and a copy with 2% of its words replaced), compared by the whole
engine — decoding, format detection, WER and CER through jiwer, hunks — against `jiwer.wer`
alone on the same words.
Goal: well under a second.

    .venv/bin/python benchmarks/bench_text.py [--runs N] [--big] [--no-page]

Engine and `jiwer.wer` are measured in alternation, so machine noise (2 shared cores) falls on
both alike; medians (and the process CPU time, which the neighbours do not inflate) are printed.
`--big` adds one run on a 10 MB single line (the bounded, anchored alignment). Figures are
printed, not asserted.

The result page part (skip it with `--no-page`) runs the site in this process on the embedded
default (SQLite in a temporary folder) with its files on moto's S3 server, as in production:
the largest texts the page still shows from the files (just under 2 MiB: Python's own modules
with 60 scattered line edits, and botocore's QuickSight model minified with 40 values edited)
are compared through the API, then the result page is fetched with the view kept (every visit
after the first) and, in alternation, with it forgotten (the first visit: read, decode, diff)
as the baseline. `text.view` alone is timed the same way.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import jiwer  # noqa: E402

from comparisons.engines.base import Options, no_progress  # noqa: E402
from comparisons.engines.text import engine  # noqa: E402
from tests.engines.media_texts import edited_words, licence, write  # noqa: E402


def machine() -> str:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor() or "unknown CPU",
    )  # fmt: skip
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{platform.node()}: {cpu}, {os.cpu_count()} cores, load {load}; "
        f"Python {platform.python_version()}, jiwer {version('jiwer')}, "
        f"rapidfuzz {version('rapidfuzz')}"
    )


def timed(run: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--big", action="store_true", help="also time a 10 MB single line")
    parser.add_argument("--no-page", action="store_true", help="skip the result page")
    args = parser.parse_args()

    original = licence("GPL-3") + licence("LGPL-2.1")
    changed, edits = edited_words(original, fraction=0.02, seed=1)
    ref, hyp = " ".join(original.split()), " ".join(changed.split())
    print(machine())
    print(f"inputs: GPL-3 + LGPL-2.1, {len(ref.split()):,} words / {len(ref):,} characters; "
          f"copy with {edits} words replaced ({edits / len(ref.split()):.1%})")  # fmt: skip

    with tempfile.TemporaryDirectory() as tmp:
        a, b = write(Path(tmp) / "a.txt", original), write(Path(tmp) / "b.txt", changed)
        result = engine.compare(a, b, Options(), no_progress)  # warm: imports, first allocations
        engine_times, jiwer_times = [], []
        for _ in range(args.runs):
            engine_times.append(timed(lambda: engine.compare(a, b, Options(), no_progress)))
            jiwer_times.append(timed(lambda: jiwer.wer(ref, hyp)))
        report(engine_times, jiwer_times, result.similarity, result.metrics)
        if args.big:
            big(Path(tmp))
    if not args.no_page:
        from benchmarks import _text_page

        _text_page.main(args.runs)


def report(
    engine_times: list[tuple[float, float]],
    jiwer_times: list[tuple[float, float]],
    similarity: float,
    metrics: dict[str, object],
) -> None:
    e_wall = statistics.median(t for t, _ in engine_times)
    e_cpu = statistics.median(c for _, c in engine_times)
    j_wall = statistics.median(t for t, _ in jiwer_times)
    j_cpu = statistics.median(c for _, c in jiwer_times)
    best = min(t for t, _ in engine_times)
    print(
        f"result: similarity {similarity}, wer {metrics['wer']}, cer {metrics['cer']} "
        f"({metrics['cer_method']}), {metrics['hunks']} hunks, alignment {metrics['alignment']}"
    )
    print(
        f"engine.compare  median {e_wall * 1000:7.1f} ms wall, {e_cpu * 1000:7.1f} ms CPU "
        f"(best {best * 1000:.1f} ms, {len(engine_times)} runs)"
    )
    print(f"jiwer.wer alone median {j_wall * 1000:7.1f} ms wall, {j_cpu * 1000:7.1f} ms CPU")
    print(f"ratio engine / jiwer.wer: {e_wall / j_wall:.1f}x wall, {e_cpu / j_cpu:.1f}x CPU")
    print(f"goal: well under 1 s -> {'met' if e_wall < 0.5 else 'NOT met'} ({e_wall:.3f} s)")


def big(tmp: Path) -> None:
    line = " ".join((licence("GPL-3") * 300).split())[:10_000_000]
    changed, edits = edited_words(line, fraction=0.00002, seed=9)
    a, b = write(tmp / "big-a.txt", line), write(tmp / "big-b.txt", changed)
    wall, cpu = timed(lambda: engine.compare(a, b, Options(), no_progress))
    result = engine.compare(a, b, Options(), no_progress)
    print(f"10 MB single line ({result.metrics['words_a']:,} words, {edits} replaced): "
          f"{wall:.2f} s wall, {cpu:.2f} s CPU, alignment {result.metrics['alignment']}, "
          f"words_added {result.metrics['words_added']}")  # fmt: skip


if __name__ == "__main__":
    main()
