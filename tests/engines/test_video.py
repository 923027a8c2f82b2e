"""The video engine on clips made from scikit-image's photographs (pans and zooms, cuts between
shots): re-encoded to HEVC, VP9 and MPEG-4, resized, re-timed, trimmed and offset copies score
high; other photos score low; a copy with two seconds replaced lands in between and says which.
Broken files must be refused with UnreadableFile and nothing else."""

from __future__ import annotations

import io
from functools import cached_property
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image
from skimage import data as skdata
from skimage.metrics import structural_similarity

from comparisons.engines import Options, Result, UnreadableFile, get_engine
from comparisons.engines.video import VideoEngine, engine, tiny_clip
from comparisons.engines.video.align import mean_ssim, ssim_maps
from comparisons.engines.video.decode import Sampler
from comparisons.engines.video.diff import worst_rows
from comparisons.engines.video.segments import runs
from tests.engines import media_videos as media

HIGH, LOW = 85.0, 40.0
SECONDS = 8.0
CHANGED = (3.0, 5.0)  # seconds of the base clip replaced in `partly_changed`
OTHER_PHOTOS = ("hubble_deep_field", "retina", "immunohistochemistry", "camera")
REPEATING_SECONDS = 30.0
REPEATING_CHANGED = (12.0, 16.0)
SLOW_PAN = media.Storyboard((media.Shot("astronaut", 30.0, pan=(0.01, 0.007), zoom=0.005),))


