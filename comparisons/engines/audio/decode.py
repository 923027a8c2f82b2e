"""Reading audio with PyAV: a cheap probe that refuses what cannot be compared, and a decoder that
hands back mono float32 samples at one rate.

PyAV bundles FFmpeg's decoders, so MP3, AAC (M4A and raw ADTS), FLAC, WAV, Ogg/Opus all read the
same way with no ffmpeg binary (soundfile cannot read AAC; `librosa.load` would shell out to one).
Resampling uses soxr, which librosa itself resamples with: on a 60 s 44.1 kHz stereo file it took
~13 ms here against ~55 ms for `av.AudioResampler`, and the whole comparison has 300 ms.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import av
import numpy as np
import numpy.typing as npt
import soxr
from av.audio.frame import format_dtypes
from av.audio.stream import AudioStream
from av.container import InputContainer

from comparisons.engines.base import TransientEngineError, UnreadableFile

Samples = npt.NDArray[np.float32]

RATE = 16_000  # speech sits below 8 kHz; MFCCs need nothing above it
# Decoding stops here whatever the header claims, which bounds memory (samples and the alignment
# matrix grow with length). Twice the product's 60 s limit: submit refuses longer files with a 400.
MAX_SECONDS = 120.0
BLOCK_SAMPLES = 1 << 16  # per channel: decoded audio is mixed to mono and resampled in blocks
TAIL_PROBE_S = 3.0  # the probe seeks this far before the declared end to prove the data is there
TAIL_SLACK_S = 2.0  # seeks land on packet or page boundaries: Ogg pages are ~1 s apart
# FFmpeg names demuxers, not what users call the files ("mov,mp4,m4a,3gp,3g2,mj2" for M4A)
FORMAT_NAMES = {"mov": "m4a", "matroska": "mka"}

# Every error PyAV or FFmpeg raises for a bad file is an FFmpegError; ValueError and EOFError also
# come from the demuxers and from frames with layouts numpy cannot hold.
_BAD_FILE_ERRORS = (av.FFmpegError, ValueError, EOFError, OSError)


@dataclass(frozen=True)
class AudioInfo:
    format: str  # container: "mp3", "wav", "flac", "m4a", "aac", "ogg", ...
    codec: str  # decoder: "mp3float", "aac", "flac", "pcm_s16le", "opus", ...
    sample_rate: int
    channels: int
    duration_s: float


@contextmanager
def _bad_file_is_unreadable() -> Iterator[None]:
    try:
        yield
    except UnreadableFile:
        raise
    except _BAD_FILE_ERRORS as error:
        reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
        raise UnreadableFile(
            f"This file could not be read as audio ({reason}). It may be corrupt, truncated or "
            "not an audio file: export it again as MP3, WAV, FLAC or AAC and retry."
        ) from error


def _require_file(path: Path) -> None:
    # A missing local copy is the caller's problem (storage, temp dir), not the user's file.
    if not path.is_file():
        raise TransientEngineError(f"The file to compare is missing on the worker: {path.name}.")


def probe_audio(path: Path) -> AudioInfo:
    """Header facts plus three cheap proofs: the file has an audio track, its first samples
    decode, and data exists near its declared end (a cut-off download fails here)."""
    _require_file(path)
    with _bad_file_is_unreadable(), av.open(str(path)) as container:
        stream = _audio_stream(container)
        _first_samples(container, stream)
        declared = _declared_duration(container, stream)
        if declared is None:
            duration = _counted_duration(container, stream)
        else:
            _check_tail(container, stream, declared)
            duration = declared
        info = AudioInfo(
            format=_format_name(container.format.name),
            codec=stream.codec_context.name,
            sample_rate=stream.codec_context.sample_rate,
            channels=stream.codec_context.channels,
            duration_s=round(duration, 3),
        )
    if info.format == "wav":
        _check_wav_size(path)
    return info


def _audio_stream(container: InputContainer) -> AudioStream:
    if not container.streams.audio:
        raise UnreadableFile("This file has no audio track. Upload an audio file to compare.")
    return container.streams.audio[0]


def _format_name(demuxer: str) -> str:
    first = demuxer.split(",")[0]
    return FORMAT_NAMES.get(first, first)


def _first_samples(container: InputContainer, stream: AudioStream) -> None:
    for frame in container.decode(stream):
        if frame.samples:
            return
    raise UnreadableFile("This audio file contains no sound samples: it is empty.")


def _declared_duration(container: InputContainer, stream: AudioStream) -> float | None:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / av.time_base
    return None


def _counted_duration(container: InputContainer, stream: AudioStream) -> float:
    """Some streams (raw PCM pipes, broken headers) declare no length: count it, bounded."""
    container.seek(0, stream=stream)
    seconds = 0.0
    for frame in container.decode(stream):
        seconds += frame.samples / frame.sample_rate
        if seconds > MAX_SECONDS:
            break
    return seconds


def _check_tail(container: InputContainer, stream: AudioStream, declared: float) -> None:
    """Seek close to the declared end: in a truncated MP3 or FLAC the demuxer lands on the last
    packet that exists, far before the target."""
    target = declared - TAIL_PROBE_S
    if target <= TAIL_SLACK_S or stream.time_base is None:
        return
    container.seek(int(target / stream.time_base), stream=stream)
    for frame in container.decode(stream):
        if frame.time is not None and frame.time < target - TAIL_SLACK_S:
            raise _truncated(frame.time, declared)
        return
    raise _truncated(None, declared)


def _truncated(found_s: float | None, declared_s: float) -> UnreadableFile:
    where = f"ends at {found_s:.1f} s" if found_s is not None else "ends early"
    return UnreadableFile(
        f"This audio file {where} although its header says {declared_s:.1f} s: it looks "
        "truncated (an interrupted upload or download). Upload the complete file."
    )


def _check_wav_size(path: Path) -> None:
    """FFmpeg quietly shortens a WAV whose data chunk is cut off, so read the RIFF header: a data
    chunk declaring more bytes than the file holds means the file was truncated."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    if not head.startswith(b"RIFF"):  # RF64 and big-endian RIFX lay their sizes out otherwise
        return
    size = path.stat().st_size
    offset = 12  # after "RIFF", the RIFF size and "WAVE"
    while offset + 8 <= len(head):
        chunk_id, chunk_size = struct.unpack_from("<4sI", head, offset)
        if chunk_id == b"data":
            # 0 and 0xFFFFFFFF mean "unknown length" (streamed WAVs): nothing to check
            if 0 < chunk_size < 0xFFFFFFFF and offset + 8 + chunk_size > size:
                have = (size - offset - 8) / chunk_size
                raise UnreadableFile(
                    f"This WAV file holds only {have:.0%} of the audio its header declares: it "
                    "looks truncated (an interrupted upload or download). Upload the complete file."
                )
            return
        offset += 8 + chunk_size + (chunk_size & 1)


