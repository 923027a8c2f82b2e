"""What the image engine answers besides the score: changes in the one change shape
(docs/change-model.md), `identical`, the summary sentence, the diff image at file1's resolution,
and the validation of `ignore_regions`."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from comparisons.engines import Options, Result, changes
from comparisons.engines.image import engine, sizes
from tests.engines import media_images as media


def compare(a: Path, b: Path, mode: str = "pixel") -> Result:
    return engine.compare(a, b, Options(mode=mode), lambda _: None)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("changes")


@pytest.fixture(scope="module")
def astronaut(folder: Path) -> Path:
    return media.write(folder / "astronaut.png", media.photo("astronaut"))


def assert_change_shape(change: dict[str, object]) -> None:
    assert set(change) == {"kind", "region", "before", "after", "magnitude"}
    assert changes.location_of(change) == "region"
    assert change["kind"] in changes.KINDS
    region = change["region"]
    assert isinstance(region, dict)
    assert set(region) - {"target"} == {"x", "y", "width", "height"}
    assert all(isinstance(region[key], int) for key in ("x", "y", "width", "height"))
    assert region["width"] > 0 and region["height"] > 0
    if "target" in region:
        assert set(region["target"]) == {"x", "y", "width", "height"}
    assert change["before"] is None and change["after"] is None
    magnitude = change["magnitude"]
    assert isinstance(magnitude, float) and 0.0 <= magnitude <= 1.0


# --- identical, changes and the summary ---------------------------------------------------------


def test_it_answers_identical_with_no_changes_for_the_same_picture(astronaut: Path) -> None:
    result = compare(astronaut, astronaut)

    assert result.identical is True
    assert result.changes == []
    assert result.summary == "No differences found."
    assert (result.metrics["changed_pixels"], result.metrics["changed_pct"]) == (0, 0.0)


def test_it_reports_a_watermark_as_one_changed_region_in_the_change_shape(
    folder: Path, astronaut: Path
) -> None:
    marked = media.write(
        folder / "marked.png", media.watermarked(np.array(media.photo("astronaut")))
    )

    result = compare(astronaut, marked)

    assert result.identical is False
    (change,) = result.changes
    assert_change_shape(change)
    assert change["kind"] == "changed" and "target" not in change["region"]
    area = change["region"]["width"] * change["region"]["height"]
    assert result.summary == f"1 region changed, {100 * area / 512**2:.1f}% of the image."
    assert 0 < result.metrics["changed_pixels"] < area
    assert result.metrics["changed_pct"] == pytest.approx(
        100 * result.metrics["changed_pixels"] / 512**2, abs=0.001
    )


def test_it_says_the_sizes_differ_and_gives_file2s_box_too(folder: Path, astronaut: Path) -> None:
    photo = np.array(media.photo("astronaut"))
    smaller = media.write(folder / "smaller.png", media.resized(photo, 0.5))
    edited = media.write(
        folder / "smaller_edited.png",
        media.resized(media.pasted(photo, media.photo("coffee"), (300, 80, 170, 170)), 0.5),
    )

    resized = compare(astronaut, smaller)
    changed = compare(astronaut, edited)

    assert resized.identical is False and resized.changes == []
    assert resized.summary == "Different sizes: 512x512 and 256x256 px; no region differs."
    (change,) = changed.changes
    assert_change_shape(change)
    box, target = change["region"], change["region"]["target"]
    assert abs(box["x"] - 300) <= 4 and abs(box["width"] - 170) <= 8, box
    assert target == pytest.approx(
        {key: box[key] / 2 for key in ("x", "y", "width", "height")}, abs=2
    )
    assert changed.summary.startswith("Different sizes: 512x512 and 256x256 px; 1 region changed")


def test_it_calls_a_faint_tint_over_the_whole_picture_a_change_of_the_whole_frame(
    folder: Path,
) -> None:
    page = media.write(folder / "page.png", media.screenshot())
    tinted = media.write(folder / "tinted.png", media.screenshot(sidebar=(219, 234, 254)))

    result = compare(page, tinted)

    assert result.metrics["changed_pixels"] == 0  # every pixel is under the colour threshold
    assert result.identical is False and result.similarity < 99.0
    (change,) = result.changes
    assert_change_shape(change)
    assert change["region"] == {"x": 0, "y": 0, "width": 1280, "height": 800}
    assert "whole image differs slightly" in result.summary


def test_it_describes_a_turned_copy_in_feature_mode_without_calling_it_identical(
    folder: Path, astronaut: Path
) -> None:
    turned = media.write(
        folder / "turned.png", media.rotated(np.array(media.photo("astronaut")), 10)
    )

    result = compare(astronaut, turned, "feature")

    assert result.similarity >= 80 and result.identical is False
    assert "turned 10.0°" in result.summary or "turned -10.0°" in result.summary, result.summary
    for change in result.changes:
        assert_change_shape(change)


def test_it_gives_file2s_box_through_the_alignment_in_feature_mode(folder: Path) -> None:
    photo = np.array(media.photo("motorcycle"))
    edited = media.pasted(photo, media.photo("coffee"), (300, 120, 160, 120))
    first = media.write(folder / "moto.png", photo)
    second = media.write(folder / "moto_edited_crop.png", media.center_crop(edited, 0.8))

    result = compare(first, second, "feature")

    (change,) = result.changes
    assert_change_shape(change)
    box, target = change["region"], change["region"]["target"]
    offset = (round(photo.shape[1] * 0.1), round(photo.shape[0] * 0.1))  # where the crop begins
    assert abs(target["x"] - (box["x"] - offset[0])) <= 8, (box, target)
    assert abs(target["y"] - (box["y"] - offset[1])) <= 8, (box, target)


# A rotation keeps its black corners when the canvas is not cropped past them: at 12 degrees a
# 95% crop still holds four black wedges. They lie outside file1 once aligned, except along
# file1's edge, where the alignment's last pixel of error and the blend of the wedge's edge land.
TURNED_EDIT = (60, 150, 80, 60)  # x, y, width, height in the 451x300 chelsea: a painted box


def turned_and_cropped(image: np.ndarray) -> np.ndarray:
    return media.center_crop(media.rotated(image, 12), 0.95)


@pytest.mark.parametrize("suffix", [".png", ".jpg"])
def test_it_reports_no_change_where_a_turned_copy_leaves_file1_uncovered(
    folder: Path, suffix: str
) -> None:
    photo = np.array(media.photo("chelsea"))
    first = media.write(folder / "chelsea.png", photo)
    second = media.write(folder / f"chelsea_turned{suffix}", turned_and_cropped(photo))

    result = compare(first, second, "feature")

    assert result.changes == [], result.changes
    assert result.summary.endswith("no region differs."), result.summary
    assert result.similarity >= 95.0


@pytest.mark.parametrize("suffix", [".png", ".jpg"])
def test_it_still_finds_an_edit_inside_a_turned_copy(folder: Path, suffix: str) -> None:
    photo = np.array(media.photo("chelsea"))
    x, y, width, height = TURNED_EDIT
    edited = photo.copy()
    edited[y : y + height, x : x + width] = (40, 90, 220)
    first = media.write(folder / "chelsea.png", photo)
    second = media.write(folder / f"chelsea_turned_edited{suffix}", turned_and_cropped(edited))

    result = compare(first, second, "feature")

    box = result.changes[0]["region"]  # the largest
    assert box["x"] == pytest.approx(x, abs=6) and box["y"] == pytest.approx(y, abs=6), box
    assert box["width"] == pytest.approx(width, abs=12), box
    assert box["height"] == pytest.approx(height, abs=12), box
    for change in result.changes:  # the edit may break into pieces; nothing lies elsewhere
        assert_change_shape(change)
        inside = change["region"]
        assert x - 6 <= inside["x"] and inside["x"] + inside["width"] <= x + width + 6, inside
        assert y - 6 <= inside["y"] and inside["y"] + inside["height"] <= y + height + 6, inside


# --- the diff image ------------------------------------------------------------------------------


def png_size(data: bytes) -> tuple[int, int]:
    width, height = Image.open(io.BytesIO(data)).size
    return width, height


def test_it_draws_the_diff_at_file1s_resolution(folder: Path) -> None:
    photo = media.photo_at("rocket", (800, 500))
    first = media.write(folder / "rocket_800.png", photo)
    edited = media.write(folder / "rocket_800_edited.png", media.watermarked(photo))
    smaller = media.write(folder / "rocket_400.png", media.resized(photo, 0.5))

    same_size = compare(first, edited)
    from_smaller = compare(first, smaller)

    assert png_size(same_size.artifacts[0].data) == (800, 500)
    assert png_size(from_smaller.artifacts[0].data) == (800, 500)


def test_it_caps_the_diff_of_a_huge_picture_at_the_stated_side(folder: Path) -> None:
    ramp = np.linspace(0, 255, 6000, dtype=np.float32)
    huge = np.repeat(np.repeat(ramp[None, :, None], 3, axis=2), 3000, axis=0).astype(np.uint8)
    first = media.write(folder / "huge_a.png", huge)
    huge[1000:1200, 2000:2600] = (200, 30, 30)
    second = media.write(folder / "huge_b.png", huge)

    result = compare(first, second)

    assert sizes.MAX_GRID_SIDE == 4096
    assert png_size(result.artifacts[0].data) == (4096, 2048)
    (change,) = result.changes
    assert abs(change["region"]["x"] - 2000) <= 3 and abs(change["region"]["width"] - 600) <= 6
