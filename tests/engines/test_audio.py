"""The audio engine on real speech: espeak-ng reading licence texts, re-encoded to MP3, AAC
(M4A and raw ADTS), FLAC and Opus, resampled to 44.1 kHz stereo, made quieter, noisier and later
- and the same voice reading other words, and a file that shares only its first half. Broken
files must be refused with UnreadableFile and nothing else."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import librosa
import numpy as np
import pytest

from comparisons.engines import MediaInfo, Options, Result, UnreadableFile, get_engine
from comparisons.engines.audio import engine
from comparisons.engines.audio.render import MATCHED, UNMATCHED
from tests.engines import media_audio as media

HIGH, LOW = 85.0, 40.0
SECONDS = 60.0
HALF = SECONDS / 2
LEAD_IN = 1.5


@dataclass(frozen=True)
class Recordings:
    folder: Path
    speech: np.ndarray  # ~60 s of one paragraph, mono float at media.SPEECH_RATE
    original: Path  # that speech as 16-bit WAV: file1 of most comparisons
    other_words: Path  # the same voice reading another licence
    half_shared: Path  # the first half of `speech`, then the other words' second half

    @property
    def clip(self) -> np.ndarray:
        """The first 10 s: enough to break or probe, and quick to encode."""
        return self.speech[: 10 * media.SPEECH_RATE]


@pytest.fixture(scope="session")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> Recordings:
    folder = tmp_path_factory.mktemp("audio")
    speech = media.fit(media.speak(media.license_words("GPL-3", count=175)), SECONDS)
    other = media.fit(media.speak(media.license_words("Apache-2.0", skip=40, count=175)), SECONDS)
    half = round(HALF * media.SPEECH_RATE)
    return Recordings(
        folder=folder,
        speech=speech,
        original=media.encode(speech, folder / "original.wav"),
        other_words=media.encode(other, folder / "other_words.wav"),
        half_shared=media.encode(
            np.concatenate([speech[:half], other[half:]]), folder / "half_shared.wav"
        ),
    )


@pytest.fixture(scope="session")
def warm() -> None:
    """What a worker does at start: later comparisons do not pay for numba compilation."""
    engine.warm_up()


def compare(a: Path, b: Path, progress: Callable[[float], None] = lambda _: None) -> Result:
    return engine.compare(a, b, Options(), progress)


def covered(segments: list[dict[str, float]], side: str, start: float, end: float) -> float:
    """Seconds of [start, end] that the segments' `side` ("source" or "target") ranges cover."""
    return sum(
        max(0.0, min(end, s[f"{side}_end"]) - max(start, s[f"{side}_start"])) for s in segments
    )


# --- the same recording, however it was exported ----------------------------------------------


def test_it_is_the_registered_async_audio_engine() -> None:
    assert get_engine("audio") is engine
    assert (engine.media_type, engine.runs_async) == ("audio", True)


def test_it_scores_the_same_file_100_with_one_segment_over_all_of_it(
    recordings: Recordings, warm: None
) -> None:
    result = compare(recordings.original, recordings.original)

    assert result.similarity >= 99.5
    assert result.changes == []
    assert (result.identical, result.summary) == (True, "No differences found.")
    assert result.metrics["offset_s"] == 0.0
    assert result.metrics["matched_ratio"] == 1.0
    assert len(result.segments) == 1
    assert covered(result.segments, "source", 0, SECONDS) >= SECONDS - 0.5
    json.dumps([result.metrics, result.segments, result.changes])  # what the API will serialise


