"""Audio engine benchmark: two 60-second files of the same real recording (espeak-ng reading the
GPL-3), one MP3 and one AAC (.m4a) re-encode, both 44.1 kHz stereo like most files users have,
compared in a warm process (after `warm_up`, as a worker is), and as a job through the API.

    .venv/bin/python benchmarks/bench_audio.py [--repeat N] [--jobs N]

The yardstick is the decode floor: PyAV decoding every frame of both files to numpy, one after
the other, in this process. It is measured in alternation with what it is compared to, so load
from elsewhere (2 shared cores) falls on both alike:
- the engine's `compare` (wall and this process's CPU time), then its steps one by one;
- `processing_time_ms` of jobs run by a real server and Celery worker (the embedded default, as
  `make run` starts them: gunicorn with diffall/gunicorn.conf.py, SQLite, local files), a floor
  measured before each job. Target (issue 15): processing_time_ms <= 2.0x the floor.
Inputs are cached under benchmarks/out/.
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
from typing import TypeVar, cast

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import av  # noqa: E402
import librosa  # noqa: E402

from benchmarks._machine import machine  # noqa: E402
from comparisons.engines.audio import compare as steps  # noqa: E402
from comparisons.engines.audio import engine  # noqa: E402
from comparisons.engines.base import Options  # noqa: E402
from tests.engines import media_audio as media  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
TARGET = 2.0  # processing_time_ms / decode floor
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


def describe(path: Path) -> str:
    info = engine.probe(path)
    extra = info.extra
    return (
        f"{path.name}  {path.stat().st_size / 1e6:.2f} MB  {info.format}/{extra['codec']} "
        f"{extra['sample_rate']} Hz {extra['channels']} ch {info.duration_s:.2f} s"
    )


def decode_floor(a: Path, b: Path) -> None:
    """Every frame of both files decoded to numpy (PyAV), one file after the other."""
    for path in (a, b):
        with av.open(str(path)) as container:
            for frame in container.decode(audio=0):
                frame.to_ndarray()


def floor_and(work: Callable[[], T], a: Path, b: Path, repeat: int) -> tuple[Runs, Runs, T]:
    """(floor runs, work runs, work's last result), alternating, each run (wall s, CPU s)."""
    floors, works, result = [], [], None
    for _ in range(repeat):
        walls, cpus, _ = timed(lambda: decode_floor(a, b), 1)
        floors.append((walls[0], cpus[0]))
        walls, cpus, result = timed(work, 1)
        works.append((walls[0], cpus[0]))
    return floors, works, cast(T, result)


Runs = list[tuple[float, float]]


def medians(runs: Runs) -> tuple[float, float]:
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def jobs(a: Path, b: Path, count: int) -> tuple[Runs, list[float], list[float], float]:
    """`count` comparisons through the API (after one warm-up job), a floor before each:
    (floors, processing_time_ms of each, submit-to-done seconds of each, the worker's CPU
    seconds per job)."""
    import requests

    from benchmarks._server import running_server, submit_and_wait

    floors: Runs = []
    processing: list[float] = []
    submit_to_done: list[float] = []
    with running_server(celery=True) as server, requests.Session() as session:
        submit_and_wait(session, server, a, b)  # the worker's first job: connections, files
        worker_cpu = 0.0
        for _ in range(count):
            walls, cpus, _ = timed(lambda: decode_floor(a, b), 1)
            floors.append((walls[0], cpus[0]))
            cpu_before = server.worker_cpu_seconds()
            done = submit_and_wait(session, server, a, b)
            worker_cpu += server.worker_cpu_seconds() - cpu_before
            processing.append(float(cast(float, done.body["processing_time_ms"])))
            submit_to_done.append(done.total_s)
    return floors, processing, submit_to_done, worker_cpu / count


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="runs of each measurement")
    parser.add_argument("--jobs", type=int, default=10, help="jobs through the API (0: skip)")
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

    floors, compared, result = floor_and(
        lambda: engine.compare(a, b, Options(), lambda _: None), a, b, args.repeat
    )
    (floor_wall, floor_cpu), (engine_wall, engine_cpu) = medians(floors), medians(compared)
    print(f"decode floor (PyAV, both files, every frame): {floor_wall * 1e3:6.1f} ms "
          f"(CPU {floor_cpu * 1e3:6.1f})")  # fmt: skip
    print(f"engine.compare:                               {engine_wall * 1e3:6.1f} ms "
          f"(CPU {engine_cpu * 1e3:6.1f})  medians of {args.repeat}, alternating")  # fmt: skip
    print(f"ratio engine / decode floor: {engine_wall / floor_wall:.2f} "
          f"(CPU {engine_cpu / floor_cpu:.2f})")  # fmt: skip

    first, second = steps.decode_both(a, b)
    spectra = steps.frame_spectra(first.samples, second.samples)
    features_a, features_b = steps.features(*spectra)
    aligned = steps.align(features_a, features_b)
    stages = {
        "decode (probe+decode, both)": lambda: steps.decode_both(a, b),
        "features (mel, MFCC, both)": lambda: steps.features(
            *steps.frame_spectra(first.samples, second.samples)
        ),
        "alignment (windowed sim+DTW)": lambda: steps.align(features_a, features_b),
        "evidence (metrics, diff.png)": lambda: steps.evidence(first, second, aligned, spectra),
    }
    for name, work in stages.items():
        walls, cpus, _ = timed(work, args.repeat)
        print(line(name, walls, cpus))
    metrics = result.metrics
    print(
        f"result: similarity {result.similarity}  mfcc_similarity {metrics['mfcc_similarity']}  "
        f"offset_s {metrics['offset_s']}  matched_ratio {metrics['matched_ratio']}  "
        f"segments {len(result.segments)}"
    )
    if args.jobs:
        job_floors, processing, submit_to_done, worker_cpu = jobs(a, b, args.jobs)
        job_floor, job_floor_cpu = (value * 1e3 for value in medians(job_floors))
        median_ms = statistics.median(processing)
        print(f"API jobs (gunicorn + Celery worker, embedded default), {args.jobs} jobs:")
        print(f"  processing_time_ms median {median_ms:6.1f} (min {min(processing):.0f}, max "
              f"{max(processing):.0f}); submit to done median "
              f"{statistics.median(submit_to_done) * 1e3:6.1f} ms; decode floor measured "
              f"before each: {job_floor:6.1f} ms")  # fmt: skip
        print(f"  the worker's CPU per job {worker_cpu * 1e3:6.1f} ms (mean, its pool included) "
              f"= {worker_cpu * 1e3 / job_floor_cpu:.2f}x the floor's CPU "
              f"({job_floor_cpu:.1f} ms)")  # fmt: skip
        print(f"ratio processing_time_ms / decode floor: {median_ms / job_floor:.2f}  "
              f"target <= {TARGET}")  # fmt: skip
    print("load average at the end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
