"""MFCC frames and their alignment: which stretch of one recording is which stretch of the other.

Why not the mean MFCC of each file: it describes the voice and the microphone, not the words, so
two different sentences by one speaker come out near-identical. What identifies the *same*
recording is a long run of frames that match one after another at a constant offset. So:

1. a sub-frame pre-alignment from the loudness envelopes (codec priming and leading silence shift
   a copy by a fraction of a frame, which alone costs ~15% of frame similarity),
2. per-frame MFCCs (log-mel, loudness-normalised, steady noise subtracted and both files floored
   at the louder noise floor, cepstral-mean removed, unit length),
3. the frame-to-frame cosine matrix averaged along its diagonals over one second, so only runs
   that keep matching at one offset score high (a lucky vowel-to-vowel pair does not),
4. dynamic time warping (librosa) through that matrix, which finds the matched runs however the
   files are offset, trimmed or spliced, in order.
"""

from __future__ import annotations

from dataclasses import dataclass

import librosa
import numpy as np
import numpy.typing as npt
import scipy.signal

from comparisons.engines.audio.decode import RATE

Floats = npt.NDArray[np.float32]
Bools = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.intp]

N_FFT = 2048  # 128 ms windows, half overlapping: a copy shifted by a few ms reads the same
# 64 ms frames: 940 a minute, so a 60 s x 60 s alignment has 0.9 M cells (~20 ms of DTW). 32 ms
# frames scored the same on every test pair here at four times the alignment cost.
HOP = 1024
FRAME_S = HOP / RATE
N_MELS = 40
N_MFCC = 20  # coefficient 0 (loudness) is dropped: volume must not matter
LOG_FLOOR_DB = 60.0  # log-mel floor below the file's peak: hides codec hiss
# Steady noise (hiss, hum, a fan) is measured and taken out before frames are compared; see
# `features`. Calibrated on espeak-ng speech under white and pink noise (tests/calibration):
# before, a copy under white noise at 20 dB SNR scored 78-86, now 99.
NOISE_PERCENTILE = 10.0  # the quietest 10% of frames, per band, are the noise floor
OVER_SUBTRACT = 1.5  # subtract 1.5 x the floor: what stays of noise-only frames is ~nothing
MIN_DYNAMIC_DB = 8.0  # a file whose loud frames are not this far above its quiet ones has no pauses
SOUND_OVER_FLOOR_DB = 3.0  # a frame must rise this far above the noise floor to carry sound
SILENCE_BELOW_PEAK_DB = 35.0  # quieter frames than this carry no words
SILENCE_DBFS = -70.0  # and anything this quiet is silence even in a quiet file
WINDOW_S = 1.0  # a match must hold for about a second to count
ENVELOPE_BLOCK = 80  # 5 ms loudness blocks for the sub-frame pre-alignment
# librosa's own Hann window is float64, which makes every FFT double precision; in float32 the
# STFT takes half the time (4.4 ms against 9 for a minute here) and its magnitudes move by under
# 1e-5 of the peak, which no score shows.
HANN = scipy.signal.get_window("hann", N_FFT, fftbins=True).astype(np.float32)


@dataclass(frozen=True)
class Features:
    vectors: Floats  # (frames, N_MFCC - 1), unit length; zero on silent frames
    silent: Bools  # (frames,)
    start_s: float  # time in the file of frame 0's start (a copy may be shifted by < 1 frame)
    end_s: float  # time in the file of the last sample: the last frame may run past it

    @property
    def frames(self) -> int:
        return len(self.silent)


def sub_frame_shift(a: Floats, b: Floats) -> int:
    """Samples to drop from the start of `b` so that, if `b` is `a` delayed by any amount, the
    delay becomes a whole number of frames. The delay comes from cross-correlating loudness
    envelopes at 5 ms resolution (FFT, a couple of ms for a minute of audio)."""
    envelope_a, envelope_b = _envelope(a), _envelope(b)
    if len(envelope_a) == 0 or len(envelope_b) == 0:
        return 0
    correlation = scipy.signal.correlate(envelope_b, envelope_a, mode="full", method="fft")
    lag_blocks = int(np.argmax(correlation)) - (len(envelope_a) - 1)
    return (lag_blocks * ENVELOPE_BLOCK) % HOP