# name -> how file2 is made from the speech (file1 is always the 22.05 kHz mono WAV)
COPIES: dict[str, Callable[[np.ndarray, Path], Path]] = {
    "mp3_128k": lambda speech, folder: media.encode(speech, folder / "copy.mp3"),
    "aac_m4a": lambda speech, folder: media.encode(speech, folder / "copy.m4a"),
    "aac_adts_96k": lambda speech, folder: media.encode(
        speech, folder / "copy.aac", bitrate=96_000
    ),
    "flac": lambda speech, folder: media.encode(speech, folder / "copy.flac"),
    "opus_ogg": lambda speech, folder: media.encode(speech, folder / "copy.ogg", bitrate=64_000),
    "wav_44k_stereo": lambda speech, folder: media.encode(
        speech, folder / "copy_44k.wav", out_rate=44_100, channels=2
    ),
    "mp3_44k_stereo": lambda speech, folder: media.encode(
        speech, folder / "copy_44k.mp3", out_rate=44_100, channels=2
    ),
    "half_volume": lambda speech, folder: media.encode(
        media.with_volume(speech, 0.5), folder / "quiet.wav"
    ),
    "noise_30db": lambda speech, folder: media.encode(
        media.with_noise(speech, 30.0), folder / "noisy.wav"
    ),
}


@pytest.fixture(scope="session")
def copies(recordings: Recordings) -> Callable[[str], Path]:
    """The copy named in COPIES, made once per session (AAC encoding takes ~1 s a minute)."""
    made: dict[str, Path] = {}

    def copy(name: str) -> Path:
        if name not in made:
            folder = recordings.folder / name
            folder.mkdir()
            made[name] = COPIES[name](recordings.speech, folder)
        return made[name]

    return copy


@pytest.mark.parametrize("name", COPIES)
def test_it_scores_a_re_exported_copy_high(
    recordings: Recordings, copies: Callable[[str], Path], warm: None, name: str
) -> None:
    result = compare(recordings.original, copies(name))

    assert result.similarity >= HIGH, result.metrics
    assert abs(result.metrics["offset_s"]) < 0.1  # encoder priming is tens of milliseconds
    assert result.changes == [] and result.identical is True  # codec noise is no change
    assert covered(result.segments, "source", 0, SECONDS) >= 0.95 * SECONDS
    assert result.metrics["mfcc_similarity"] >= 0.9


def test_it_reports_what_each_file_is(
    recordings: Recordings, copies: Callable[[str], Path], warm: None
) -> None:
    metrics = compare(recordings.original, copies("mp3_44k_stereo")).metrics

    assert (metrics["codec_a"], metrics["sample_rate_a"], metrics["channels_a"]) == (
        "pcm_s16le",
        media.SPEECH_RATE,
        1,
    )
    assert (metrics["codec_b"], metrics["sample_rate_b"], metrics["channels_b"]) == (
        "mp3float",
        44_100,
        2,
    )
    assert metrics["duration_a"] == pytest.approx(SECONDS, abs=0.01)
    assert metrics["duration_b"] == pytest.approx(SECONDS, abs=0.1)


def test_it_finds_a_copy_that_starts_late_and_reports_the_offset(
    recordings: Recordings, warm: None
) -> None:
    late = media.encode(
        media.with_leading_silence(recordings.speech, LEAD_IN), recordings.folder / "late.wav"
    )

    result = compare(recordings.original, late)

    assert result.similarity >= HIGH
    assert result.metrics["offset_s"] == pytest.approx(LEAD_IN, abs=0.05)
    longest = max(result.segments, key=lambda s: s["source_end"] - s["source_start"])
    assert longest["target_start"] - longest["source_start"] == pytest.approx(LEAD_IN, abs=0.1)
    [delay] = result.changes  # the same audio, still a match, but not identical: it plays later
    assert delay["kind"] == "shifted"
    moved = delay["time"]["target_start"] - delay["time"]["source_start"]
    assert moved == pytest.approx(LEAD_IN, abs=0.1)
    assert 0 < delay["magnitude"] < 0.1  # 1.5 s of a minute
    assert result.summary.startswith("file2 plays 1.5") and result.summary.endswith(" s later")
    # and the other way round: file1 is the late one, so file2 plays it earlier
    assert compare(late, recordings.original).metrics["offset_s"] == pytest.approx(
        -LEAD_IN, abs=0.05
    )


