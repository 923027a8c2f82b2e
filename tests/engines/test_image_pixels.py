"""The image engine's per-pixel difference, as visual-regression gates need it: colour (a hue
change at equal brightness), transparency, anti-aliasing and compression noise tolerated, enough
resolution to tell 0.1% from 0.2% of a screenshot, and regions a user asks to ignore."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from comparisons.engines import Options, Result
from comparisons.engines.image import engine, pixels
from comparisons.engines.image.decode import Decoded
from tests.engines import media_images as media

RED = (220, 38, 38)
BLUE_AS_BRIGHT = media.same_luminance(RED, (37, 99, 235))  # the blue with red's luminance


def compare(a: Path, b: Path, **options: object) -> Result:
    return engine.compare(a, b, Options(**options), lambda _: None)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pixels")


@pytest.fixture(scope="module")
def page(folder: Path) -> Path:
    return media.write(folder / "page.png", media.screenshot())


def luma(rgb: tuple[int, int, int]) -> float:
    return 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]


# --- colour --------------------------------------------------------------------------------------


def test_it_finds_a_hue_change_at_equal_luminance_and_lowers_the_score(folder: Path) -> None:
    red = media.write(folder / "button_red.png", media.screenshot(button=RED))
    blue = media.write(folder / "button_blue.png", media.screenshot(button=BLUE_AS_BRIGHT))

    result = compare(red, blue)
    same = compare(red, red)

    assert abs(luma(RED) - luma(BLUE_AS_BRIGHT)) < 0.5
    assert result.metrics["ssim"] > 0.999  # luminance alone cannot see it
    assert result.identical is False
    assert result.similarity < same.similarity and result.similarity < 99.5
    (change,) = result.changes
    region = change["region"]  # the button: x 252..412, y 384..428 on this page
    assert 240 <= region["x"] <= 256 and 375 <= region["y"] <= 390, region
    assert 150 <= region["width"] <= 170 and 40 <= region["height"] <= 50, region


def test_it_measures_colour_in_yiq_as_pixelmatch_does() -> None:
    """Black to white is nearly the largest distance (1 is the largest of any two colours); the
    red and the blue of equal luma are far apart; 10 grey levels are below the 0.1 threshold, 30
    above."""
    patches = {
        "black": (0, 0, 0),
        "white": (255, 255, 255),
        "red": RED,
        "blue": BLUE_AS_BRIGHT,
        "grey": (128, 128, 128),
        "grey10": (138, 138, 138),
        "grey30": (158, 158, 158),
    }
    flat = {name: Decoded(np.full((4, 4, 3), rgb[::-1], np.uint8)) for name, rgb in patches.items()}

    def distance(a: str, b: str) -> float:
        return float(pixels.compare(flat[a], flat[b]).distance.max())

    assert distance("black", "white") == pytest.approx(0.966, abs=1e-3)
    assert distance("red", "blue") > 0.3
    assert distance("grey", "grey10") < pixels.THRESHOLD < distance("grey", "grey30")


# --- anti-aliasing and noise ---------------------------------------------------------------------


def drawing(line_type: int) -> np.ndarray:
    """Text, a rectangle, a circle and a diagonal, drawn by OpenCV with or without smoothing."""
    image = np.full((240, 900, 3), 255, np.uint8)
    for row, scale in enumerate((0.6, 0.9, 1.3)):
        cv2.putText(image, "Sign in | Settings | Help 0123", (20, 40 + 60 * row),
                    cv2.FONT_HERSHEY_SIMPLEX, scale, (40, 40, 40), 1 + row, line_type)  # fmt: skip
    cv2.rectangle(image, (620, 20), (860, 90), (200, 60, 30), 2, line_type)
    cv2.circle(image, (700, 170), 45, (30, 140, 30), 2, line_type)
    cv2.line(image, (760, 120), (880, 230), (0, 0, 0), 2, line_type)
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def test_it_does_not_call_smoothing_of_text_and_lines_a_change(folder: Path) -> None:
    smooth = media.write(folder / "drawn_aa.png", drawing(cv2.LINE_AA))
    jagged = media.write(folder / "drawn_8.png", drawing(cv2.LINE_8))

    result = compare(smooth, jagged)

    differing = np.count_nonzero(np.any(drawing(cv2.LINE_AA) != drawing(cv2.LINE_8), axis=2))
    assert differing > 2000  # thousands of edge pixels differ...
    assert result.metrics["antialiased_pixels"] > 1000  # ...and are recognised as smoothing
    assert result.identical is True, (result.summary, result.changes)
    assert result.changes == []
    assert result.summary == "No differences found."


def test_it_still_finds_text_that_changed_between_smoothed_renderings(folder: Path) -> None:
    before = drawing(cv2.LINE_AA)
    after = before.copy()
    cv2.putText(after, "Log out", (20, 220), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (40, 40, 40), 2,
                cv2.LINE_AA)  # fmt: skip

    result = compare(
        media.write(folder / "text_before.png", before),
        media.write(folder / "text_after.png", after),
    )

    assert result.identical is False
    (change,) = result.changes
    assert change["region"]["y"] > 180 and change["region"]["x"] < 160, change


def test_it_tolerates_jpeg_noise_but_not_a_watermark_on_a_jpeg(folder: Path) -> None:
    photo = np.array(media.photo("astronaut"))
    original = media.write(folder / "astronaut.png", photo)
    copy = media.write_jpeg(folder / "astronaut_q90.jpg", photo, 90)
    marked = media.write_jpeg(folder / "astronaut_marked_q90.jpg", media.watermarked(photo), 90)

    plain = compare(original, copy)
    stamped = compare(original, marked)

    assert plain.identical is True and plain.changes == [], plain.summary
    assert plain.metrics["noise_pixels"] > 0  # the encoder's noise was there, and tolerated
    assert stamped.identical is False
    (change,) = stamped.changes
    assert change["region"]["x"] > 256 and change["region"]["y"] > 400  # the watermark's corner


# --- transparency --------------------------------------------------------------------------------


def rgba(colour: tuple[int, int, int], alpha: int, size: tuple[int, int] = (120, 80)) -> np.ndarray:
    image = np.zeros((size[1], size[0], 4), np.uint8)
    image[:, :] = (*colour, alpha)
    return image


def test_it_detects_a_difference_only_in_alpha(folder: Path) -> None:
    transparent = media.write(folder / "transparent.png", rgba((255, 255, 255), 0))
    opaque = media.write(folder / "opaque_white.png", rgba((255, 255, 255), 255))

    result = compare(transparent, opaque)

    assert result.identical is False
    assert result.similarity < 50
    assert result.metrics["changed_pct"] == pytest.approx(100.0)
    assert result.changes[0]["region"] == {"x": 0, "y": 0, "width": 120, "height": 80}


def test_it_ignores_colours_hidden_under_full_transparency(folder: Path) -> None:
    clear_black = media.write(folder / "clear_black.png", rgba((0, 0, 0), 0))
    clear_red = media.write(folder / "clear_red.png", rgba((255, 0, 0), 0))

    result = compare(clear_black, clear_red)

    assert result.identical is True and result.similarity == 100.0


def test_it_sees_half_transparency_change_on_a_photo(folder: Path) -> None:
    photo = np.array(media.photo("coffee"))
    solid = media.write(
        folder / "coffee_solid.png", np.dstack([photo, np.full(photo.shape[:2], 255, np.uint8)])
    )
    faded = np.dstack([photo, np.full(photo.shape[:2], 255, np.uint8)])
    faded[100:200, 100:300, 3] = 128
    half = media.write(folder / "coffee_half.png", faded)

    result = compare(solid, half)

    (change,) = result.changes
    assert change["region"] == {"x": 100, "y": 100, "width": 200, "height": 100}


# --- resolution near the top of the scale -------------------------------------------------------


def test_it_tells_screenshots_with_0_1_and_0_2_percent_changed_apart(
    folder: Path, page: Path
) -> None:
    results = [
        compare(page, media.write(folder / f"words_{edits}.png",
                                  media.screenshot(media.with_words(media.PAGE_TEXT, edits))))
        for edits in (1, 2, 3)
    ]  # fmt: skip

    shares = [result.metrics["changed_pct"] for result in results]
    scores = [result.similarity for result in results]
    assert 0.1 <= shares[0] < shares[1] < shares[2], shares
    assert shares[1] <= 0.3, shares
    assert scores[0] > scores[1] > scores[2], scores
    assert all(score < 99.9 for score in scores), scores


def test_it_ranks_pairs_with_about_20_percent_changed_by_their_changed_pixels(
    folder: Path, page: Path
) -> None:
    dark_sidebar = np.array(media.screenshot())
    dark_sidebar[56:, :220] = (30, 41, 59)  # a theme change: 16% of the page
    with_photo = np.array(media.screenshot())
    with_photo[460:, 240:1160] = media.photo_at("coffee", (920, 340))  # content: 24%

    sidebar = compare(page, media.write(folder / "dark_sidebar.png", dark_sidebar))
    photo = compare(page, media.write(folder / "with_photo.png", with_photo))

    assert 14 < sidebar.metrics["changed_pct"] < photo.metrics["changed_pct"] < 30
    assert sidebar.similarity > photo.similarity


# --- ignore_regions ------------------------------------------------------------------------------


def test_it_masks_ignored_regions_out_of_the_score_and_the_changes(folder: Path) -> None:
    photo = np.array(media.photo("astronaut"))
    original = media.write(folder / "astronaut_plain.png", photo)
    marked = media.write(folder / "astronaut_marked.png", media.watermarked(photo))

    found = compare(original, marked)
    ignored = compare(original, marked, ignore_regions=((300, 450, 212, 62),))
    elsewhere = compare(original, marked, ignore_regions=((0, 0, 200, 200),))

    assert found.identical is False and found.changes
    assert ignored.identical is True and ignored.changes == [] and ignored.similarity == 100.0
    assert ignored.summary == "No differences found outside the ignored regions."
    assert ignored.metrics["ignored_pct"] == pytest.approx(100 * 212 * 62 / 512**2, abs=0.01)
    assert elsewhere.identical is False and elsewhere.changes == found.changes


def test_it_clips_ignored_regions_that_reach_past_the_picture(folder: Path) -> None:
    photo = np.array(media.photo("chelsea"))
    original = media.write(folder / "chelsea_plain.png", photo)
    marked = media.write(folder / "chelsea_marked.png", media.watermarked(photo))

    result = compare(original, marked, ignore_regions=((200, 200, 10_000, 10_000),))

    assert result.identical is True