def _envelope(samples: Floats) -> npt.NDArray[np.float64]:
    blocks = len(samples) // ENVELOPE_BLOCK
    power = np.square(samples[: blocks * ENVELOPE_BLOCK], dtype=np.float64)
    level: npt.NDArray[np.float64] = 10 * np.log10(
        power.reshape(blocks, ENVELOPE_BLOCK).mean(axis=1) + 1e-12
    )
    if blocks == 0:
        return level
    level = np.maximum(level, level.max() - 50.0)  # ignore the depth of silences
    return np.asarray(level - level.mean(), dtype=np.float64)


@dataclass(frozen=True)
class Spectrum:
    """One file's mel power spectrogram: the half of the features each file computes alone."""

    mel: Floats  # (N_MELS, frames) power, scaled so that the loudest cell is 1
    rms_dbfs: Floats  # (frames,) loudness in dB below full scale
    start_s: float
    end_s: float


def spectrum(samples: Floats, start_s: float = 0.0) -> Spectrum:
    """The mel power of a mono RATE signal."""
    end_s = start_s + len(samples) / RATE
    if len(samples) < N_FFT:  # shorter than one window: pad so it still has a frame
        samples = np.pad(samples, (0, N_FFT - len(samples)))
    magnitude = np.abs(librosa.stft(samples, n_fft=N_FFT, hop_length=HOP, window=HANN))
    mel = librosa.feature.melspectrogram(
        S=magnitude**2, sr=RATE, n_fft=N_FFT, n_mels=N_MELS, fmin=60.0, fmax=7600.0
    )
    rms = librosa.feature.rms(S=magnitude, frame_length=N_FFT)[0]
    return Spectrum(
        mel=np.asarray(mel / max(float(mel.max()), 1e-20), dtype=np.float32),
        rms_dbfs=np.asarray(20 * np.log10(rms + 1e-10), dtype=np.float32),
        start_s=start_s,
        end_s=end_s,
    )


def features(a: Spectrum, b: Spectrum) -> tuple[Features, Features]:
    """MFCC frames of both files, compared on what is audible in both: each file's steady noise
    floor is subtracted, then both are floored, band by band, at the higher of the two floors.
    A band that hiss masks in one copy is masked in the other too, so a clean recording and the
    same recording under 20 dB of noise read the same; a clean file pays nothing for this."""
    noise_a, noise_b = noise_floor(a), noise_floor(b)
    floor = np.maximum(np.maximum(noise_a, noise_b), np.float32(10 ** (-LOG_FLOOR_DB / 10)))
    return normalise(_mfcc(a, noise_a, floor), _mfcc(b, noise_b, floor))


def noise_floor(s: Spectrum) -> Floats:
    """Per band, the power of the file's quietest frames (NOISE_PERCENTILE): in speech, the
    pauses, i.e. the hiss or hum under everything. A file without pauses (a tone, a drone, noise
    alone: its loud frames are not MIN_DYNAMIC_DB above its quiet ones) has no floor to find -
    its quietest frames are its content - and gets none (zeros)."""
    energy = s.mel.sum(axis=0)
    quiet, loud = np.percentile(energy, [NOISE_PERCENTILE, 90.0])
    if loud < quiet * 10 ** (MIN_DYNAMIC_DB / 10):
        return np.zeros(s.mel.shape[0], np.float32)
    return np.asarray(np.percentile(s.mel, NOISE_PERCENTILE, axis=1), dtype=np.float32)


