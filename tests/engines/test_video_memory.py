"""How the video decoder bounds its memory: the probe says what a frame costs per pixel (the
submit check scales its limit by it), large frames are decoded one file at a time, and a stream
that grows past the size it declared is not decoded at the larger size."""

from __future__ import annotations

import io
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from comparisons.engines.video.decode import (
    DECODE_THREADS,
    Sampler,
    _configure,
    _first_frame,
    probe,
)
from tests.comparisons.test_memory_bounds import ADVERSARIAL_X264, write_video
from tests.conftest import ROOT


@pytest.mark.parametrize(
    ("pix_fmt", "bytes_per_pixel"), [("yuv420p", 1.5), ("yuv420p10le", 3.0), ("yuv444p10le", 6.0)]
)
def test_the_probe_says_what_a_frame_costs_per_pixel(tmp_path, pix_fmt, bytes_per_pixel):
    clip = write_video(tmp_path / "clip.mp4", "libx264", (64, 48), 3, pix_fmt=pix_fmt)
    info = probe(clip)
    assert info.extra["pix_fmt"] == pix_fmt
    assert info.extra["bytes_per_pixel"] == bytes_per_pixel


def _annexb(width: int, height: int, frames: int) -> bytes:
    """A raw H.264 stream: concatenating two makes one whose size changes part-way."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="h264") as container:
        stream = container.add_stream("libx264", rate=Fraction(25), options={"preset": "ultrafast"})
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for index in range(frames):
            image = np.full((height, width, 3), (index * 7) % 255, np.uint8)
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return buffer.getvalue()


def test_a_stream_growing_past_its_declared_size_is_not_decoded_larger(tmp_path):
    """150 frames of 640x360 (6 s: what the probe sees and submit checks), then 1440p frames:
    the decoder refuses to allocate those, so none of them comes out."""
    path = tmp_path / "grows.h264"
    path.write_bytes(_annexb(640, 360, 150) + _annexb(2560, 1440, 12))
    info = probe(path)
    assert (info.width, info.height) == (640, 360)
    samples = Sampler(path, "file1", (160, 90)).run()
    assert len(samples.times) == 150 and samples.times[-1] < 6.0


PEAK_OF = """
import io
import sys
from pathlib import Path
from comparisons.engines.base import no_progress
from comparisons.engines.video import decode_both, tiny_clip
from comparisons.engines.video.decode import Sampler
from comparisons.engines import heap

def hwm():
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmHWM:")[1].split()[0])

assert heap.for_frames()  # as the video engine does
paths = [Path(p) for p in sys.argv[1:]]
Sampler(io.BytesIO(tiny_clip()), "warm-up", (32, 18)).run()  # libraries in before the baseline
base = hwm()
if len(paths) == 1:
    Sampler(paths[0], "file1", (160, 90)).run()
else:
    decode_both(paths[0], paths[1], (160, 90), no_progress)
print(hwm() - base)
"""


def _decoding_peak_kib(*paths: Path) -> int:
    result = subprocess.run(
        [sys.executable, "-c", PEAK_OF, *map(str, paths)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    return int(result.stdout.split()[-1])


def test_large_frames_are_decoded_one_file_at_a_time(tmp_path):
    """Two 4K files with 16 reference frames cost about what one does, not twice (measured in
    a process with the allocator set as a worker's)."""
    options = {"preset": "ultrafast", "x264-params": ADVERSARIAL_X264}
    clips = [
        write_video(tmp_path / f"{n}.mp4", "libx264", (3840, 2160), 20, fps=10, shift=n,
                    options=options)
        for n in range(2)
    ]  # fmt: skip
    one = _decoding_peak_kib(clips[0])
    both = _decoding_peak_kib(*clips)
    assert one > 50_000, one  # the decoder holds several 12 MB frames at 4K
    assert both < 1.3 * one, (one, both)


@pytest.mark.parametrize(("size", "threads"), [((1920, 1080), 1), ((3840, 2160), DECODE_THREADS)])
def test_a_decoder_gets_one_thread_when_the_other_file_decodes_beside_it(tmp_path, size, threads):
    """Up to 1080p both files decode at once, which already fills two cores: frame threads on
    top of that cost CPU. A larger file decodes alone (above), so it gets the threads."""
    clip = write_video(tmp_path / "clip.mp4", "libx264", size, 2, options={"preset": "ultrafast"})
    with av.open(str(clip)) as container:
        codec = container.streams.video[0].codec_context
        _configure(codec, "NONREF")
        assert codec.thread_count == threads


def test_the_probe_decodes_the_first_keyframe_from_its_own_packet(tmp_path):
    """With B-frames the decoder holds a frame back until later frames arrive; with only
    keyframes decoded those came one keyframe later (300 packets into a 1080p x264 file). The
    probe drains its frame at once: it reads the first packet and no more."""
    options = {"bf": "3", "g": "1000", "x264-params": "scenecut=0"}
    clip = write_video(tmp_path / "clip.mp4", "libx264", (64, 48), 60, options=options)
    with av.open(str(clip)) as container:
        stream = container.streams.video[0]
        second_dts = [packet.dts for packet in container.demux(stream)][1]
    with av.open(str(clip)) as container:
        stream = container.streams.video[0]
        frame = _first_frame(container, stream, "file1")
        assert frame is not None and frame.key_frame
        assert next(container.demux(stream)).dts == second_dts
