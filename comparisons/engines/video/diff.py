"""The diff artifact: a PNG strip of the most different frame pairs, one row each —
file1's frame | file2's frame | heat map of where they differ — labelled with the timestamps."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from comparisons.engines.video.align import ssim_maps
from comparisons.engines.video.segments import CLEAN_SCORE

PANEL_WIDTH = 320
LABEL_HEIGHT = 22
GAP = 4
ROWS = 4
MIN_SPACING_S = 1.0  # rows show different moments, not four frames of the same second
BACKGROUND = 24
TEXT = (235, 235, 235)


@dataclass(frozen=True)
class Row:
    frame_a: np.ndarray  # uint8 gray
    frame_b: np.ndarray
    time_a: float
    time_b: float
    score: float


def worst_rows(
    times: np.ndarray, scores: np.ndarray, rows: int = ROWS, spacing: float = MIN_SPACING_S
) -> list[int]:
    """Indices of the lowest-scoring pairs, at least `spacing` seconds apart, in time order.
    Where some pairs changed (under CLEAN_SCORE), only those: a 2-second edit had filled the
    strip's other rows with frames scoring 95 and 100 under "the frames that differ most"."""
    chosen: list[int] = []
    for index in np.argsort(scores, kind="stable"):
        if all(abs(times[index] - times[other]) >= spacing for other in chosen):
            chosen.append(int(index))
        if len(chosen) == rows:
            break
    changed = [index for index in chosen if scores[index] < CLEAN_SCORE]
    return sorted(changed or chosen, key=lambda i: times[i])


def strip_png(rows: list[Row]) -> bytes:
    """The strip as PNG bytes (one row per pair, in time order)."""
    images = [_row_image(row) for row in rows]
    gap = np.full((GAP, images[0].shape[1], 3), BACKGROUND, dtype=np.uint8)
    stacked = np.vstack([part for image in images for part in (image, gap)][:-1])
    ok, encoded = cv2.imencode(".png", stacked)
    if not ok:  # pragma: no cover - OpenCV encodes any uint8 BGR image
        raise RuntimeError("PNG encoding failed")
    return encoded.tobytes()


def _row_image(row: Row) -> np.ndarray:
    height = round(PANEL_WIDTH * row.frame_a.shape[0] / row.frame_a.shape[1])
    size = (PANEL_WIDTH, height)
    x = row.frame_a.astype(np.float32)
    y = row.frame_b.astype(np.float32)
    dissimilarity = np.clip(1.0 - ssim_maps(x[None], y[None])[0], 0.0, 1.0)
    heat = cv2.applyColorMap((dissimilarity * 255).astype(np.uint8), cv2.COLORMAP_INFERNO)
    panels = [
        _panel(cv2.cvtColor(row.frame_a, cv2.COLOR_GRAY2BGR), size, f"file1 at {row.time_a:.1f} s"),
        _panel(cv2.cvtColor(row.frame_b, cv2.COLOR_GRAY2BGR), size, f"file2 at {row.time_b:.1f} s"),
        _panel(heat, size, f"difference (score {row.score:.0f})"),
    ]
    column_gap = np.full((LABEL_HEIGHT + height, GAP, 3), BACKGROUND, dtype=np.uint8)
    return np.hstack([panels[0], column_gap, panels[1], column_gap, panels[2]])


def _panel(image: np.ndarray, size: tuple[int, int], label: str) -> np.ndarray:
    body = cv2.resize(image, size, interpolation=cv2.INTER_LINEAR)
    header = np.full((LABEL_HEIGHT, size[0], 3), BACKGROUND, dtype=np.uint8)
    font = cv2.FONT_HERSHEY_SIMPLEX
    cv2.putText(header, label, (6, LABEL_HEIGHT - 7), font, 0.45, TEXT, 1, cv2.LINE_AA)
    return np.vstack([header, body])