# --- different audio ---------------------------------------------------------------------------


def test_it_scores_other_words_by_the_same_voice_low(recordings: Recordings, warm: None) -> None:
    result = compare(recordings.original, recordings.other_words)

    assert result.similarity <= LOW, result.metrics
    assert covered(result.segments, "source", 0, SECONDS) < 5.0
    # Why the score must come from alignment: the mean-MFCC cosine calls these the same.
    assert _mean_mfcc_cosine(recordings.original, recordings.other_words) > 0.95


def _mean_mfcc_cosine(a: Path, b: Path) -> float:
    means = []
    for path in (a, b):
        samples = media.read_wav(path)
        means.append(librosa.feature.mfcc(y=samples, sr=media.SPEECH_RATE).mean(axis=1))
    return float(np.dot(means[0], means[1]) / np.linalg.norm(means[0]) / np.linalg.norm(means[1]))


def test_it_scores_a_half_shared_file_in_between_and_says_which_half(
    recordings: Recordings, warm: None
) -> None:
    result = compare(recordings.original, recordings.half_shared)

    assert LOW < result.similarity < HIGH
    assert 35.0 <= result.similarity <= 65.0
    for side in ("source", "target"):
        assert covered(result.segments, side, 0, HALF) >= HALF - 1.5
        assert covered(result.segments, side, HALF + 1.0, SECONDS) == 0.0
    # the second halves say other words at the same moment: changed, not removed and added
    assert {c["kind"] for c in result.changes} == {"changed"}
    spans = [c["time"] for c in result.changes]
    assert min(span["source_start"] for span in spans) >= HALF - 1.0
    assert covered(spans, "source", HALF, SECONDS) >= 0.8 * HALF  # pauses are left out
    assert covered(spans, "target", HALF, SECONDS) >= 0.8 * HALF
    assert all(c["magnitude"] == 1.0 for c in result.changes)


def test_it_finds_a_replaced_middle_as_two_segments_around_one_change(
    recordings: Recordings, warm: None
) -> None:
    rate, other = media.SPEECH_RATE, media.read_wav(recordings.other_words)
    spliced = recordings.speech.copy()
    spliced[25 * rate : 30 * rate] = other[25 * rate : 30 * rate]  # seconds 25-30 say other words
    path = media.encode(spliced, recordings.folder / "spliced.wav")

    result = compare(recordings.original, path)

    assert result.similarity >= 80.0
    assert [(round(s["source_start"]), round(s["source_end"])) for s in result.segments] == [
        (0, 25),
        (30, 60),
    ]
    [changed] = result.changes
    assert changed["kind"] == "changed"
    where = changed["time"]
    assert (round(where["source_start"]), round(where["source_end"])) == (25, 30)
    assert (round(where["target_start"]), round(where["target_end"])) == (25, 30)
    assert result.summary.startswith("seconds 2") and result.summary.endswith(" differ")


def test_it_says_a_copy_missing_its_first_second_is_not_identical(
    recordings: Recordings, warm: None
) -> None:
    cut = media.encode(recordings.speech[media.SPEECH_RATE :], recordings.folder / "cut.wav")

    result = compare(recordings.original, cut)

    assert result.similarity >= HIGH and result.identical is False
    [missing] = result.changes  # the delay it causes is said by the removed second, not twice
    assert (missing["kind"], missing["magnitude"]) == ("removed", 1.0)
    assert missing["time"]["source_start"] == 0.0
    assert missing["time"]["source_end"] == pytest.approx(1.0, abs=0.1)
    assert missing["time"]["target_start"] is None
    assert (
        result.summary.startswith("seconds 0\u20131")
        and "of file1 are not in file2" in result.summary
    )


