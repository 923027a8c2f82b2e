"""Video engine benchmark: two 60-second 1080p H.264 files made from real photos, one with seconds
20-24 replaced, compared by the engine and by ffmpeg's own `ssim` filter, side by side in one run.

    .venv/bin/python benchmarks/bench_video.py [--repeat N]

The inputs are encoded once (libx264 defaults: preset medium, CRF 23, B-frames on, keyint 250) and
cached under benchmarks/out/, since encoding 1080p takes minutes. ffmpeg is used here only as the
yardstick; the engine never calls it.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import av  # noqa: E402

from tests.engines.media_videos import Shot, Storyboard, write_video  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
CHANGED = (20.0, 24.0)
X264_DEFAULTS = {"preset": "medium", "crf": "23"}  # keyint 250 and 3 B-frames are x264's defaults
SHOT_PHOTOS = (
    "astronaut",
    "coffee",
    "chelsea",
    "rocket",
    "hubble_deep_field",
    "retina",
    "immunohistochemistry",
)


def storyboard() -> Storyboard:
    """Twelve 5-second shots with pans and zooms, cycling through the photos."""
    shots = []
    for index in range(12):
        sign = 1 if index % 2 else -1
        shots.append(
            Shot(
                SHOT_PHOTOS[index % len(SHOT_PHOTOS)],
                5.0,
                pan=(0.06 * sign, 0.04),
                zoom=0.03 + 0.01 * (index % 3),
            )
        )
    return Storyboard(tuple(shots))


def inputs() -> tuple[Path, Path]:
    """a.mp4 and b.mp4 (b has CHANGED replaced by another photo), encoded once and cached."""
    OUT.mkdir(parents=True, exist_ok=True)
    board = storyboard()
    changed = board.replaced(*CHANGED, "coffee")  # a photo seen elsewhere, never at 20-24 s in a
    jobs = [(OUT / "video_a_1080p_v1.mp4", board), (OUT / "video_b_1080p_v1.mp4", changed)]
    missing = [(path, b) for path, b in jobs if not path.exists()]
    if missing:
        print(f"encoding {len(missing)} benchmark input(s) under {OUT} (cached for next runs)...")
        with ThreadPoolExecutor(len(missing)) as pool:
            list(pool.map(lambda job: _encode(*job), missing))
    return jobs[0][0], jobs[1][0]


def _encode(path: Path, board: Storyboard) -> None:
    partial = path.with_suffix(".partial.mp4")
    write_video(partial, board, width=1920, height=1080, fps=30, options=X264_DEFAULTS)
    partial.rename(path)


def decode_only(a: Path, b: Path) -> float:
    """Wall time to decode every frame of both files, one after the other, decoder threads on."""
    start = time.perf_counter()
    for path in (a, b):
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            stream.codec_context.thread_type = "AUTO"
            for _ in container.decode(stream):
                pass
    return time.perf_counter() - start


def ffmpeg_ssim(a: Path, b: Path) -> tuple[float, str]:
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise SystemExit("ffmpeg is needed as the yardstick: apt-get install -y ffmpeg")
    command = [ffmpeg, "-hide_banner", "-nostats", "-i", str(a), "-i", str(b)]
    command += ["-lavfi", "ssim", "-f", "null", "-"]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - start
    summary = next((line for line in done.stderr.splitlines() if "SSIM Y:" in line), "")
    return elapsed, summary.split("] ")[-1]


def engine_run(a: Path, b: Path) -> tuple[float, object]:
    from comparisons.engines.video import engine

    engine.warm_up()  # a worker does this once at start, not per job
    start = time.perf_counter()
    result = engine.compare(a, b, options=_options(), progress=lambda _: None)
    return time.perf_counter() - start, result


def _options():  # type: ignore[no-untyped-def]
    from comparisons.engines.base import Options

    return Options()


def found_changed_seconds(timeline: list[float | None], threshold: float = 60.0) -> list[int]:
    return [
        second for second, score in enumerate(timeline) if score is not None and score < threshold
    ]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if "model name" in line)
    except (OSError, StopIteration):
        pass
    load = ", load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    return f"{platform.system()} {platform.release()}, {os.cpu_count()} cores ({cpu}){load}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of each measurement (best kept)"
    )
    args = parser.parse_args()

    a, b = inputs()
    print(f"machine: {machine()}")
    print(f"python {platform.python_version()}, PyAV {av.__version__}")
    for path in (a, b):
        print(
            f"input: {path.name}  {path.stat().st_size / 1e6:.1f} MB  1920x1080 30 fps 60 s H.264"
        )

    decode = min(decode_only(a, b) for _ in range(args.repeat))
    ffmpeg_runs = [ffmpeg_ssim(a, b) for _ in range(args.repeat)]
    ffmpeg_time, ffmpeg_summary = min(ffmpeg_runs)
    engine_runs = [engine_run(a, b) for _ in range(args.repeat)]
    engine_time, result = min(engine_runs, key=lambda run: run[0])

    timeline = result.metrics["timeline"]  # type: ignore[attr-defined]
    changed = found_changed_seconds(timeline)
    expected = list(range(int(CHANGED[0]), int(CHANGED[1])))
    print(f"decode both files (PyAV, every frame):   {decode:6.2f} s")
    print(f"ffmpeg -lavfi ssim:                      {ffmpeg_time:6.2f} s   ({ffmpeg_summary})")
    print(f"engine compare:                          {engine_time:6.2f} s")
    print(
        f"ratio engine / ffmpeg ssim:              {engine_time / ffmpeg_time:6.2f}  (goal <= 0.75)"
    )
    print(f"ratio engine / decode-only:              {engine_time / decode:6.2f}")
    print(f"engine similarity {result.similarity}  metrics: " + _short_metrics(result.metrics))  # type: ignore[attr-defined]
    print(f"seconds below 60 in the timeline: {changed}  (expected {expected})")
    print(f"changed seconds 20-24 found: {'yes' if changed == expected else 'NO'}")


def _short_metrics(metrics: dict[str, object]) -> str:
    keys = ("ssim", "psnr", "offset_s", "frames_compared")
    return ", ".join(f"{key}={metrics.get(key)}" for key in keys)


if __name__ == "__main__":
    main()
