"""The audio engine: are two recordings the same audio, and which parts of them?

Both files are decoded with PyAV (MP3, WAV, FLAC, AAC/M4A, Ogg/Opus), mixed to mono at 16 kHz,
turned into MFCC frames and aligned frame by frame; the score is how much of the sound of both
files found its counterpart, and how closely. See `audio.compare` for the steps.

Importing this module costs PyAV only, so the web process can `probe` uploads cheaply; librosa,
numba and OpenCV load on the first `compare` or, in a worker, at start through `warm_up`.
"""

from __future__ import annotations

from pathlib import Path

from comparisons.engines import spec_of
from comparisons.engines.audio.decode import probe_audio
from comparisons.engines.base import MediaInfo, Options, Progress, Result


class AudioEngine:
    media_type = "audio"
    runs_async = spec_of(media_type).runs_async  # its facts live in the registry's line

    def probe(self, path: Path) -> MediaInfo:
        """Container facts (codec, rate, channels, duration) after cheap proofs that the file
        decodes; raises UnreadableFile for corrupt, truncated or audio-less files."""
        info = probe_audio(path)
        return MediaInfo(
            media_type="audio",
            format=info.format,
            duration_s=info.duration_s,
            extra={"codec": info.codec, "sample_rate": info.sample_rate, "channels": info.channels},
        )

    def compare(self, a: Path, b: Path, options: Options, progress: Progress) -> Result:
        from comparisons.engines.audio.compare import compare_files

        return compare_files(a, b, progress)  # options carry nothing for audio (mode is images')

    def warm_up(self) -> None:
        """Load librosa and compile its numba kernels (10-20 s in a new venv, ~2 s after) once,
        when a worker starts, by running the whole comparison path on a short synthetic signal."""
        from comparisons.engines.audio.compare import warm_up

        warm_up()


engine = AudioEngine()
