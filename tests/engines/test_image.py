"""The image engine on real photographs (skimage's bundled photos) and the variants users send:
re-encoded, resized, watermarked, brightened, edited, rotated, cropped, relit, transparent,
animated, EXIF-rotated, 16-bit - and broken files that must be refused cleanly and fast."""

from __future__ import annotations

import io
import itertools
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image
from skimage.metrics import structural_similarity

from comparisons.engines import EngineError, Options, Result, UnreadableFile, get_engine
from comparisons.engines.image import UnsupportedMode, decode, engine, metrics, render, sizes
from tests.engines import media_images as media

PIXEL, FEATURE = Options(mode="pixel"), Options(mode="feature")
NEAR_DUPLICATE, UNRELATED = 85.0, 40.0
PATCH = (300, 80, 170, 170)  # x, y, width, height in the 512x512 astronaut: an object over 11%


def compare(a: Path, b: Path, options: Options = PIXEL) -> Result:
    return engine.compare(a, b, options, lambda _: None)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("images")


@pytest.fixture(scope="module")
def originals(folder: Path) -> dict[str, Path]:
    """Each photo as a PNG: the file1 of most comparisons."""
    return {name: media.write(folder / f"{name}.png", media.photo(name)) for name in media.PHOTOS}


# name -> how to make file2 from the photo (written as PNG unless the maker writes it itself)
NEAR_DUPLICATES: dict[str, Callable[[Path, np.ndarray], Path]] = {
    "jpeg_q70": lambda path, image: media.write_jpeg(path.with_suffix(".jpg"), image, 70),
    "resized_50pct": lambda path, image: media.write(path, media.resized(image, 0.5)),
    "watermarked": lambda path, image: media.write(path, media.watermarked(image)),
    "brightened_25": lambda path, image: media.write(path, media.brightened(image, 25)),
}


@pytest.fixture(scope="module")
def near_duplicate(folder: Path) -> Callable[[str, str], Path]:
    """file2 for a photo and a near-duplicate kind, made once per module."""
    made: dict[tuple[str, str], Path] = {}

    def make(photo: str, kind: str) -> Path:
        if (photo, kind) not in made:
            path = folder / f"{photo}_{kind}.png"
            made[photo, kind] = NEAR_DUPLICATES[kind](path, np.array(media.photo(photo)))
        return made[photo, kind]

    return make


# --- pixel mode: what users call "the same picture" -------------------------------------------


def test_it_scores_the_same_file_100_with_no_changes(originals: dict[str, Path]) -> None:
    result = compare(originals["chelsea"], originals["chelsea"])

    assert result.similarity == 100.0
    assert result.metrics["identical"] is True
    assert result.metrics["ssim"] == pytest.approx(1.0)
    assert result.metrics["mse"] == 0.0
    assert result.changes == []


def test_it_scores_the_same_pixels_in_another_format_100(
    originals: dict[str, Path], folder: Path
) -> None:
    lossless = media.write(folder / "coffee_lossless.webp", media.photo("coffee"), lossless=True)

    result = compare(originals["coffee"], lossless)

    assert result.similarity == 100.0
    assert (result.metrics["format_a"], result.metrics["format_b"]) == ("png", "webp")


@pytest.mark.parametrize("photo", ["astronaut", "coffee", "hubble"])
@pytest.mark.parametrize("kind", list(NEAR_DUPLICATES))
def test_it_scores_near_duplicates_high(
    originals: dict[str, Path], near_duplicate: Callable[[str, str], Path], photo: str, kind: str
) -> None:
    copy = near_duplicate(photo, kind)

    result = compare(originals[photo], copy)

    assert NEAR_DUPLICATE <= result.similarity < 100.0, result.metrics


@pytest.mark.parametrize(
    ("first", "second"), [("astronaut", "coffee"), ("chelsea", "rocket"), ("rocket", "retina")]
)
def test_it_scores_unrelated_photos_low(
    originals: dict[str, Path], first: str, second: str
) -> None:
    result = compare(originals[first], originals[second])

    assert result.similarity <= UNRELATED, result.metrics
    assert result.metrics["phash_distance"] >= 16


