"""Audio calibration pairs: espeak-ng reading licence texts in three voices, file1 a 16-bit WAV,
file2 made from it the way copies are made in real life (PyAV re-encodes, numpy edits) - or other
speech by the same voice, which must not match."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from tests.calibration import Kind, Pair
from tests.engines import media_audio as media

SECONDS = 20.0
RATE = media.SPEECH_RATE


@dataclass(frozen=True)
class Source:
    """One speaker reading one passage, and the same speaker reading another."""

    name: str
    voice: str
    text: tuple[str, int]  # licence, words skipped
    other: tuple[str, int]


SOURCES = (
    Source("GPL-3, en-us", "en-us", ("GPL-3", 0), ("GPL-3", 2000)),
    Source("Apache-2.0, en-gb-scotland", "en-gb-scotland", ("Apache-2.0", 40), ("MPL-2.0", 100)),
    Source("GPL-2, en-us+f3", "en-us+f3", ("GPL-2", 300), ("Artistic", 50)),
)


@cache
def _speech(voice: str, licence: str, skip: int) -> np.ndarray:
    words = media.license_words(licence, skip=skip, count=int(SECONDS * 3.2))
    return media.fit(media.speak(words, voice=voice), SECONDS)


def speech(source: Source) -> np.ndarray:
    return _speech(source.voice, *source.text)


def other_speech(source: Source) -> np.ndarray:
    return _speech(source.voice, *source.other)


def active_power(samples: np.ndarray) -> float:
    """Mean power of the 10 ms blocks within 30 dB of the loudest: the speech, not its pauses
    (ITU-T P.56's "active speech level", simplified), so a pause-rich file gets no easier SNR."""
    block = RATE // 100
    blocks = samples[: len(samples) // block * block].astype(np.float64).reshape(-1, block)
    power = np.mean(blocks**2, axis=1)
    return float(power[power >= power.max() / 1000].mean())


def noise(length: int, colour: str, seed: int) -> np.ndarray:
    """Unit-power Gaussian noise, white (flat) or pink (-3 dB per octave)."""
    white = np.random.default_rng(seed).normal(size=length)
    if colour == "white":
        return white
    spectrum = np.fft.rfft(white)
    frequency = np.fft.rfftfreq(length)
    spectrum[1:] /= np.sqrt(frequency[1:] / frequency[1])
    pink = np.fft.irfft(spectrum, length)
    return np.asarray(pink / pink.std())


def with_noise(samples: np.ndarray, snr_db: float, colour: str, seed: int = 11) -> np.ndarray:
    scale = np.sqrt(active_power(samples) / 10 ** (snr_db / 10))
    noisy = samples + scale * noise(len(samples), colour, seed)
    return np.asarray(np.clip(noisy, -1.0, 1.0), dtype=np.float32)


def _pairs(make_b: Callable[[Source, Path], Path]) -> Callable[[Path], list[Pair]]:
    def make(folder: Path) -> list[Pair]:
        pairs = []
        for n, source in enumerate(SOURCES):
            here = folder / str(n)
            here.mkdir(parents=True, exist_ok=True)
            a = here / "original.wav"
            if not a.exists():
                media.encode(speech(source), a)
            pairs.append(Pair(source.name, a, make_b(source, here)))
        return pairs

    return make


def _made(path: Path, write: Callable[[Path], Path]) -> Path:
    """`path`, written once (the benchmark keeps its folder between runs)."""
    if not path.exists():
        partial = path.with_name(f"partial_{path.name}")
        write(partial)
        partial.rename(path)
    return path


def encoded(suffix: str, **options: int) -> Callable[[Source, Path], Path]:
    def make(source: Source, folder: Path) -> Path:
        return _made(folder / f"copy{suffix}", lambda p: media.encode(speech(source), p, **options))

    return make


def edited(name: str, edit: Callable[[Source], np.ndarray]) -> Callable[[Source, Path], Path]:
    def make(source: Source, folder: Path) -> Path:
        return _made(folder / f"{name}.wav", lambda p: media.encode(edit(source), p))

    return make


def _half_replaced(source: Source) -> np.ndarray:
    half = len(speech(source)) // 2
    return np.concatenate([speech(source)[:half], other_speech(source)[half:]])


def _loudest(samples: np.ndarray) -> np.ndarray:
    return (samples * (0.99 / float(np.abs(samples).max()))).astype(np.float32)


def noisy(snr_db: float, colour: str) -> Callable[[Source, Path], Path]:
    return edited(f"{colour}{snr_db:g}", lambda s: with_noise(speech(s), snr_db, colour))


def _kind(name: str, same: bool, make_b: Callable[[Source, Path], Path]) -> Kind:
    return Kind("audio", name, same, _pairs(make_b))


KINDS = [
    _kind("MP3 128 kbit/s, 44.1 kHz stereo", True, encoded(".mp3", out_rate=44_100, channels=2)),
    _kind("MP3 64 kbit/s", True, encoded(".mp3", bitrate=64_000)),
    _kind("AAC (M4A) 96 kbit/s", True, encoded(".m4a", bitrate=96_000)),
    _kind("AAC (ADTS) 48 kbit/s", True, encoded(".aac", bitrate=48_000)),
    _kind("Opus 32 kbit/s", True, encoded(".ogg", bitrate=32_000)),
    _kind("volume -12 dB", True, edited("quiet", lambda s: media.with_volume(speech(s), 0.25))),
    _kind("volume normalised to full scale", True, edited("loud", lambda s: _loudest(speech(s)))),
    _kind(
        "leading offset 2.5 s",
        True,
        edited("late", lambda s: media.with_leading_silence(speech(s), 2.5)),
    ),
    _kind("white noise, 25 dB SNR", True, noisy(25, "white")),
    _kind("white noise, 20 dB SNR", True, noisy(20, "white")),
    _kind("pink noise, 20 dB SNR", True, noisy(20, "pink")),
    _kind("white noise, 10 dB SNR", True, noisy(10, "white")),  # the margin below 20 dB
    _kind("other sentence, same speaker", False, edited("other", other_speech)),
    _kind("second half replaced by other speech", False, edited("half", _half_replaced)),
]