def decode_mono(path: Path) -> Samples:
    """All of the first audio track as mono float32 at RATE. Raises UnreadableFile when the
    decoder fails part-way (corrupt or cut-off data) or nothing decodes."""
    _require_file(path)
    with _bad_file_is_unreadable(), av.open(str(path)) as container:
        stream = _audio_stream(container)
        parts = _decode_runs(container, stream)
    if not parts:
        raise UnreadableFile("This audio file contains no sound samples: it is empty.")
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def _decode_runs(container: InputContainer, stream: AudioStream) -> list[Samples]:
    """Mono samples at RATE per run of frames sharing one rate, sample format and channel count
    (joined MP3s or broadcast AAC may change part-way)."""
    runs: list[Samples] = []
    run: _Run | None = None
    seconds = 0.0
    for frame in container.decode(stream):
        if not frame.samples:
            continue
        kind = (frame.sample_rate, frame.format.name, frame.layout.nb_channels)
        if run is None or kind != run.kind:
            if run is not None:
                runs.append(run.finish())
            run = _Run(kind)
        run.add(frame)
        seconds += frame.samples / frame.sample_rate
        if seconds > MAX_SECONDS:
            raise UnreadableFile(
                f"This audio file is longer than {MAX_SECONDS:.0f} s; DiffALL compares audio of "
                "up to one minute. Trim it and retry."
            )
    if run is not None:
        runs.append(run.finish())
    return runs