class Clips:
    """The test videos, each encoded the first time a test asks for it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.board = media.default_board(SECONDS)
        self.other_board = media.default_board(SECONDS, photos=OTHER_PHOTOS)

    def _write(self, name: str, board: media.Storyboard | None = None, **kwargs: object) -> Path:
        return media.write_video(self.folder / name, board or self.board, **kwargs)  # type: ignore[arg-type]

    @cached_property
    def base(self) -> Path:
        """320x240, 30 fps, H.264 in MP4: file1 of most comparisons."""
        return self._write("base.mp4")

    @cached_property
    def hevc(self) -> Path:
        return self._write("hevc.mkv", codec="libx265")

    @cached_property
    def vp9(self) -> Path:
        return self._write("vp9.mkv", codec="libvpx-vp9")

    @cached_property
    def mpeg4(self) -> Path:
        return self._write("mpeg4.avi", codec="mpeg4")

    @cached_property
    def low_quality(self) -> Path:
        return self._write("crf35.mp4", options={"crf": "35"})

    @cached_property
    def mostly_b_frames(self) -> Path:
        """16 non-reference B-frames between P-frames: skipping them leaves under 2 frames/s."""
        params = "bframes=16:b-adapt=0:b-pyramid=none"
        return self._write("mostly_b.mp4", options={"x264-params": params})

    @cached_property
    def resized(self) -> Path:
        return self._write("resized.mov", width=640, height=480)

    @cached_property
    def fps24(self) -> Path:
        return self._write("fps24.mp4", fps=24)

    @cached_property
    def trimmed(self) -> Path:
        """The base clip without its first two seconds."""
        return self._write("trimmed.mp4", start=2.0)

    @cached_property
    def first_second_cut(self) -> Path:
        """The base clip without its first second."""
        return self._write("first_second_cut.mp4", start=1.0)

    @cached_property
    def padded(self) -> Path:
        """Three seconds of other pictures, then the whole base clip."""
        return self._write("padded.mp4", self.other_board.cut(0.0, 3.0).then(self.board))

    @cached_property
    def padded_and_changed(self) -> Path:
        """Three seconds of other pictures, then the base clip with CHANGED replaced."""
        board = self.other_board.cut(0.0, 3.0).then(self.board.replaced(*CHANGED, "moon"))
        return self._write("padded_changed.mp4", board)

    @cached_property
    def other(self) -> Path:
        return self._write("other.mp4", self.other_board)

    @cached_property
    def partly_changed(self) -> Path:
        return self._write("partly.mp4", self.board.replaced(*CHANGED, "moon"))

    @cached_property
    def repeating(self) -> Path:
        """30 s of the default board: the same four shots, with the same motion, every 9 s."""
        return self._write("repeating.mp4", media.default_board(REPEATING_SECONDS))

    @cached_property
    def repeating_changed(self) -> Path:
        board = media.default_board(REPEATING_SECONDS).replaced(*REPEATING_CHANGED, "moon")
        return self._write("repeating_changed.mp4", board)

    @cached_property
    def slow_pan_start(self) -> Path:
        """Seconds 0-20 of one photo panned and zoomed slowly (frames 1 s apart look alike)."""
        return self._write("slow_pan_start.mp4", SLOW_PAN, end=20.0)

    @cached_property
    def slow_pan_end(self) -> Path:
        """Seconds 10-30 of the same slow pan: it overlaps the start by 10 s."""
        return self._write("slow_pan_end.mp4", SLOW_PAN, start=10.0)

    @cached_property
    def truncated_mp4(self) -> Path:
        """The first half of an MP4 whose index (moov) is written at the end."""
        return _first_half(self.base, self.folder / "truncated.mp4")

    @cached_property
    def truncated_mkv(self) -> Path:
        """The first half of an MKV: its header (and declared duration) survive."""
        return _first_half(self.hevc, self.folder / "truncated.mkv")

    @cached_property
    def random_bytes(self) -> Path:
        path = self.folder / "random.mp4"
        path.write_bytes(np.random.default_rng(7).bytes(200_000))
        return path

    @cached_property
    def audio_only(self) -> Path:
        return media.write_audio_only(self.folder / "audio_only.m4a")


def _first_half(source: Path, target: Path) -> Path:
    content = source.read_bytes()
    target.write_bytes(content[: len(content) // 2])
    return target


@pytest.fixture(scope="session")
def clips(tmp_path_factory: pytest.TempPathFactory) -> Clips:
    return Clips(tmp_path_factory.mktemp("video"))


def compare(a: Path, b: Path) -> Result:
    return engine.compare(a, b, Options(), progress=lambda _: None)


def test_it_is_the_registered_async_video_engine() -> None:
    assert get_engine("video") is engine
    assert (engine.media_type, engine.runs_async) == ("video", True)


def test_it_probes_container_facts_without_decoding_everything(clips: Clips) -> None:
    info = engine.probe(clips.base)

    assert (info.media_type, info.format, info.width, info.height) == ("video", "mp4", 320, 240)
    assert info.duration_s == pytest.approx(SECONDS, abs=0.1)
    assert info.extra["codec"] == "h264"
    assert info.extra["fps"] == pytest.approx(30)


@pytest.mark.parametrize(
    ("clip", "container", "codec"),
    [
        ("hevc", "mkv", "hevc"),
        ("vp9", "mkv", "vp9"),
        ("mpeg4", "avi", "mpeg4"),
        ("resized", "mov", "h264"),
    ],
)
def test_it_probes_other_containers_and_codecs(
    clips: Clips, clip: str, container: str, codec: str
) -> None:
    info = engine.probe(getattr(clips, clip))

    assert (info.format, info.extra["codec"]) == (container, codec)
    assert info.duration_s == pytest.approx(SECONDS, abs=0.2)


def test_it_scores_an_identical_copy_100(clips: Clips) -> None:
    result = compare(clips.base, clips.base)

    assert result.similarity == 100.0
    assert result.metrics["ssim"] == 1.0
    assert result.metrics["psnr"] == 100.0
    assert result.metrics["offset_s"] == 0.0
    assert result.metrics["timeline"] == [100.0] * int(SECONDS)
    assert len(result.segments) == 1
    assert result.segments[0]["source_start"] == 0.0
    assert result.segments[0]["source_end"] == pytest.approx(SECONDS, abs=0.1)
    assert result.changes == []
    assert (result.identical, result.summary) == (True, "No differences found.")


@pytest.mark.parametrize("clip", ["hevc", "vp9", "mpeg4", "low_quality"])
def test_it_scores_a_re_encoded_copy_high(clips: Clips, clip: str) -> None:
    result = compare(clips.base, getattr(clips, clip))

    assert HIGH <= result.similarity < 100.0
    assert 0.8 < result.metrics["ssim"] < 1.0
    assert abs(result.metrics["offset_s"]) <= 0.05
    assert result.changes == [] and result.identical is True  # codec noise is no change


def test_it_scores_a_resized_copy_high(clips: Clips) -> None:
    result = compare(clips.base, clips.resized)

    assert result.similarity >= HIGH
    assert (result.metrics["width_b"], result.metrics["height_b"]) == (640, 480)


def test_it_scores_a_copy_at_another_frame_rate_high(clips: Clips) -> None:
    result = compare(clips.base, clips.fps24)

    assert result.similarity >= HIGH
    assert (result.metrics["fps_a"], result.metrics["fps_b"]) == (30.0, 24.0)
    assert result.metrics["frames_compared"] > 5 * SECONDS


def test_it_finds_a_copy_with_a_trimmed_intro_at_its_offset(clips: Clips) -> None:
    result = compare(clips.base, clips.trimmed)

    # file2 plays the shared content 2 s earlier: file2's time = file1's + offset_s (as audio).
    assert result.metrics["offset_s"] == pytest.approx(-2.0, abs=0.05)
    assert result.similarity >= HIGH
    assert result.metrics["timeline"][:2] == [None, None]  # file2 has nothing at 0-2 s
    [segment] = result.segments
    assert segment["source_start"] == pytest.approx(2.0, abs=0.1)
    assert segment["target_start"] == pytest.approx(0.0, abs=0.1)
    assert segment["score"] >= 95
    [missing] = result.changes
    assert (missing["kind"], missing["magnitude"]) == ("removed", 1.0)
    assert missing["time"] == {
        "source_start": 0.0, "source_end": pytest.approx(2.0, abs=0.05),
        "target_start": None, "target_end": None,
    }  # fmt: skip
    assert result.summary == "seconds 0\u20132 of file1 are not in file2"
    assert result.identical is False


def test_it_says_a_copy_missing_its_first_second_is_not_identical(clips: Clips) -> None:
    result = compare(clips.base, clips.first_second_cut)

    assert result.similarity >= HIGH  # the same video, still a match...
    assert result.identical is False  # ...but something changed, and the answer says what
    [missing] = result.changes
    assert missing["kind"] == "removed"
    assert (missing["time"]["source_start"], missing["time"]["source_end"]) == (
        0.0,
        pytest.approx(1.0, abs=0.05),
    )
    assert result.summary == "seconds 0\u20131 of file1 are not in file2"


def test_it_finds_a_copy_with_extra_seconds_in_front(clips: Clips) -> None:
    result = compare(clips.base, clips.padded)

    assert result.metrics["offset_s"] == pytest.approx(3.0, abs=0.05)  # file2 plays it 3 s later
    assert result.metrics["aligned_similarity"] >= 95
    assert result.similarity >= HIGH
    [segment] = result.segments
    assert segment["target_start"] == pytest.approx(3.0, abs=0.1)
    [extra] = result.changes
    assert (extra["kind"], extra["magnitude"]) == ("added", 1.0)
    assert extra["time"] == {
        "source_start": None, "source_end": None,
        "target_start": 0.0, "target_end": pytest.approx(3.0, abs=0.05),
    }  # fmt: skip
    assert result.summary == "seconds 0\u20133 of file2 are not in file1"


def test_it_maps_a_replaced_range_to_file2s_time_when_file2_is_offset(clips: Clips) -> None:
    """file2 = three other seconds, then the base clip with seconds 3-5 replaced: the change is
    at 3-5 s in file1 and at 6-8 s in file2."""
    result = compare(clips.base, clips.padded_and_changed)

    assert result.metrics["offset_s"] == pytest.approx(3.0, abs=0.05)
    added, changed = result.changes  # in file1's time: file2's extra 3 s come first
    assert added["kind"] == "added" and added["time"]["target_start"] == 0.0
    assert changed["kind"] == "changed"
    assert changed["time"] == {
        "source_start": pytest.approx(3.0, abs=0.1), "source_end": pytest.approx(5.0, abs=0.1),
        "target_start": pytest.approx(6.0, abs=0.1), "target_end": pytest.approx(8.0, abs=0.1),
    }  # fmt: skip
    for segment in result.segments:
        assert segment["target_start"] == pytest.approx(segment["source_start"] + 3.0, abs=0.05)


def test_it_scores_different_content_low(clips: Clips) -> None:
    result = compare(clips.base, clips.other)

    assert result.similarity <= LOW
    assert result.segments == []
    assert result.metrics["offset_s"] == 0.0  # no shared content, so no alignment is claimed


def test_it_pinpoints_the_seconds_that_were_replaced(clips: Clips) -> None:
    result = compare(clips.base, clips.partly_changed)

    assert LOW < result.similarity < HIGH
    timeline = result.metrics["timeline"]
    changed = [second for second, score in enumerate(timeline) if score < LOW]
    assert changed == [3, 4]
    assert min(score for second, score in enumerate(timeline) if second not in changed) >= HIGH
    spans = [(s["source_start"], s["source_end"]) for s in result.segments]
    assert spans == [(0.0, pytest.approx(3.0, abs=0.1)), (pytest.approx(5.0, abs=0.1), 8.0)]
    [change] = result.changes
    assert change["kind"] == "changed"
    assert (change["time"]["source_start"], change["time"]["source_end"]) == (
        pytest.approx(3.0, abs=0.1),
        pytest.approx(5.0, abs=0.1),
    )
    assert change["magnitude"] > 1 - LOW / 100  # its frames score under LOW
    assert change["before"] is None and change["after"] is None
    assert result.summary == "seconds 3\u20135 differ"


def test_it_aligns_repeating_content_where_it_explains_most_of_both_files(clips: Clips) -> None:
    """The same shots every 9 s, seconds 12-16 replaced in file2. Shifted 18 s, the 12 s that
    still overlap agree perfectly (which fooled a mean correlation: offset -18, score 44); in
    place, 26 of the 30 s agree, and only 12-16 differ."""
    result = compare(clips.repeating, clips.repeating_changed)

    assert result.metrics["offset_s"] == 0.0
    assert result.metrics["coverage"] == 1.0
    assert 60 < result.similarity < 95
    timeline = result.metrics["timeline"]
    assert len(timeline) == REPEATING_SECONDS
    assert [second for second, score in enumerate(timeline) if score < LOW] == [12, 13, 14, 15]
    assert min(score for second, score in enumerate(timeline) if not 12 <= second < 16) >= HIGH
    [change] = result.changes
    assert (change["kind"], change["time"]["target_start"], change["time"]["target_end"]) == (
        "changed",
        pytest.approx(12.0, abs=0.1),
        pytest.approx(16.0, abs=0.1),
    )


def test_it_aligns_two_overlapping_excerpts_of_a_slow_pan_exactly(clips: Clips) -> None:
    """Frames of a slow pan 1.4 s apart still look alike: sliding there would overlap 14% longer,
    but the true offset, where the frames are the same, must win."""
    result = compare(clips.slow_pan_start, clips.slow_pan_end)

    assert result.metrics["offset_s"] == pytest.approx(-10.0, abs=0.05)
    assert result.metrics["aligned_similarity"] >= 95
    [segment] = result.segments
    assert (segment["source_start"], segment["target_start"]) == (
        pytest.approx(10.0, abs=0.1),
        pytest.approx(0.0, abs=0.1),
    )


def test_it_scores_excerpts_sharing_half_their_length_below_a_near_duplicate(clips: Clips) -> None:
    """The shared 10 s agree frame for frame, but each file has 10 s the other lacks: not the
    same video, so the score is scaled down from the agreement of the overlap."""
    result = compare(clips.slow_pan_start, clips.slow_pan_end)

    assert result.metrics["coverage"] == pytest.approx(0.5, abs=0.01)
    assert result.metrics["aligned_similarity"] >= 95
    assert LOW < result.similarity < HIGH


def test_it_reports_progress_rising_to_100_while_it_decodes(clips: Clips) -> None:
    reported: list[float] = []

    VideoEngine(poll_s=0.005).compare(clips.base, clips.hevc, Options(), reported.append)

    assert reported == sorted(reported)
    assert reported[0] == 0.0 and reported[-1] == 100.0
    decoding = [value for value in reported if 1.0 < value < 92.0]
    assert len(decoding) >= 3, reported


def test_it_draws_the_most_different_frame_pairs_into_a_png(clips: Clips) -> None:
    result = compare(clips.base, clips.partly_changed)

    [artifact] = result.artifacts
    assert (artifact.name, artifact.content_type) == ("diff.png", "image/png")
    image = Image.open(io.BytesIO(artifact.data))
    image.verify()
    assert image.format == "PNG"
    strip = cv2.imdecode(np.frombuffer(artifact.data, np.uint8), cv2.IMREAD_COLOR)
    height, width = strip.shape[:2]
    assert width > 3 * 320  # three panels: file1 | file2 | heat map
    assert height > 2 * 240  # several rows, one per moment


def test_the_strip_shows_only_changed_pairs_when_some_changed() -> None:
    times = np.arange(0.0, 6.0, 0.5)
    scores = np.full(times.size, 99.0)
    scores[4:8] = [3.0, 0.0, 5.0, 1.0]  # seconds 2-4 replaced
    scores[9] = 95.0
    assert [float(times[i]) for i in worst_rows(times, scores)] == [2.5, 3.5]


def test_the_strip_shows_the_lowest_pairs_when_none_changed() -> None:
    times = np.arange(0.0, 6.0, 0.5)
    scores = 99.0 - times  # a copy that degrades a little over time
    assert [float(times[i]) for i in worst_rows(times, scores)] == [2.5, 3.5, 4.5, 5.5]


def test_it_refuses_a_truncated_mp4(clips: Clips) -> None:
    with pytest.raises(UnreadableFile, match="file2"):
        compare(clips.base, clips.truncated_mp4)
    with pytest.raises(UnreadableFile):
        engine.probe(clips.truncated_mp4)


def test_it_refuses_a_truncated_mkv_whose_header_survived(clips: Clips) -> None:
    with pytest.raises(UnreadableFile, match="file1 looks truncated"):
        compare(clips.truncated_mkv, clips.base)


def test_it_names_the_file_that_failed_while_both_were_decoding(clips: Clips) -> None:
    with pytest.raises(UnreadableFile, match="file2 looks truncated"):
        compare(clips.base, clips.truncated_mkv)


@pytest.mark.parametrize("damage", [200, 2000])
def test_it_compares_or_refuses_a_file_with_damaged_bytes_but_never_crashes(
    clips: Clips, damage: int
) -> None:
    """Bytes overwritten in the middle: the decoder conceals what it can; too much is refused."""
    content = bytearray(clips.base.read_bytes())
    rng = np.random.default_rng(damage)
    for index in rng.integers(len(content) * 3 // 10, len(content) * 7 // 10, size=damage):
        content[index] = int(rng.integers(0, 256))
    damaged = clips.folder / f"damaged_{damage}.mp4"
    damaged.write_bytes(bytes(content))

    try:
        result = compare(clips.base, damaged)
    except UnreadableFile as error:
        assert "file2" in error.detail
    else:
        timeline = result.metrics["timeline"]
        assert timeline[0] >= HIGH  # before the damage the copy still matches
        assert min(score for score in timeline if score is not None) < HIGH


def test_it_refuses_random_bytes_named_mp4(clips: Clips) -> None:
    with pytest.raises(UnreadableFile):
        engine.probe(clips.random_bytes)
    with pytest.raises(UnreadableFile, match="file1"):
        compare(clips.random_bytes, clips.base)


def test_it_refuses_a_file_with_only_an_audio_stream(clips: Clips) -> None:
    with pytest.raises(UnreadableFile, match="no video stream"):
        engine.probe(clips.audio_only)


def test_it_refuses_a_still_image(clips: Clips) -> None:
    path = clips.folder / "still.png"
    cv2.imwrite(str(path), media.photo("astronaut"))

    with pytest.raises(UnreadableFile, match="still image"):
        engine.probe(path)


def test_it_keeps_only_small_grayscale_frames(clips: Clips) -> None:
    samples = Sampler(clips.resized, "file1", (160, 120)).run()

    assert samples.frames.dtype == np.uint8
    assert samples.frames.shape[1:] == (120, 160)
    assert len(samples.frames) <= SECONDS * 30
    assert np.all(np.diff(samples.times) > 0)


def test_it_decodes_every_frame_when_skipping_leaves_too_few(clips: Clips) -> None:
    samples = Sampler(clips.mostly_b_frames, "file2", (160, 120)).run()

    assert len(samples.times) >= 10 * SECONDS
    assert compare(clips.base, clips.mostly_b_frames).similarity >= HIGH


def test_it_folds_a_single_odd_frame_but_splits_runs_at_a_gap_in_file2() -> None:
    times = np.concatenate([np.arange(0, 3, 0.1), np.arange(5, 6, 0.1)])  # nothing at 3-5 s
    scores = np.full(len(times), 95.0)
    scores[10] = 0.0  # one bad frame at 1.0 s: codec noise, not a change

    found = runs(scores, times)

    assert [(times[r.first], times[r.last], r.matched) for r in found] == [
        (0.0, pytest.approx(2.9), True),
        (5.0, pytest.approx(5.9), True),
    ]


def test_it_computes_ssim_as_scikit_image_does() -> None:
    photo = cv2.cvtColor(skdata.astronaut(), cv2.COLOR_RGB2GRAY)
    x = cv2.resize(photo, (160, 120), interpolation=cv2.INTER_AREA)
    _, jpeg = cv2.imencode(".jpg", x, [cv2.IMWRITE_JPEG_QUALITY, 20])
    y = cv2.imdecode(jpeg, cv2.IMREAD_GRAYSCALE)

    ours = mean_ssim(ssim_maps(x[None].astype(np.float32), y[None].astype(np.float32)))[0]

    assert ours == pytest.approx(structural_similarity(x, y, data_range=255), abs=1e-4)


def test_it_warms_up_on_an_in_memory_clip() -> None:
    engine.warm_up()

    info = engine.probe(io.BytesIO(tiny_clip()))  # type: ignore[arg-type]

    assert (info.width, info.height) == (64, 48)
    assert info.duration_s == pytest.approx(1.0, abs=0.15)


def test_it_reports_a_delay_that_leaves_no_uncovered_end_as_one_shift() -> None:
    from comparisons.engines.video import segments as seg

    [shift] = seg.shifted(8.0, 8.15, 0.15)  # 0.15 s later: each uncovered end under 0.2 s

    assert shift["kind"] == "shifted"
    assert shift["time"] == {
        "source_start": 0.0, "source_end": 8.0, "target_start": 0.15, "target_end": 8.15,
    }  # fmt: skip
    assert shift["magnitude"] == round(1 - 7.85 / 8.15, 3)  # 1 - IoU of the two spans
    assert seg.shifted(8.0, 8.04, 0.04) == []  # a codec's timing, not a delay
    assert seg.shifted(8.0, 11.0, 3.0) == []  # the added first 3 s already say it