def _mfcc(s: Spectrum, noise: Floats, floor: Floats) -> Features:
    """Spectral subtraction (OVER_SUBTRACT times the file's own floor, so the noise's ups and
    downs leave little behind), the common floor, log, DCT; frames whose remaining energy does
    not rise SOUND_OVER_FLOOR_DB above the common floor are pauses."""
    clean = np.maximum(s.mel - OVER_SUBTRACT * noise[:, None], 0.0)
    level = 10 * np.log10(clean.sum(axis=0) + 1e-20)
    above_floor = 10 * np.log10(float(floor.sum())) + SOUND_OVER_FLOOR_DB
    silent = (level < max(float(level.max()) - SILENCE_BELOW_PEAK_DB, above_floor)) | (
        s.rms_dbfs < SILENCE_DBFS
    )
    log_mel = 10 * np.log10(np.maximum(clean, floor[:, None]))
    mfcc = np.asarray(librosa.feature.mfcc(S=log_mel, n_mfcc=N_MFCC)[1:].T, dtype=np.float32)
    return Features(
        vectors=mfcc, silent=np.asarray(silent, np.bool_), start_s=s.start_s, end_s=s.end_s
    )


def normalise(a: Features, b: Features) -> tuple[Features, Features]:
    """Remove the cepstral mean of the sound frames of both files together (what the voice and
    the channel share) and scale every frame to unit length, so cosine = dot product. Silent
    frames become zero vectors: they match nothing and are scored apart."""
    sound = np.concatenate([a.vectors[~a.silent], b.vectors[~b.silent]])
    mean = sound.mean(axis=0) if len(sound) else np.zeros(a.vectors.shape[1], np.float32)
    return _unit(a, mean), _unit(b, mean)


def _unit(f: Features, mean: Floats) -> Features:
    centred = f.vectors - mean
    norms = np.linalg.norm(centred, axis=1, keepdims=True)
    unit = np.where(norms > 1e-6, centred / np.maximum(norms, 1e-6), 0.0).astype(np.float32)
    unit[f.silent] = 0.0
    return Features(vectors=unit, silent=f.silent, start_s=f.start_s, end_s=f.end_s)


def diagonal_similarity(a: Features, b: Features) -> Floats:
    """(frames_a, frames_b): cosine similarity of each frame pair averaged over the second around
    it along the diagonal, i.e. assuming the offset holds. Pairs where both frames are silent are
    left out of the average (pauses neither match nor differ)."""
    window = max(1, round(WINDOW_S / FRAME_S)) | 1  # odd, centred
    half = window // 2
    rows, cols = a.frames, b.frames
    # [0]: cosines (already 0 wherever a frame is silent), [1]: 1 where a pair counts
    padded = np.zeros((2, rows + 2 * half + 1, cols + 2 * half + 1), np.float32)
    inside = (slice(half + 1, half + 1 + rows), slice(half + 1, half + 1 + cols))
    np.matmul(a.vectors, b.vectors.T, out=padded[0][inside])
    padded[1][inside] = ~a.silent[:, None] | ~b.silent[None, :]
    total, weight = _diagonal_window_sums(padded, window)
    return np.asarray(total / np.maximum(weight, 1.0), dtype=np.float32)


def _diagonal_window_sums(padded: Floats, window: int) -> Floats:
    """Sum of each (k, i, j) over (k, i+t, j+t) for |t| <= window // 2, for matrices placed in
    `padded` with window // 2 + 1 zero rows and columns before and window // 2 after them.

    Cumulative sums along diagonals, one row at a time: each step is one vector add over a row,
    so two 940 x 940 matrices take ~5 ms (faster, measured here, than OpenCV's filter2D with a
    diagonal kernel or a strided skew of the matrix)."""
    half = window // 2
    rows, cols = padded.shape[1] - 2 * half - 1, padded.shape[2] - 2 * half - 1
    for row in range(1, padded.shape[1]):
        padded[:, row, 1:] += padded[:, row - 1, :-1]
    upper = padded[:, window : window + rows, window : window + cols]
    return np.asarray(upper - padded[:, :rows, :cols], dtype=np.float32)


def warp_path(similarity: Floats) -> Ints:
    """The monotonic frame pairing (steps, 2) with the least total dissimilarity, start to end."""
    _, path = librosa.sequence.dtw(C=1.0 - similarity, backtrack=True)
    return np.asarray(path[::-1], dtype=np.intp)


def frame_cosines(a: Features, b: Features, path: Ints) -> Floats:
    """The raw (unsmoothed) cosine of each frame pair on the path."""
    products = a.vectors[path[:, 0]] * b.vectors[path[:, 1]]
    return np.asarray(products.sum(axis=1), dtype=np.float32)