def test_it_reports_shared_audio_under_loud_noise_as_changed(
    recordings: Recordings, warm: None
) -> None:
    noisy = media.encode(media.with_noise(recordings.speech, 20.0), recordings.folder / "n20.wav")

    result = compare(recordings.original, noisy)

    assert result.identical is False
    changed = [c for c in result.changes if c["kind"] == "changed"]
    assert covered([c["time"] for c in changed], "source", 0, SECONDS) >= 0.9 * SECONDS
    assert all(0 < c["magnitude"] < 0.5 for c in changed)  # the same words, with noise


def test_it_finds_a_half_second_clip_inside_a_minute(recordings: Recordings, warm: None) -> None:
    rate = media.SPEECH_RATE
    clip = media.encode(recordings.speech[5 * rate : int(5.5 * rate)], recordings.folder / "c.wav")

    assert compare(clip, clip).similarity == 100.0
    (segment,) = compare(recordings.original, clip).segments
    assert segment["source_start"] == pytest.approx(5.0, abs=0.1)
    assert segment["target_end"] == pytest.approx(0.5, abs=0.1)


def test_it_calls_silence_the_same_as_silence_and_nothing_like_speech(
    recordings: Recordings, warm: None
) -> None:
    silence = media.encode(np.zeros(5 * media.SPEECH_RATE, np.float32), recordings.folder / "s.wav")

    assert compare(silence, silence).similarity == 100.0
    assert compare(recordings.original, silence).similarity == 0.0


