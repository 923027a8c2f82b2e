"""Every comparison the API accepts keeps its worker process under 1 GB, measured as the worker
child's peak resident memory (VmHWM / ru_maxrss) in a real Celery worker; what could not be
decoded within that is refused at submit with 400 too_large_resolution.

The inputs are the worst of their kind that stay small on disk: H.264 and HEVC at 8192x8192 and
8K (refused), the largest accepted frame (4096x2160, 10-bit) encoded with 16 reference frames and
16 B-frames so the decoder holds as many full frames as an encoder can make it, and a 38 KB FLAC
of 8 channels at 384 kHz that decodes to 2.2 GB of float samples when held whole.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from django.conf import settings
from django.test import override_settings

from billing import selectors as billing
from comparisons.models import Comparison
from tests.comparisons.test_api_async import poll_until_final
from tests.conftest import ROOT

BOUND_KIB = 1_000_000  # 1 GB
ADVERSARIAL_X264 = "ref=16:bframes=16:b-pyramid=normal:scenecut=0"


def write_video(
    path: Path, codec: str, size: tuple[int, int], frames: int, *, fps: int = 1,
    pix_fmt: str = "yuv420p", options: dict[str, str] | None = None, shift: int = 0,
) -> Path:  # fmt: skip
    """Gradients with a bright box moving across: cheap to encode at any size."""
    width, height = size
    base = np.zeros((height, width, 3), np.uint8)
    base[:, :, 0] = (np.arange(width) * 255 // width)[None, :]
    base[:, :, 1] = (np.arange(height) * 255 // height)[:, None]
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=Fraction(fps), options=options or {})
        stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
        for index in range(frames):
            image = base.copy()
            left = (index + shift) * width // (2 * frames)
            image[height // 4 : height // 2, left : left + width // 4] = 255
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def write_flac_bomb(path: Path, rate: int = 384_000, seconds: float = 59.0) -> Path:
    """8 channels of near-silence: FLAC compresses it to almost nothing."""
    block = 4608
    with av.open(str(path), "w") as container:
        stream = container.add_stream("flac", rate=rate)
        stream.layout, stream.format = "7.1", "s32"
        samples = np.zeros((1, 8 * block), np.int32)
        samples[0, ::97] = 1 << 20  # not pure digital silence
        for start in range(0, int(rate * seconds), block):
            frame = av.AudioFrame.from_ndarray(samples, format="s32", layout="7.1")
            frame.sample_rate, frame.pts = rate, start
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def _everyday_1080p(path: Path, shift: int) -> Path:
    """x264 with B-frames and reference frames as cameras and editors use them."""
    return write_video(
        path, "libx264", (1920, 1080), 60, fps=30, shift=shift, options={"preset": "faster"}
    )


_FAST = {"preset": "ultrafast"}
_LARGEST = dict(
    size=(4096, 2160), frames=20, fps=10, pix_fmt="yuv420p10le",
    options={**_FAST, "x264-params": ADVERSARIAL_X264},
)  # fmt: skip
HEAVY: dict[str, Callable[[Path], Path]] = {
    "h264_8192": lambda folder: write_video(
        folder / "h264_8192.mp4", "libx264", (8192, 8192), 2, options=_FAST
    ),
    # (B-frames off: the MP4 muxer sometimes refuses 2-frame x265 output with them)
    "hevc_8k": lambda folder: write_video(
        folder / "hevc_8k.mp4", "libx265", (7680, 4320), 2,
        options={**_FAST, "x265-params": "log-level=error:bframes=0"},
    ),
    "uhd_444_10bit": lambda folder: write_video(
        folder / "uhd_444.mp4", "libx264", (3840, 2160), 2, pix_fmt="yuv444p10le",
        options=_FAST,
    ),
    "largest_a": lambda folder: write_video(folder / "largest_a.mp4", "libx264", **_LARGEST),
    "largest_b": lambda folder: write_video(
        folder / "largest_b.mp4", "libx264", shift=3, **_LARGEST
    ),
    "flac_bomb": lambda folder: write_flac_bomb(folder / "bomb.flac"),
    "hd_a": lambda folder: _everyday_1080p(folder / "hd_a.mp4", shift=0),
    "hd_b": lambda folder: _everyday_1080p(folder / "hd_b.mp4", shift=1),
}  # fmt: skip


class HeavyMedia:
    """The inputs above by name, each written the first time a test asks for it. The refused
    and the measured tests use different files and may run in different pytest-xdist processes
    (tests/xdist_scheduling.py): each process writes only the files its tests use."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.written: dict[str, Path] = {}

    def __getitem__(self, name: str) -> Path:
        if name not in self.written:
            self.written[name] = HEAVY[name](self.folder)
        return self.written[name]