def test_it_ranks_every_near_duplicate_above_every_unrelated_pair(
    originals: dict[str, Path], near_duplicate: Callable[[str, str], Path]
) -> None:
    photos = ["astronaut", "coffee", "hubble"]
    near = [
        compare(originals[photo], near_duplicate(photo, kind)).similarity
        for photo in photos
        for kind in NEAR_DUPLICATES
    ]
    unrelated = [
        compare(originals[a], originals[b]).similarity for a, b in itertools.combinations(photos, 2)
    ]

    assert min(near) > max(unrelated) + 40


def test_it_puts_a_large_pasted_object_between_duplicates_and_unrelated(
    originals: dict[str, Path], folder: Path
) -> None:
    edited = folder / "astronaut_edited.png"
    media.write(edited, media.pasted(media.photo("astronaut"), media.photo("coffee"), PATCH))

    result = compare(originals["astronaut"], edited)

    assert UNRELATED < result.similarity < NEAR_DUPLICATE, result.metrics


def test_it_does_not_call_a_logo_moved_across_a_plain_page_a_near_duplicate(folder: Path) -> None:
    """96% of the pixels agree (SSIM ~0.93 alone would score ~94), but the layout changed: the
    perceptual hash sees it and keeps the score out of the near-duplicate band."""
    page = np.full((300, 400, 3), 245, np.uint8)
    logo = media.photo_at("coffee", (60, 60))
    top_left, bottom_right = page.copy(), page.copy()
    top_left[20:80, 20:80] = logo
    bottom_right[220:280, 320:380] = logo
    a = media.write(folder / "logo_top_left.png", top_left)
    b = media.write(folder / "logo_bottom_right.png", bottom_right)

    result = compare(a, b)

    assert result.metrics["ssim"] > 0.9
    assert result.metrics["phash_distance"] >= 16
    assert UNRELATED < result.similarity < NEAR_DUPLICATE, result.metrics


# --- evidence: the diff image and the changed regions -----------------------------------------


def test_it_draws_the_pasted_patch_hot_in_the_diff_and_boxes_it(
    originals: dict[str, Path], folder: Path
) -> None:
    edited = media.write(
        folder / "astronaut_patch.png",
        media.pasted(media.photo("astronaut"), media.photo("rocket"), PATCH),
    )

    result = compare(originals["astronaut"], edited)

    (artifact,) = result.artifacts
    assert (artifact.name, artifact.content_type) == ("diff.png", "image/png")
    heat = heat_of(artifact.data)
    inside, outside = _split(heat, PATCH, scale=heat.shape[1] / 512)
    assert inside.mean() > 0.5 and outside.mean() < 0.01, (inside.mean(), outside.mean())
    biggest = result.changes[0]
    assert biggest["kind"] == "changed" and set(biggest["region"]) == {"x", "y", "width", "height"}
    assert overlap(biggest["region"], PATCH) > 0.7, result.changes


def test_it_boxes_the_watermark_and_nothing_else(
    originals: dict[str, Path], near_duplicate: Callable[[str, str], Path]
) -> None:
    marked = near_duplicate("astronaut", "watermarked")

    result = compare(originals["astronaut"], marked)

    assert len(result.changes) == 1, result.changes
    box = result.changes[0]["region"]
    assert box["x"] > 256 and box["y"] > 400  # bottom-right corner, where the text is
    assert result.identical is False
    assert result.summary.startswith("1 region changed"), result.summary