def test_it_draws_the_unmatched_half_red_and_the_shared_half_green(
    recordings: Recordings, warm: None
) -> None:
    result = compare(recordings.original, recordings.half_shared)

    (artifact,) = result.artifacts
    assert (artifact.name, artifact.content_type) == ("diff.png", "image/png")
    assert artifact.data.startswith(b"\x89PNG\r\n\x1a\n")
    image = cv2.imdecode(np.frombuffer(artifact.data, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None and image.shape[1] == 1200
    width = image.shape[1]
    first_half, second_half = image[:, : width // 2], image[:, width // 2 + 40 :]
    assert _has_colour(first_half, MATCHED) and not _has_colour(first_half, UNMATCHED)
    assert _has_colour(second_half, UNMATCHED) and not _has_colour(second_half, MATCHED)


def _has_colour(image: np.ndarray, colour: tuple[int, int, int]) -> bool:
    return bool((image == np.array(colour, np.uint8)).all(axis=2).sum() > 500)


def test_it_reports_rising_progress_from_0_to_100(recordings: Recordings, warm: None) -> None:
    seen: list[float] = []

    compare(recordings.original, recordings.other_words, seen.append)

    assert seen[0] == 0.0 and seen[-1] == 100.0
    assert seen == sorted(seen)
    assert len({round(value) for value in seen}) >= 4  # decode, features, alignment, done


def test_it_compiles_nothing_per_job_after_warm_up(recordings: Recordings, warm: None) -> None:
    """numba compiles a kernel on its first call with each argument type (seconds per kernel):
    warm_up must have met every kernel a comparison calls, with the same types."""
    before = _compiled_kernels()

    compare(recordings.original, recordings.half_shared)

    assert _compiled_kernels() == before
    assert sum(before.values()) >= 2  # the DTW kernels at least: the check is not vacuous


def _compiled_kernels() -> dict[str, int]:
    """Compiled signatures of every numba kernel librosa has defined so far."""
    from numba.core.dispatcher import Dispatcher

    return {
        f"{name}.{attribute}": len(value.signatures)
        for name, module in list(sys.modules.items())
        if name.startswith("librosa") and module is not None
        for attribute, value in vars(module).items()
        if isinstance(value, Dispatcher)
    }


# --- files that cannot be compared -------------------------------------------------------------


@dataclass(frozen=True)
class Broken:
    name: str
    make: Callable[[Recordings, Path], Path]


def _random_bytes(folder: Path) -> Path:
    path = folder / "noise.mp3"
    path.write_bytes(np.random.default_rng(5).integers(0, 256, 60_000, dtype=np.uint8).tobytes())
    return path


def _encoded(recordings: Recordings, folder: Path, suffix: str) -> Path:
    return media.encode(recordings.clip, folder / f"whole{suffix}")


BROKEN = [
    Broken("truncated_mp3", lambda r, f: media.truncated(_encoded(r, f, ".mp3"), f / "cut.mp3")),
    Broken("truncated_m4a", lambda r, f: media.truncated(_encoded(r, f, ".m4a"), f / "cut.m4a")),
    Broken("truncated_flac", lambda r, f: media.truncated(_encoded(r, f, ".flac"), f / "cut.flac")),
    Broken("truncated_wav", lambda r, f: media.truncated(r.original, f / "cut.wav")),
    Broken("corrupt_wav", lambda r, f: media.corrupted(r.original, f / "bad.wav")),
    Broken("corrupt_m4a", lambda r, f: media.corrupted(_encoded(r, f, ".m4a"), f / "bad.m4a")),
    Broken("corrupt_flac", lambda r, f: media.corrupted(_encoded(r, f, ".flac"), f / "bad.flac")),
    Broken("random_bytes", lambda r, f: _random_bytes(f)),
    Broken("zero_bytes", lambda r, f: media.write_bytes(f / "empty.wav", b"")),
]


@pytest.mark.parametrize("broken", BROKEN, ids=lambda b: b.name)
def test_it_refuses_a_broken_file_with_unreadable_file_only(
    recordings: Recordings, warm: None, broken: Broken
) -> None:
    folder = recordings.folder / broken.name
    folder.mkdir(exist_ok=True)
    path = broken.make(recordings, folder)

    with pytest.raises(UnreadableFile):
        engine.probe(path)
    with pytest.raises(UnreadableFile) as refused:
        compare(recordings.original, path)
    assert refused.value.detail.startswith("file2: ")
    assert refused.value.retry is False


def test_it_refuses_a_video_without_sound_at_probe(recordings: Recordings) -> None:
    video = media.video_only(recordings.folder / "silent_film.mp4")

    with pytest.raises(UnreadableFile, match="no audio track"):
        engine.probe(video)


@pytest.mark.parametrize("make", [media.header_only_wav, media.empty_matroska_audio])
def test_it_refuses_an_empty_container_at_probe(
    recordings: Recordings, make: Callable[[Path], Path]
) -> None:
    path = make(recordings.folder / f"{make.__name__}")

    with pytest.raises(UnreadableFile):
        engine.probe(path)


def test_it_refuses_audio_far_longer_than_the_limit(recordings: Recordings, warm: None) -> None:
    long = np.tile(recordings.speech, 3)  # 3 minutes: submit refuses these; the engine too
    path = media.encode(long, recordings.folder / "three_minutes.wav")

    assert engine.probe(path).duration_s == pytest.approx(3 * SECONDS, abs=0.1)
    with pytest.raises(UnreadableFile, match="longer than"):
        compare(recordings.original, path)


# --- probing ------------------------------------------------------------------------------------


def test_it_probes_codec_rate_channels_and_duration_from_the_container(
    recordings: Recordings,
) -> None:
    path = media.encode(
        recordings.clip, recordings.folder / "probe.m4a", out_rate=44_100, channels=2
    )

    info = engine.probe(path)

    assert isinstance(info, MediaInfo)
    assert (info.media_type, info.format) == ("audio", "m4a")
    assert info.duration_s == pytest.approx(10.0, abs=0.1)
    assert info.extra == {"codec": "aac", "sample_rate": 44_100, "channels": 2}


def test_it_probes_without_loading_librosa(recordings: Recordings) -> None:
    """The web process probes uploads: it must not pay for librosa, numba or OpenCV."""
    script = (
        "import sys; from pathlib import Path; from comparisons.engines.audio import engine; "
        f"engine.probe(Path({str(recordings.original)!r})); "
        "print(sorted(m for m in ('librosa', 'numba', 'cv2') if m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", script], check=True, capture_output=True, text=True, cwd=root
    ).stdout
    assert out.strip() == "[]"