@pytest.fixture(scope="session")
def heavy(tmp_path_factory: pytest.TempPathFactory) -> HeavyMedia:
    """Session-wide, so a file is written once even if this module's tests do not run in one
    stretch (the refused ones run with the database tests, the measured ones with the
    transactional tests, as pytest-django orders them)."""
    return HeavyMedia(tmp_path_factory.mktemp("heavy"))


# --- refused at submit ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "size"), [("h264_8192", "8192x8192 (67.1 megapixels)"), ("hevc_8k", "7680x4320")]
)
def test_it_refuses_frames_over_the_limit_at_submit(alice, heavy, name, size):
    response = alice.compare(heavy[name], heavy[name])
    body = response.json()
    assert response.status_code == 400 and body["error"] == "too_large_resolution", body
    assert body["detail"].startswith(f"file1 is {size}")
    assert "limited to 8.8 megapixels a frame (4096x2160)" in body["detail"]
    assert billing.credits_remaining(user=alice.user) == 10
    assert not Comparison.objects.exists()


def test_it_refuses_heavier_pixel_formats_at_proportionally_fewer_pixels(alice, heavy):
    """10-bit 4:4:4 takes twice the memory of 10-bit 4:2:0 per pixel: half the pixels."""
    response = alice.compare(heavy["uhd_444_10bit"], heavy["uhd_444_10bit"])
    body = response.json()
    assert response.status_code == 400 and body["error"] == "too_large_resolution", body
    assert "yuv444p10le" in body["detail"] and "limited to 4.4 megapixels" in body["detail"]
    assert billing.credits_remaining(user=alice.user) == 10


# --- accepted: measured in a real worker ----------------------------------------------------


@dataclass
class MeasuredWorker:
    """A worker on a queue of its own, one child, replaced after every job by
    worker_max_memory_per_child (WORKER_MAX_MEMORY_MB=1 here). Each child logs its peak
    (ru_maxrss) after its job, and a thread here samples the children's VmHWM from /proc."""

    process: subprocess.Popen[bytes]
    queue: str
    log_path: Path
    seen_kib: dict[int, int] = field(default_factory=dict)  # child pid -> largest VmHWM read
    stop: threading.Event = field(default_factory=threading.Event)

    def children(self) -> list[int]:
        pids = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                status = _status(int(entry))
                if status.get("PPid") == str(self.process.pid):
                    pids.append(int(entry))
        return pids

    def watch(self) -> None:
        while not self.stop.is_set():
            for pid in self.children():
                hwm = _status(pid).get("VmHWM", "0 kB").split()[0]
                self.seen_kib[pid] = max(self.seen_kib.get(pid, 0), int(hwm))
            time.sleep(0.05)

    def peaks_logged(self) -> list[int]:
        text = self.log_path.read_text(errors="replace")
        return [int(kib) for kib in re.findall(r"done; worker process peak (\d+) KiB", text)]


def _status(pid: int) -> dict[str, str]:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return {}
    return dict(line.split(":\t", 1) for line in lines if ":\t" in line)


