"""The `ignore_regions` option: rectangles of file1 (in its pixels) that an image comparison
leaves out of its score and its changes — a clock, an ad slot, a timestamp. Given as a JSON
array of {"x", "y", "width", "height"} objects; in a multipart form, as that JSON text."""

from __future__ import annotations

import json
from typing import Any

from comparisons.errors import InvalidIgnoreRegions

MAX_REGIONS = 100
MAX_PIXELS = 1_000_000  # per coordinate: beyond any image the API accepts
KEYS = ("x", "y", "width", "height")
EXAMPLE = '[{"x": 10, "y": 20, "width": 300, "height": 40}]'

Box = tuple[int, int, int, int]


def parse(value: Any) -> tuple[Box, ...]:
    """The rectangles in `value` — a JSON array, or its text — as (x, y, width, height)."""
    if isinstance(value, str):
        value = _loaded(value)
    if not isinstance(value, list):
        raise InvalidIgnoreRegions(f"must be a JSON array of rectangles, such as {EXAMPLE}.")
    if len(value) > MAX_REGIONS:
        raise InvalidIgnoreRegions(
            f"{len(value):,} regions were sent; at most {MAX_REGIONS} are allowed."
        )
    return tuple(_box(number, item) for number, item in enumerate(value, 1))


def as_json(boxes: tuple[Box, ...] | list[Box]) -> list[dict[str, int]]:
    """The rectangles as the API writes them (and the job stores them)."""
    return [dict(zip(KEYS, box, strict=True)) for box in boxes]


def _loaded(text: str) -> Any:
    if not text.strip():
        return []
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise InvalidIgnoreRegions(
            f"is not valid JSON; send a JSON array such as {EXAMPLE} (in a form, as that text)."
        ) from None


def _box(number: int, item: Any) -> Box:
    if not isinstance(item, dict) or sorted(item) != sorted(KEYS):
        raise InvalidIgnoreRegions(
            f"region {number} must be an object with exactly the keys x, y, width and height, "
            f"such as {EXAMPLE[1:-1]}."
        )
    x, y, width, height = (_pixels(number, key, item[key]) for key in KEYS)
    if width == 0 or height == 0:
        raise InvalidIgnoreRegions(f"region {number} is empty: width and height must be >= 1.")
    return x, y, width, height


def _pixels(number: int, key: str, value: Any) -> int:
    whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if isinstance(value, bool) or not whole:
        raise InvalidIgnoreRegions(
            f"region {number}: {key} must be a whole number of pixels, not {json.dumps(value)}."
        )
    if value < 0:
        raise InvalidIgnoreRegions(
            f"region {number}: {key} is {int(value)}; coordinates and sizes cannot be negative."
        )
    if value > MAX_PIXELS:
        raise InvalidIgnoreRegions(
            f"region {number}: {key} is {int(value):,}; the most is {MAX_PIXELS:,} pixels."
        )
    return int(value)
