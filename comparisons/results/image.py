"""Image results: both originals (swipe, onion skin, side by side), the changed regions as
boxes over them, the difference map. Regions are in file1's pixels (a `target` in file2's when
the sizes or the alignment differ): the boxes are SVG rectangles in a viewBox of each image's own
size, laid over it, so they scale with the image and need no inline style."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from comparisons.models import Comparison


@dataclass
class Box:
    x: int
    y: int
    width: int
    height: int


@dataclass
class Region:
    number: int
    kind: str
    box: Box  # in file1's pixels
    target: Box  # in file2's pixels
    area_pct: str  # of file1's area, in words: "9.8 %"
    magnitude_pct: int


@dataclass
class ImageView:
    width_a: int
    height_a: int
    width_b: int
    height_b: int
    url_a: str
    url_b: str
    kept: bool  # the originals are still stored (else only the difference map is left)
    regions: list[Region] = field(default_factory=list)


def view(comparison: Comparison, changes: list[dict[str, Any]]) -> ImageView:
    metrics = comparison.metrics
    width_a, height_a = int(metrics.get("width_a") or 0), int(metrics.get("height_a") or 0)
    found = ImageView(
        width_a=width_a, height_a=height_a,
        width_b=int(metrics.get("width_b") or width_a),
        height_b=int(metrics.get("height_b") or height_a),
        url_a=reverse("comparisons:comparison_file", args=[comparison.id, "file1"]),
        url_b=reverse("comparisons:comparison_file", args=[comparison.id, "file2"]),
        kept=comparison.files_purged_at is None and bool(comparison.file_a),
    )  # fmt: skip
    area = max(width_a * height_a, 1)
    for number, change in enumerate((c for c in changes if "region" in c), start=1):
        place = change["region"]
        box = Box(place["x"], place["y"], place["width"], place["height"])
        target = place.get("target") or place
        share = 100 * box.width * box.height / area
        found.regions.append(
            Region(
                number=number, kind=change["kind"], box=box,
                target=Box(target["x"], target["y"], target["width"], target["height"]),
                area_pct=f"{share:.1f} %" if share >= 0.1 else "< 0.1 %",
                magnitude_pct=round(100 * float(change.get("magnitude") or 0)),
            )
        )  # fmt: skip
    return found