class _Run:
    """One run's frames, mixed to mono and resampled to RATE a block at a time. Decoded audio is
    never held whole: 60 s of 8 channels at 384 kHz would be 740 MB as float32 (FLAC and Opus
    compress silence to almost nothing, so the upload limit does not bound it), while a block is
    BLOCK_SAMPLES per channel. Each frame's planes are copied straight into the block, and mixed
    and converted a block at a time: an array per frame (`to_ndarray`) and their concatenation
    cost as much as decoding an MP3's 1152-sample frames did."""

    def __init__(self, kind: tuple[int, str, int]) -> None:
        self.kind = kind  # (sample rate, sample format, channels)
        rate, sample_format, channels = kind
        self.planar = av.AudioFormat(sample_format).is_planar
        self.dtype = np.dtype(format_dtypes[sample_format])
        self.per_sample = 1 if self.planar else channels  # values a sample takes in one plane
        # one row per channel for planar formats; one row of interleaved samples for packed ones
        self._new_block(channels if self.planar else 1, BLOCK_SAMPLES * self.per_sample)
        self.used = 0  # values filled in each row of `block`
        self.parts: list[Samples] = []
        # soxr's "LQ" still has a proper anti-alias filter; MFCCs at 16 kHz read the same as from
        # "HQ", and it is the mode librosa itself calls "soxr_lq". The stream form gives the same
        # samples as one call on the whole signal.
        self.resampler = (
            None if rate == RATE else soxr.ResampleStream(rate, RATE, 1, "float32", "LQ")
        )

    def _new_block(self, rows: int, width: int) -> None:
        self.block = np.empty((rows, width), self.dtype)
        # Row views and width made once, not per frame: an MP3 minute is 2,300 frames.
        self.rows = list(self.block)
        self.width = width

    def add(self, frame: av.AudioFrame) -> None:
        count = frame.samples * self.per_sample
        if self.used + count > self.width:
            self._flush(last=False)
            if count > self.width:  # a frame longer than a block: a block of its own
                self._new_block(len(self.rows), count)
        start = self.used
        end = start + count
        for row, plane in zip(self.rows, frame.planes, strict=False):
            # a plane's buffer may be padded past its samples: `count` takes only theirs (a
            # plane exposes the buffer protocol; PyAV's stubs do not say so)
            row[start:end] = np.frombuffer(cast(bytes, plane), self.dtype, count)
        self.used = end

    def finish(self) -> Samples:
        self._flush(last=True)
        return self.parts[0] if len(self.parts) == 1 else np.concatenate(self.parts)

    def _flush(self, *, last: bool) -> None:
        mono = self._mono() if self.used else np.zeros(0, np.float32)
        self.used = 0
        if self.resampler is not None:
            mono = self.resampler.resample_chunk(mono, last=last).astype(np.float32, copy=False)
        if len(mono) or not self.parts:
            self.parts.append(mono)

    def _mono(self) -> Samples:
        """The block as mono float32, in an array of its own (the block is filled again)."""
        channels = self.kind[2]
        data = self.block[:, : self.used]
        if not self.planar:
            data = data.reshape(-1, channels).T  # packed: L R L R ... in one row
        floats = _as_float(data)
        # Channel by channel, in place: `mean(axis=0)` gave the same samples in 3x the time
        # (5 ms for a minute of stereo here, of a decode of 55).
        mono: Samples = np.array(floats[0], dtype=np.float32)
        for channel in floats[1:]:
            mono += channel
        if channels > 1:
            mono /= np.float32(channels)
        return mono


def _as_float(data: npt.NDArray[np.generic]) -> npt.NDArray[np.float32]:
    """Integer PCM to [-1, 1): loudness is compared in dBFS, so the scale matters."""
    if data.dtype.kind == "f":
        return data.astype(np.float32, copy=False)
    bits = data.dtype.itemsize * 8
    scale = np.float32(2 ** (bits - 1))
    if data.dtype.kind == "u":  # unsigned 8-bit PCM is centred on 128
        return (data.astype(np.float32) - scale) / scale
    return data.astype(np.float32) / scale
