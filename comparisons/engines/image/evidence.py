"""What a comparison found, in the one change shape (engines/changes.py): the changed regions as
`region` changes in file1's pixels (with file2's box where it differs), `identical`, the summary
sentence, the metrics and the diff image."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from comparisons.engines import changes
from comparisons.engines.base import DIFF_IMAGE, Artifact, Result
from comparisons.engines.image import render
from comparisons.engines.image.decode import Picture
from comparisons.engines.image.regions import Box

REGION_LIMIT = 50  # changes listed, largest first; the summary counts them all


@dataclass(frozen=True)
class Found:
    """One changed region: its box in file1's pixels, in file2's where that differs, and how
    strongly it changed (0..1)."""

    box: Box
    target: Box | None
    magnitude: float


@dataclass
class Evidence:
    similarity: float
    identical: bool  # nothing beyond encoding noise: no changed pixel, the same size
    regions: list[Found]
    region_count: int
    area_pct: float  # the regions' boxes, as a share of file1
    drawing: render.Drawing
    metrics: dict[str, Any] = field(default_factory=dict)
    geometry: str | None = None  # feature mode: how file2 sits on file1, in words
    ignoring: bool = False  # ignore_regions masked part of the pictures
    spread: bool = False  # no changed pixel, yet the whole picture differs slightly


def result_of(evidence: Evidence, first: Picture, second: Picture, mode: str) -> Result:
    listed = [
        changes.region("changed", found.box, magnitude=found.magnitude, target=found.target)
        for found in evidence.regions[:REGION_LIMIT]
    ]
    metrics = {
        "mode": mode,
        **first.describe("a"),
        **second.describe("b"),
        **evidence.metrics,
        "identical": evidence.identical,
        "changed_area_pct": round(evidence.area_pct, 2),
        "changed_regions": evidence.region_count,
    }
    diff = render.diff_png(evidence.drawing)
    return Result(
        similarity=evidence.similarity,
        metrics=metrics,
        changes=listed,
        artifacts=[Artifact(name=DIFF_IMAGE, content_type="image/png", data=diff)],
        identical=evidence.identical,
        summary=summary_of(evidence, first, second),
    )


def summary_of(evidence: Evidence, first: Picture, second: Picture) -> str:
    """One sentence from what was found: "1 region changed, 2.7% of the image"."""
    outside = " outside the ignored regions" if evidence.ignoring else ""
    if evidence.identical:
        return f"No differences found{outside}."
    parts = []
    if first.size != second.size:
        parts.append(
            f"different sizes: {first.size[0]}x{first.size[1]} and "
            f"{second.size[0]}x{second.size[1]} px"
        )
    if evidence.geometry:
        parts.append(evidence.geometry)
    if evidence.spread:
        parts.append(
            f"the whole image differs slightly{outside} (tones or fine detail); no pixel stands "
            "out on its own"
        )
    elif evidence.region_count:
        plural = "s" if evidence.region_count != 1 else ""
        parts.append(
            f"{evidence.region_count} region{plural} changed{outside}, "
            f"{_percent(evidence.area_pct)} of the image"
        )
    elif parts:
        parts.append(f"no region differs{outside}")
    else:  # not identical, yet nothing to name: colour noise spread too thin for a region
        parts.append(f"only scattered pixels differ{outside}")
    sentence = "; ".join(parts)
    return sentence[0].upper() + sentence[1:] + "."


def _percent(value: float) -> str:
    if value >= 10:
        return f"{value:.0f}%"
    if value >= 0.1:
        return f"{value:.1f}%"
    return "under 0.1%"