def heat_of(png: bytes) -> np.ndarray:
    """1.0 where the diff image paints a changed pixel (one of its reds), else 0."""
    index = np.asarray(Image.open(io.BytesIO(png)))  # a palette PNG: the colour indices
    reds = [render.PALETTE[i * 3 : i * 3 + 3] for i in range(len(render.PALETTE) // 3)]
    red = np.array([tuple(colour) in render.REDS for colour in reds])
    return red[index].astype(np.float32)


def _split(
    heat: np.ndarray, box: tuple[int, int, int, int], scale: float
) -> tuple[np.ndarray, np.ndarray]:
    x, y, w, h = (round(v * scale) for v in box)
    margin = max(2, round(8 * scale))
    inner = heat[y + margin : y + h - margin, x + margin : x + w - margin]
    away = np.ones(heat.shape, bool)
    away[
        max(0, y - 3 * margin) : y + h + 3 * margin, max(0, x - 3 * margin) : x + w + 3 * margin
    ] = False
    return inner, heat[away]


def overlap(change: dict[str, float], box: tuple[int, int, int, int]) -> float:
    """Intersection over union of a reported change and the box we edited."""
    x, y, w, h = box
    left, top = max(change["x"], x), max(change["y"], y)
    right = min(change["x"] + change["width"], x + w)
    bottom = min(change["y"] + change["height"], y + h)
    intersection = max(0, right - left) * max(0, bottom - top)
    union = change["width"] * change["height"] + w * h - intersection
    return intersection / union


# --- sizes, formats, transparency, animation ---------------------------------------------------


def test_it_compares_different_sizes_and_reports_both(folder: Path) -> None:
    big = media.write(folder / "rocket_1920.png", media.photo_at("rocket", (1920, 1080)))
    small = media.write_jpeg(folder / "rocket_640.jpg", media.photo_at("rocket", (640, 360)), 85)

    result = compare(big, small)

    assert result.similarity >= NEAR_DUPLICATE
    sizes = [result.metrics[key] for key in ("width_a", "height_a", "width_b", "height_b")]
    assert sizes == [1920, 1080, 640, 360]
    assert (result.metrics["working_width"], result.metrics["working_height"]) == (480, 270)


def test_it_compares_a_different_aspect_by_stretching_to_file1(
    originals: dict[str, Path], folder: Path
) -> None:
    squeezed = folder / "chelsea_squeezed.png"
    media.write(squeezed, cv2.resize(np.array(media.photo("chelsea")), (300, 300), cv2.INTER_AREA))

    result = compare(originals["chelsea"], squeezed)

    assert result.similarity >= NEAR_DUPLICATE  # same frame, other aspect: pixel mode stretches
    assert (result.metrics["width_b"], result.metrics["height_b"]) == (300, 300)


@pytest.mark.parametrize("suffix", [".png", ".webp"])
def test_it_tells_a_transparent_frame_from_the_same_frame_painted_white(
    folder: Path, suffix: str
) -> None:
    """On a white page the two look alike (luminance, MSE and SSIM agree), but on any other
    background they do not: alpha is part of the picture."""
    photo = np.array(media.photo("coffee"))
    transparent = media.write_transparent(folder / f"coffee_rgba{suffix}", photo, border=40)
    on_white = photo.copy()
    on_white[:40, :] = on_white[-40:, :] = on_white[:, :40] = on_white[:, -40:] = 255
    band = on_white[40:80, 40:-40].astype(np.uint16)
    on_white[40:80, 40:-40] = ((band * 128 + 255 * 127 + 127) // 255).astype(np.uint8)
    flat = media.write(folder / "coffee_on_white.png", on_white)

    result = compare(transparent, flat)
    itself = compare(transparent, transparent)

    assert engine.probe(transparent).extra["has_alpha"] is True
    assert result.metrics["mse"] < 1.0  # luminance on white: the same
    assert result.identical is False and result.similarity < 99.0
    assert result.changes and result.metrics["changed_pct"] > 30  # the frame and the band
    assert itself.identical is True and itself.similarity == 100.0


def test_it_compares_an_animated_gif_by_its_first_frame(folder: Path) -> None:
    frames = [media.photo_at("chelsea", (320, 240)), media.photo_at("rocket", (320, 240))]
    animated = media.write_animated_gif(folder / "animated.gif", frames)
    first = media.write(folder / "first_frame.png", frames[0])
    second = media.write(folder / "second_frame.png", frames[1])

    info = engine.probe(animated)
    like_first = compare(first, animated)
    like_second = compare(second, animated)

    assert (info.format, info.extra["frames"], info.extra["animated"]) == ("gif", 2, True)
    assert like_first.similarity >= NEAR_DUPLICATE  # a 256-colour palette costs a little
    assert like_second.similarity <= UNRELATED
    assert like_first.metrics["frames_b"] == 2


def test_it_turns_an_exif_rotated_jpeg_upright(folder: Path) -> None:
    upright = media.photo_at("astronaut", (1200, 800))
    sideways = folder / "sideways.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display", as phones store portrait shots
    Image.fromarray(np.ascontiguousarray(np.rot90(upright))).save(sideways, quality=92, exif=exif)
    reference = media.write(folder / "upright.png", upright)

    result = compare(reference, sideways)

    assert (engine.probe(sideways).width, engine.probe(sideways).height) == (1200, 800)
    assert result.similarity >= NEAR_DUPLICATE


def test_it_reads_16_bit_pngs(originals: dict[str, Path], folder: Path) -> None:
    deep = folder / "rocket_16bit.png"
    bgr = cv2.cvtColor(np.array(media.photo("rocket")), cv2.COLOR_RGB2BGR)
    cv2.imwrite(str(deep), bgr.astype(np.uint16) * 257)

    result = compare(originals["rocket"], deep)

    assert result.similarity == 100.0


@pytest.mark.parametrize(
    ("suffix", "options", "expected"),
    [
        (".png", {}, "png"),
        (".jpg", {"quality": 90}, "jpeg"),
        (".webp", {}, "webp"),
        (".gif", {}, "gif"),
    ],
)
def test_it_probes_format_and_size_from_the_header(
    folder: Path, suffix: str, options: dict[str, int], expected: str
) -> None:
    path = media.write(folder / f"probe{suffix}", media.photo("chelsea"), **options)

    info = engine.probe(path)

    assert (info.media_type, info.format, info.width, info.height) == ("image", expected, 451, 300)
    assert info.extra["frames"] == 1


# --- feature mode ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind",
    ["rotated_90", "rotated_15", "cropped_80pct", "relit"],
)
def test_it_matches_rotated_cropped_and_relit_copies_in_feature_mode(
    originals: dict[str, Path], folder: Path, kind: str
) -> None:
    photo = np.array(media.photo("motorcycle"))
    made = {
        "rotated_90": lambda: media.rotated(photo, 90),
        "rotated_15": lambda: media.rotated(photo, 15),
        "cropped_80pct": lambda: media.center_crop(photo, 0.8),
        "relit": lambda: media.relit(photo),
    }[kind]()
    copy = media.write(folder / f"motorcycle_{kind}.png", made)

    result = compare(originals["motorcycle"], copy, FEATURE)

    assert result.similarity >= 80.0, result.metrics
    assert result.metrics["inliers"] >= 50
    assert result.metrics["inlier_ratio"] >= 0.8


def test_it_measures_the_rotation_and_scores_pixel_mode_lower(
    originals: dict[str, Path], folder: Path
) -> None:
    turned = media.write(
        folder / "coffee_turned.png", media.rotated(np.array(media.photo("coffee")), 15)
    )

    feature = compare(originals["coffee"], turned, FEATURE)
    pixel = compare(originals["coffee"], turned, PIXEL)

    assert feature.metrics["alignment"] == "homography"
    assert feature.metrics["rotation_deg"] == pytest.approx(15.0, abs=1.0)
    assert feature.metrics["aligned_ssim"] > 0.9
    assert pixel.similarity < UNRELATED < feature.similarity
    for key in ("keypoints_a", "keypoints_b", "good_matches", "ssim", "psnr", "phash_distance"):
        assert key in feature.metrics


def test_it_reports_a_crop_as_partial_overlap_at_full_scale(
    originals: dict[str, Path], folder: Path
) -> None:
    crop = media.write(
        folder / "ihc_crop.png", media.center_crop(np.array(media.photo("ihc")), 0.8)
    )

    result = compare(originals["ihc"], crop, FEATURE)

    assert result.metrics["overlap_pct"] == pytest.approx(64.0, abs=2.0)
    assert result.metrics["scale"] == pytest.approx(1.0, abs=0.02)


@pytest.mark.parametrize(
    ("first", "second"), [("astronaut", "chelsea"), ("hubble", "motorcycle"), ("rocket", "retina")]
)
def test_it_scores_unrelated_photos_low_in_feature_mode(
    originals: dict[str, Path], first: str, second: str
) -> None:
    result = compare(originals[first], originals[second], FEATURE)

    assert result.similarity <= 30.0, result.metrics


def test_it_falls_back_to_pixel_mode_when_there_is_nothing_to_align(folder: Path) -> None:
    flat = media.write(folder / "flat.png", np.full((120, 160, 3), 200, np.uint8))

    result = compare(flat, flat, FEATURE)

    assert result.similarity == 100.0
    assert result.metrics["alignment"] == "identity"


@pytest.mark.parametrize("options", [PIXEL, FEATURE])
def test_it_compares_tiny_and_sliver_pictures_without_failing(
    originals: dict[str, Path], folder: Path, options: Options
) -> None:
    dot = media.write(folder / "dot.png", np.array(media.photo("rocket"))[200:201, 300:301])
    sliver = media.write(folder / "sliver.png", np.array(media.photo("rocket"))[200:203, :])

    same = compare(dot, dot, options)
    other = compare(originals["rocket"], sliver, options)

    assert same.similarity == 100.0
    assert other.similarity < NEAR_DUPLICATE
    assert (other.metrics["width_b"], other.metrics["height_b"]) == (640, 3)


@pytest.mark.parametrize("options", [PIXEL, FEATURE])
def test_it_decodes_each_file_exactly_once(
    originals: dict[str, Path], monkeypatch: pytest.MonkeyPatch, options: Options
) -> None:
    decoded: list[str] = []
    real_decode = decode.decode

    def counting_decode(
        data: bytes, header: decode.Header, reduce: int, label: str
    ) -> decode.Decoded:
        decoded.append(label)
        return real_decode(data, header, reduce, label)

    monkeypatch.setattr(decode, "decode", counting_decode)
    monkeypatch.setattr(cv2, "imread", _forbidden)  # the bytes are read once, then decoded

    compare(originals["astronaut"], originals["chelsea"], options)

    assert sorted(decoded) == ["file1", "file2"]  # file2 on a second thread: any order


def _forbidden(*_: object) -> None:
    raise AssertionError("a file was read a second time")


# --- the measurements themselves ---------------------------------------------------------------


def test_its_ssim_is_wang_et_al_as_skimage_computes_it(folder: Path) -> None:
    a = cv2.cvtColor(np.array(media.photo("astronaut")), cv2.COLOR_RGB2GRAY).astype(np.float32)
    b = cv2.GaussianBlur(a, (5, 5), 1.2)  # any distortion will do

    ours, _ = metrics.ssim(a, b)
    theirs = structural_similarity(
        a, b, gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=255
    )

    assert ours == pytest.approx(theirs, abs=1e-4)


def test_it_uses_the_standard_automatic_downsampling() -> None:
    assert sizes.working_size((1920, 1080), (1920, 1080)) == (480, 270)  # round(1080/256) = 4
    assert sizes.working_size((451, 300), (451, 300)) == (451, 300)  # factor 1
    assert sizes.working_size((1920, 1080), (960, 540)) == (480, 270)
    assert sizes.working_size((1920, 1080), (320, 180)) == (320, 180)  # never upscales file2


def test_it_reports_progress(originals: dict[str, Path]) -> None:
    seen: list[float] = []

    engine.compare(originals["rocket"], originals["coffee"], PIXEL, seen.append)

    assert len(seen) >= 2 and seen == sorted(seen) and all(0 <= p <= 100 for p in seen)


def test_it_is_the_registered_image_engine_and_warms_up() -> None:
    assert get_engine("image") is engine
    assert (engine.media_type, engine.runs_async) == ("image", False)

    engine.warm_up()


def test_it_refuses_an_unknown_mode_as_an_engine_error(originals: dict[str, Path]) -> None:
    with pytest.raises(UnsupportedMode) as caught:
        compare(originals["rocket"], originals["rocket"], Options(mode="semantic"))

    assert isinstance(caught.value, EngineError) and not isinstance(caught.value, ValueError)
    assert "semantic" in caught.value.detail and "feature" in caught.value.detail


# --- broken files: refused from the header, fast ------------------------------------------------


def refused(action: Callable[[], object], budget_s: float = 0.5) -> str:
    started = time.perf_counter()
    with pytest.raises(UnreadableFile) as caught:
        action()
    assert time.perf_counter() - started < budget_s
    return caught.value.detail


@pytest.mark.parametrize("suffix", [".png", ".jpg", ".webp"])
def test_it_refuses_a_truncated_file(folder: Path, suffix: str) -> None:
    whole = media.write(folder / f"whole{suffix}", media.photo("rocket"))
    cut = media.truncated_copy(whole, folder / f"cut{suffix}", keep=0.6)

    assert "truncated" in refused(lambda: engine.probe(cut))
    assert "truncated" in refused(lambda: compare(whole, cut))


def test_it_refuses_a_gif_cut_inside_its_first_frame(folder: Path) -> None:
    whole = media.write(folder / "whole.gif", media.photo("rocket"))
    cut = media.truncated_copy(whole, folder / "cut.gif", keep=0.5)

    assert "file2" in refused(lambda: compare(whole, cut))


def test_it_refuses_an_empty_file(folder: Path, originals: dict[str, Path]) -> None:
    empty = folder / "empty.png"
    empty.write_bytes(b"")

    assert "empty" in refused(lambda: engine.probe(empty))
    assert "file1 is empty" in refused(lambda: compare(empty, originals["rocket"]))


def test_it_refuses_a_png_bomb_before_decoding(folder: Path, originals: dict[str, Path]) -> None:
    bomb = media.png_claiming_size(folder / "bomb.png", 100_000, 100_000)

    assert "100000x100000" in refused(lambda: engine.probe(bomb), budget_s=0.2)
    assert "100000x100000" in refused(lambda: compare(originals["rocket"], bomb), budget_s=0.2)


@pytest.mark.parametrize(("width", "height"), [(8000, 8000), (25_000, 100)])
def test_it_refuses_absurd_dimensions_below_pillows_own_limit(
    folder: Path, width: int, height: int
) -> None:
    # 64 MP and a 25000 px side: Pillow would open both; our limits are 50 MP and 20000 px
    claim = media.png_claiming_size(folder / f"claim_{width}.png", width, height)

    assert "megapixels" in refused(lambda: engine.probe(claim), budget_s=0.2)


def test_it_refuses_a_webp_bomb_before_pillow_allocates_its_canvas(folder: Path) -> None:
    small = media.write(folder / "small.webp", np.zeros((8, 8, 3), np.uint8), lossless=True)
    content = bytearray(small.read_bytes())
    assert content[12:16] == b"VP8L"
    # VP8L header: 0x2f, then 14 bits width-1 and 14 bits height-1 (little-endian)
    bits = int.from_bytes(content[21:25], "little")
    bits = (bits & ~0x0FFFFFFF) | (16383 << 14) | 16383
    content[21:25] = bits.to_bytes(4, "little")
    bomb = folder / "bomb.webp"
    bomb.write_bytes(bytes(content))

    assert "16384x16384" in refused(lambda: engine.probe(bomb), budget_s=0.2)


def test_it_refuses_a_file_that_is_not_an_image(folder: Path) -> None:
    text = folder / "notes.png"
    text.write_text("not a picture, whatever the name says\n")

    assert "not a JPG, PNG, WebP or GIF" in refused(lambda: engine.probe(text))


def test_it_refuses_a_corrupt_png_body(folder: Path, originals: dict[str, Path]) -> None:
    content = bytearray(originals["chelsea"].read_bytes())
    middle = len(content) // 2
    content[middle : middle + 4096] = bytes(4096)  # zeros over compressed data: CRC and zlib fail
    corrupt = folder / "corrupt.png"
    corrupt.write_bytes(bytes(content))

    assert "file2" in refused(lambda: compare(originals["chelsea"], corrupt))