@pytest.fixture(scope="module")
def measured_worker(worker_env, tmp_path_factory) -> Iterator[MeasuredWorker]:
    queue = f"memory-{uuid.uuid4().hex[:6]}"
    log_path = tmp_path_factory.mktemp("worker") / "worker.log"
    command = [
        sys.executable, "-m", "celery", "-A", "diffall", "worker",
        "--queues", queue, "--concurrency", "1", "--loglevel", "INFO",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
        "--hostname", f"{queue}@localhost",
    ]  # fmt: skip
    env = {**worker_env, "WORKER_MAX_MEMORY_MB": "1"}
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    worker = MeasuredWorker(process=process, queue=queue, log_path=log_path)
    watcher = threading.Thread(target=worker.watch, daemon=True)
    watcher.start()
    try:
        yield worker
    finally:
        worker.stop.set()
        process.terminate()
        process.wait(30)


def run_measured(worker: MeasuredWorker, persona, file1: Path, file2: Path) -> tuple[dict, int]:  # type: ignore[no-untyped-def]
    """Run one comparison in the measured worker; its answer and the child's peak in KiB. The
    child that ran it exits after it (its memory mark passed) and a fresh one takes its place."""
    logged_before = len(worker.peaks_logged())
    children_before = set(worker.seen_kib)
    with override_settings(CELERY_MEDIA_QUEUE=worker.queue):
        accepted = persona.compare(file1, file2)
    assert accepted.status_code == 202, accepted.content
    result, _ = poll_until_final(persona, accepted.json()["status_url"], timeout=300)
    deadline = time.monotonic() + 30
    while len(worker.peaks_logged()) == logged_before:  # the child exits after its job
        assert time.monotonic() < deadline, worker.log_path.read_text()[-3000:]
        time.sleep(0.1)
    peak = worker.peaks_logged()[-1]
    while not (set(worker.children()) - children_before) or any(
        _status(pid) for pid in children_before
    ):
        assert time.monotonic() < deadline, "the child was not replaced after its job"
        time.sleep(0.1)
    print(f"{file1.name}: worker child peak {peak / 1024:.0f} MiB")
    return result, peak


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_largest_accepted_video_peaks_under_1_gb_in_a_worker(measured_worker, alice, heavy):
    result, peak = run_measured(measured_worker, alice, heavy["largest_a"], heavy["largest_b"])
    assert result["status"] == "done", result
    assert result["metrics"]["width_a"] == 4096 and result["metrics"]["frames_compared"] > 0
    assert peak < BOUND_KIB
    # what /proc showed of the children while they ran agrees with what the child logged: the
    # child reads ru_maxrss a moment after /proc's VmHWM was sampled, and the two were seen to
    # differ by 120-190 KiB, so they must agree within 1 MiB
    seen, logged = max(measured_worker.seen_kib.values()), max(measured_worker.peaks_logged())
    assert 0 < seen <= logged + 1024, (seen, logged)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_everyday_1080p_comparison_does_not_cost_its_worker_child(measured_worker, alice, heavy):
    """A child is replaced after a job whose peak passed WORKER_MAX_MEMORY_MB, and the new one
    pays 2-4 s of CPU to warm up. Everyday 1080p must stay under the default, or every such job
    pays that (at 512 MB it did: a warmed child holds ~440 MB, and this pair peaks at ~530)."""
    result, peak = run_measured(measured_worker, alice, heavy["hd_a"], heavy["hd_b"])
    assert result["status"] == "done", result
    default_kib = settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD  # this run sets no WORKER_MAX_...
    assert peak < default_kib - 64 * 1024, (peak, default_kib)  # with room for a busier file


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_audio_file_decoding_to_gigabytes_peaks_under_1_gb(measured_worker, alice, heavy):
    result, peak = run_measured(measured_worker, alice, heavy["flac_bomb"], heavy["flac_bomb"])
    assert result["status"] == "done", result
    assert peak < BOUND_KIB
