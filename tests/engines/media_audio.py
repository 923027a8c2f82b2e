"""Real speech recordings for the audio engine's tests and benchmark.

espeak-ng speaks paragraphs of the licence texts Debian installs; PyAV re-encodes the result to the
formats users upload (MP3, AAC, FLAC, resampled stereo WAV) and numpy makes the edits a copy goes
through in real life (volume, noise, leading silence). Nothing here is a fixture: the test module
caches these per session.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
import wave
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from av.audio.stream import AudioStream

LICENSES = Path("/usr/share/common-licenses")
SPEECH_RATE = 22050  # what espeak-ng writes


def license_words(name: str, *, skip: int = 0, count: int = 170) -> str:
    """`count` words of a licence text after the first `skip`: a paragraph of real prose."""
    words = re.split(r"\s+", (LICENSES / name).read_text(encoding="utf-8").strip())
    return " ".join(words[skip : skip + count])


def speak(text: str, *, voice: str = "en-us", speed: int = 175) -> np.ndarray:
    """espeak-ng's recording of `text` as mono float32 samples at SPEECH_RATE."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "speech.wav"
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(out), text],
            check=True,
            capture_output=True,
        )
        return read_wav(out)


def read_wav(path: Path) -> np.ndarray:
    """Mono float32 samples of a 16-bit WAV (what espeak-ng writes)."""
    with wave.open(str(path), "rb") as wav:
        raw = wav.readframes(wav.getnframes())
        channels = wav.getnchannels()
    samples = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    return np.asarray(samples.reshape(-1, channels).mean(axis=1), dtype=np.float32)


def fit(samples: np.ndarray, seconds: float, rate: int = SPEECH_RATE) -> np.ndarray:
    """Cut or zero-pad to exactly `seconds`."""
    wanted = round(seconds * rate)
    if len(samples) >= wanted:
        return samples[:wanted].copy()
    return np.concatenate([samples, np.zeros(wanted - len(samples), np.float32)])


def with_volume(samples: np.ndarray, factor: float) -> np.ndarray:
    return (samples * factor).astype(np.float32)


def with_noise(samples: np.ndarray, snr_db: float, seed: int = 7) -> np.ndarray:
    """White noise at `snr_db` below the recording's own power."""
    power = float(np.mean(samples.astype(np.float64) ** 2))
    noise_power = power / (10 ** (snr_db / 10))
    noise = np.random.default_rng(seed).normal(0.0, np.sqrt(noise_power), len(samples))
    return np.clip(samples + noise, -1.0, 1.0).astype(np.float32)


def with_leading_silence(
    samples: np.ndarray, seconds: float, rate: int = SPEECH_RATE
) -> np.ndarray:
    return np.concatenate([np.zeros(round(seconds * rate), np.float32), samples])


# container format and codec per file suffix; ".aac" is raw ADTS, what many tools call "AAC"
FORMATS: dict[str, tuple[str, str]] = {
    ".wav": ("wav", "pcm_s16le"),
    ".mp3": ("mp3", "libmp3lame"),
    ".m4a": ("ipod", "aac"),
    ".aac": ("adts", "aac"),
    ".flac": ("flac", "flac"),
    ".ogg": ("ogg", "libopus"),
}


def encode(
    samples: np.ndarray,
    path: Path,
    *,
    rate: int = SPEECH_RATE,
    out_rate: int | None = None,
    channels: int = 1,
    bitrate: int = 128_000,
) -> Path:
    """Write mono float samples to `path` with PyAV, in the format its suffix names, optionally
    resampled to `out_rate` and spread over `channels` — the way a user's tool would export it."""
    container_format, codec = FORMATS[path.suffix]
    layout = "stereo" if channels == 2 else "mono"
    out_rate = out_rate or (48000 if codec == "libopus" else rate)
    with av.open(str(path), "w", format=container_format) as container:
        stream = container.add_stream(codec, rate=out_rate, layout=layout)
        assert isinstance(stream, AudioStream)  # for the type checker: codec is a str here
        if codec not in ("pcm_s16le", "flac"):
            stream.bit_rate = bitrate
        resampler = av.AudioResampler(
            format=stream.codec_context.format, layout=layout, rate=out_rate
        )
        for frame in _frames(samples, rate):
            for converted in resampler.resample(frame):
                container.mux(stream.encode(converted))
        for converted in resampler.resample(None):
            container.mux(stream.encode(converted))
        container.mux(stream.encode(None))
    return path


def _frames(samples: np.ndarray, rate: int, size: int = 4096) -> Iterator[av.AudioFrame]:
    """Mono float samples as PyAV frames of `size` samples with running timestamps."""
    for start in range(0, len(samples), size):
        chunk = np.ascontiguousarray(samples[start : start + size], dtype=np.float32)
        frame = av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format="flt", layout="mono")
        frame.sample_rate = rate
        frame.pts = start
        frame.time_base = Fraction(1, rate)
        yield frame


def video_only(path: Path, seconds: float = 1.0) -> Path:
    """An MP4 with one H.264 video stream and no audio: a real file the audio engine must refuse."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for index in range(round(seconds * 25)):
            image = np.full((48, 64, 3), index * 8 % 256, np.uint8)
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def truncated(source: Path, path: Path, keep: float = 0.4) -> Path:
    """The first `keep` of `source`'s bytes, as an interrupted download leaves a file."""
    data = source.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def corrupted(source: Path, path: Path, seed: int = 3) -> Path:
    """`source` with its header and a stretch of its payload overwritten by random bytes."""
    data = bytearray(source.read_bytes())
    rng = np.random.default_rng(seed)
    data[:512] = rng.integers(0, 256, 512, dtype=np.uint8).tobytes()
    path.write_bytes(bytes(data))
    return path


def write_bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def header_only_wav(path: Path) -> Path:
    """A valid WAV header announcing no samples at all."""
    path = path.with_suffix(".wav")
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(SPEECH_RATE)
        wav.writeframes(b"")
    return path


def empty_matroska_audio(path: Path) -> Path:
    """A Matroska file with a FLAC audio track that holds no frames."""
    path = path.with_suffix(".mka")
    with av.open(str(path), "w", format="matroska") as container:
        stream = container.add_stream("flac", rate=SPEECH_RATE, layout="mono")
        container.mux(stream.encode(None))
    return path
