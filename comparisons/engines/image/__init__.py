"""The image engine: JPG, PNG, WebP and GIF, compared in one of two modes.

- pixel (default): file2 on file1's pixel grid; a colour- and alpha-aware per-pixel difference with
  anti-aliasing and encoding-noise tolerance finds what changed (pixel_mode.py, pixels.py), SSIM,
  PSNR, MSE and a perceptual hash measure the whole at SSIM's working size.
- feature: file2 aligned onto file1 by keypoints or, for low-texture pictures, by the whole content
  (features.py), then the overlap compared (feature_mode.py). Never stricter than pixel mode.

Both answer `identical` (nothing changed beyond encoding noise), changed regions in the one change
shape, a summary sentence and a diff image at file1's resolution (render.py). Each file is read and
decoded exactly once per comparison (decode.py).

Modules: decode (files to pixels), sizes (where things are compared), metrics (SSIM, PSNR, MSE,
pHash), pixels (the per-pixel difference), regions (ignored and changed rectangles), features
(alignment), score (evidence to a number), render (the diff image), evidence (the result).
"""

from __future__ import annotations

import os
import tempfile
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path

import cv2
import numpy as np

from comparisons.engines import heap, spec_of
from comparisons.engines.base import (
    EngineError,
    MediaInfo,
    Options,
    Progress,
    Result,
    TransientEngineError,
    no_progress,
)
from comparisons.engines.image import decode, features, sizes
from comparisons.engines.image.decode import Header
from comparisons.engines.image.evidence import result_of
from comparisons.engines.image.feature_mode import feature_evidence
from comparisons.engines.image.pixel_mode import pixel_evidence

MODES = spec_of("image").mode_names  # ("pixel", "feature"): the first is the default

__all__ = ["MODES", "ImageEngine", "UnsupportedMode", "engine"]


class UnsupportedMode(EngineError):
    """The API validates `mode`; this guards callers that do not."""

    code = "unsupported_mode"


class ImageEngine:
    media_type = "image"
    runs_async = spec_of(media_type).runs_async  # its facts live in the registry's line

    def probe(self, path: Path) -> MediaInfo:
        """Header and file end only: format, size, frames; refuses bombs and truncated files."""
        try:
            header = decode.probe_file(path, "The image")
        except OSError as error:
            raise _unreadable_storage("The image", error) from error
        return MediaInfo(
            media_type="image",
            format=header.format,
            width=header.width,
            height=header.height,
            extra={
                "frames": header.frames,
                "animated": header.frames > 1,
                "has_alpha": header.has_alpha,
            },
        )

    def compare(self, a: Path, b: Path, options: Options, progress: Progress) -> Result:
        mode = options.mode or MODES[0]
        if mode not in MODES:
            raise UnsupportedMode(
                f"Unknown image comparison mode {mode!r}: use {' or '.join(map(repr, MODES))}."
            )
        heap.for_arrays()
        progress(5)
        first_data, second_data = _read(a, "file1"), _read(b, "file2")
        first_header = decode.header_of(first_data, "file1")
        second_header = decode.header_of(second_data, "file2")
        targets = _decode_targets(first_header, second_header, mode)
        # decoding is most of the work and OpenCV's decoders release the GIL: file2 is decoded
        # on a second thread while this one decodes file1
        pending = _decoder().submit(decode.load, second_data, second_header, targets[1], "file2")
        try:
            first = decode.load(first_data, first_header, targets[0], "file1")
        except BaseException:
            wait([pending])  # file1's error is the one to report; leave nothing running
            raise
        second = pending.result()  # raises file2's error, if it has one
        progress(50)
        ignore = tuple(options.ignore_regions)
        if mode == "feature":
            evidence = feature_evidence(first, second, ignore)
        else:
            evidence = pixel_evidence(first, second, ignore)
        progress(90)
        return result_of(evidence, first, second, mode)

    def warm_up(self) -> None:
        """One tiny comparison per mode, so the first user does not pay for OpenCV's lazy
        initialisation (thread pool, ORB tables, PNG codec)."""
        noise = np.random.default_rng(0).integers(0, 256, (96, 128, 3), dtype=np.uint8)
        picture = cv2.GaussianBlur(noise, (5, 5), 0)  # texture, so ORB finds keypoints
        with tempfile.TemporaryDirectory() as folder:
            paths = [Path(folder, "a.png"), Path(folder, "b.png")]
            for path, image in zip(paths, (picture, np.rot90(picture)), strict=True):
                path.write_bytes(cv2.imencode(".png", np.ascontiguousarray(image))[1].tobytes())
            for mode in MODES:
                self.compare(paths[0], paths[1], Options(mode=mode), no_progress)


_DECODERS: dict[int, ThreadPoolExecutor] = {}


def _decoder() -> ThreadPoolExecutor:
    """Decoding threads, made in the process that uses them (a pool inherited through fork has
    no thread behind it); threads start on demand, one per comparison running at once in a
    threaded server, up to the cores there are."""
    pid = os.getpid()
    if pid not in _DECODERS:
        _DECODERS.clear()
        workers = max(1, min(4, os.cpu_count() or 1))
        _DECODERS[pid] = ThreadPoolExecutor(workers, thread_name_prefix="image-decode")
    return _DECODERS[pid]


def _read(path: Path, label: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise _unreadable_storage(label, error) from error


def _unreadable_storage(label: str, error: OSError) -> TransientEngineError:
    """A local file that cannot be opened is the system's fault, not the upload's: retry."""
    return TransientEngineError(f"{label} could not be read from local storage ({error}).")


def _decode_targets(first: Header, second: Header, mode: str) -> tuple[sizes.Size, sizes.Size]:
    """The smallest sizes each file is needed at, so a big JPEG can be decoded reduced: file1 at
    the diff image's size, file2 at the pixel grid (and, in feature mode, at the feature size)."""
    size_a, size_b = (first.width, first.height), (second.width, second.height)
    grid = sizes.grid_size(size_a, size_b)
    display = sizes.display_size(size_a)
    if mode != "feature":
        return display, grid
    feature_b = features.feature_size(size_b)
    return display, (max(grid[0], feature_b[0]), max(grid[1], feature_b[1]))


engine = ImageEngine()
