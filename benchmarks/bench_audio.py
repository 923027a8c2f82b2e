"""Audio engine benchmark: two 60-second files of the same real recording (espeak-ng reading the
GPL-3), one MP3 and one AAC (.m4a) re-encode, both 44.1 kHz stereo like most files users have,
compared in a warm process (after `warm_up`, as a worker is). Goal: <= 0.3 s per comparison.

    .venv/bin/python benchmarks/bench_audio.py [--repeat N]

Prints the machine, then decode, feature and alignment times separately (each step run on its
own, the way the engine chains them), the drawing of the evidence, and the whole `compare`
call: best and median wall time over N runs, plus the CPU time the process used (on a shared
machine the wall time also measures the neighbours). Inputs are cached under benchmarks/out/.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import av  # noqa: E402
import librosa  # noqa: E402

from comparisons.engines.audio import compare as steps  # noqa: E402
from comparisons.engines.audio import engine  # noqa: E402
from comparisons.engines.base import Options  # noqa: E402
from tests.engines import media_audio as media  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
BUDGET_S = 0.3
T = TypeVar("T")


def inputs() -> tuple[Path, Path]:
    """audio_a.mp3 and audio_b.m4a: one 60 s recording, encoded twice, made once and cached."""
    OUT.mkdir(parents=True, exist_ok=True)
    a, b = OUT / "audio_a_60s_v1.mp3", OUT / "audio_b_60s_v1.m4a"
    if not (a.exists() and b.exists()):
        speech = media.fit(media.speak(media.license_words("GPL-3", count=175)), 60.0)
        for path in (a, b):
            partial = path.with_name(f"partial_{path.name}")
            media.encode(speech, partial, out_rate=44_100, channels=2, bitrate=128_000)
            partial.rename(path)
    return a, b


def timed(work: Callable[[], T], repeat: int) -> tuple[list[float], list[float], T]:
    """Wall and CPU seconds of each of `repeat` runs, and the last run's result."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = work()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return walls, cpus, result


def line(name: str, walls: list[float], cpus: list[float]) -> str:
    best, median, cpu = min(walls), statistics.median(walls), statistics.median(cpus)
    wall = f"best {best * 1e3:6.1f} ms   median {median * 1e3:6.1f} ms"
    return f"{name:<30} {wall}   cpu {cpu * 1e3:6.1f} ms"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if "model name" in line)
    except (OSError, StopIteration):
        pass
    load = ", load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    return f"{platform.system()} {platform.release()}, {os.cpu_count()} cores ({cpu}){load}"


def describe(path: Path) -> str:
    info = engine.probe(path)
    extra = info.extra
    return (
        f"{path.name}  {path.stat().st_size / 1e6:.2f} MB  {info.format}/{extra['codec']} "
        f"{extra['sample_rate']} Hz {extra['channels']} ch {info.duration_s:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="runs of each measurement")
    args = parser.parse_args()

    a, b = inputs()
    print(f"machine: {machine()}")
    print(
        f"python {platform.python_version()}, PyAV {av.__version__}, librosa {librosa.__version__}"
    )
    print(f"input a: {describe(a)}")
    print(f"input b: {describe(b)}")

    start = time.perf_counter()
    engine.warm_up()
    print(f"warm_up (once per worker):     {time.perf_counter() - start:6.2f} s")
    first_call = timed(lambda: engine.compare(a, b, Options(), lambda _: None), 1)[0][0]
    print(f"first compare after warm_up:   {first_call * 1000:6.1f} ms")

    first, second = steps.decode_both(a, b)
    features_a, features_b = steps.frame_features(first.samples, second.samples)
    aligned = steps.align(features_a, features_b)
    stages = {
        "decode (probe+decode, both)": lambda: steps.decode_both(a, b),
        "features (MFCC, both)": lambda: steps.frame_features(first.samples, second.samples),
        "alignment (windowed sim+DTW)": lambda: steps.align(features_a, features_b),
        "evidence (metrics, diff.png)": lambda: steps.evidence(first, second, aligned),
    }
    for name, work in stages.items():
        walls, cpus, _ = timed(work, args.repeat)
        print(line(name, walls, cpus))

    walls, cpus, result = timed(
        lambda: engine.compare(a, b, Options(), lambda _: None), args.repeat
    )
    print(line("TOTAL engine.compare", walls, cpus))
    best, median = min(walls), statistics.median(walls)
    print(
        f"ratio to the {BUDGET_S} s budget:      best {best / BUDGET_S:.2f}   median "
        f"{median / BUDGET_S:.2f}   cpu median {statistics.median(cpus) / BUDGET_S:.2f}"
        f"   (goal <= 1.00)"
    )
    metrics = result.metrics
    print(
        f"result: similarity {result.similarity}  mfcc_similarity {metrics['mfcc_similarity']}  "
        f"offset_s {metrics['offset_s']}  matched_ratio {metrics['matched_ratio']}  "
        f"segments {len(result.segments)}"
    )


if __name__ == "__main__":
    main()
