"""detect() on real files: photos from scikit-image saved by Pillow, video and audio encoded by
PyAV from those photos and from espeak-ng speech, subtitles written from licence text, and texts,
JSON, CSV and XML that installed packages ship. Every file is named so that its name says nothing
(or lies): detection must come from the content."""

from __future__ import annotations

import gzip
import io
import re
import sqlite3
import subprocess
import time
import zipfile
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from av.stream import Disposition
from PIL import Image
from skimage import data as photos

from comparisons.detect import HEAD_BYTES, Detected, UnsupportedType, detect
from comparisons.engines import UnreadableFile, get_engine
from diffall.api_errors import HttpStatus, status_of
from tests.engines.media_texts import translations

LICENSES = Path("/usr/share/common-licenses")
SITE = Path(np.__file__).parent.parent  # site-packages of the test venv


# ----------------------------------------------------------------------------- makers


def photo(size: tuple[int, int] = (256, 256)) -> Image.Image:
    return Image.fromarray(photos.astronaut()).resize(size)


def save_image(path: Path, fmt: str, **options: object) -> Path:
    photo().save(path, fmt, **options)
    return path


def save_gif(path: Path) -> Path:
    frames = [
        Image.fromarray(img).resize((128, 128)) for img in (photos.astronaut(), photos.coffee())
    ]
    frames[0].save(path, "GIF", save_all=True, append_images=frames[1:], duration=200, loop=0)
    return path


def pan_frames(count: int, size: tuple[int, int] = (160, 120)) -> Iterator[np.ndarray]:
    """A camera pan across a real photo: `count` RGB frames."""
    picture = photos.coffee()  # 400 x 600
    width, height = size
    for index in range(count):
        left = index * 8
        crop = picture[100 : 100 + height * 2, left : left + width * 2]
        yield np.ascontiguousarray(crop[::2, ::2])


def speech(seconds: float = 1.0) -> np.ndarray:
    """1 s of espeak-ng reading a sentence of a licence, as mono float32 at 22050 Hz."""
    sentence = (LICENSES / "Apache-2.0").read_text().split("\n")[7].strip()
    wav = subprocess.run(
        ["espeak-ng", "--stdout", sentence], check=True, capture_output=True
    ).stdout
    with av.open(io.BytesIO(wav)) as container:
        chunks = [frame.to_ndarray().reshape(-1) for frame in container.decode(audio=0)]
    raw = np.concatenate(chunks)  # espeak-ng writes 16-bit PCM at 22050 Hz
    samples = raw.astype(np.float32) / 32768.0 if raw.dtype.kind == "i" else raw.astype(np.float32)
    return samples[: int(22050 * seconds)]


def encode_video(path: Path, fmt: str, codec: str, *, with_audio: bool = False) -> Path:
    rate = 12
    with av.open(str(path), "w", format=fmt) as out:
        video = out.add_stream(codec, rate=rate)
        video.width, video.height, video.pix_fmt = 160, 120, "yuv420p"
        audio = out.add_stream("aac", rate=22050, layout="mono") if with_audio else None
        for index, rgb in enumerate(pan_frames(rate)):
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts = index
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        if audio is not None:
            _mux_audio(out, audio, speech())
    return path


def encode_audio(
    path: Path,
    fmt: str,
    codec: str,
    *,
    cover: bool = False,
    options: dict[str, str] | None = None,
) -> Path:
    """1 s of speech in `fmt`/`codec`, optionally with a JPEG cover picture as an attached pic."""
    with av.open(str(path), "w", format=fmt, options=options or {}) as out:
        rate = 48000 if codec == "libopus" else 22050
        stream = out.add_stream(codec, rate=rate, layout="mono")
        if cover:
            _mux_cover(out)
        _mux_audio(out, stream, speech())
    return path


def _mux_audio(
    out: av.container.OutputContainer, stream: av.AudioStream, samples: np.ndarray
) -> None:
    resampler = av.AudioResampler(
        format=stream.codec_context.format, layout="mono", rate=stream.codec_context.sample_rate
    )
    frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="flt", layout="mono")
    frame.sample_rate = 22050
    frame.time_base = Fraction(1, 22050)
    frame.pts = 0
    for converted in [*resampler.resample(frame), *resampler.resample(None)]:
        out.mux(stream.encode(converted))
    out.mux(stream.encode(None))


def _mux_cover(out: av.container.OutputContainer) -> None:
    jpeg = io.BytesIO()
    photo((96, 96)).save(jpeg, "JPEG")
    cover = out.add_stream("mjpeg")
    cover.width, cover.height, cover.pix_fmt = 96, 96, "yuvj420p"
    cover.disposition = Disposition.attached_pic
    packet = av.Packet(jpeg.getvalue())
    packet.stream, packet.pts, packet.dts = cover, 0, 0
    out.mux(packet)


def id3_tag(title: str) -> bytes:
    """A minimal ID3v2.3 tag with a title frame, as taggers put in front of FLAC or AAC files."""
    text = b"\x00" + title.encode("latin-1")
    frame = b"TIT2" + len(text).to_bytes(4, "big") + b"\x00\x00" + text
    size = len(frame)
    syncsafe = bytes([(size >> 21) & 0x7F, (size >> 14) & 0x7F, (size >> 7) & 0x7F, size & 0x7F])
    return b"ID3\x03\x00\x00" + syncsafe + frame


CUES = [  # (start s, end s) of real-looking subtitle timings
    (1.2, 3.9), (4.1, 6.75), (7.0, 9.5), (10.25, 13.0), (13.4, 16.0), (61.5, 64.0),
]  # fmt: skip


def cue_texts() -> list[str]:
    lines = [ln.strip() for ln in (LICENSES / "GPL-3").read_text().splitlines() if ln.strip()]
    return lines[10 : 10 + len(CUES)]


def french_cue_texts() -> list[str]:
    """Accented lines of Django's French translations, for subtitles in a legacy encoding."""
    found = re.findall(r'^msgstr "(.*[éèàçê].*)"$', french_po(), re.M)
    return found[: len(CUES)]


def timestamp(seconds: float, separator: str) -> str:
    ms = round(seconds * 1000)
    return (
        f"{ms // 3_600_000:02}:{ms // 60_000 % 60:02}:{ms // 1000 % 60:02}{separator}{ms % 1000:03}"
    )


def srt_text(texts: list[str] | None = None) -> str:
    blocks = [
        f"{n}\n{timestamp(a, ',')} --> {timestamp(b, ',')}\n{text}\n"
        for n, ((a, b), text) in enumerate(zip(CUES, texts or cue_texts(), strict=True), start=1)
    ]
    return "\n".join(blocks)


def vtt_text() -> str:
    cues = [
        f"{timestamp(a, '.')} --> {timestamp(b, '.')}\n{text}\n"
        for (a, b), text in zip(CUES, cue_texts(), strict=True)
    ]
    return "WEBVTT\n\n" + "\n".join(cues)


def write_text(path: Path, text: str, encoding: str) -> Path:
    path.write_bytes(text.encode(encoding))
    return path


MO = "conf/locale/fr/LC_MESSAGES/django.mo"  # compiled translations: binary with text inside


def belled(every: int) -> bytes:
    """The GPL with a BEL control character after every `every` characters."""
    text = (LICENSES / "GPL-3").read_text()
    return "\a".join(text[k : k + every] for k in range(0, len(text), every)).encode()


def french_po() -> str:
    """Django's French translations: real text with accents."""
    import django

    po = Path(django.__file__).parent / "conf/locale/fr/LC_MESSAGES/django.po"
    return po.read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- the corpus

# file name -> how to make it. Names are deliberately meaningless ("input-NN") or lying.
Maker = Callable[[Path], Path]

SUPPORTED: dict[str, tuple[Maker, Detected]] = {
    "png": (lambda p: save_image(p, "PNG"), Detected("image", "png")),
    "jpeg": (lambda p: save_image(p, "JPEG", quality=85), Detected("image", "jpeg")),
    "webp": (lambda p: save_image(p, "WEBP"), Detected("image", "webp")),
    "webp-lossless": (lambda p: save_image(p, "WEBP", lossless=True), Detected("image", "webp")),
    "gif-animated": (save_gif, Detected("image", "gif")),
    "mp4-h264": (lambda p: encode_video(p, "mp4", "libx264"), Detected("video", "mp4")),
    "mp4-with-audio": (
        lambda p: encode_video(p, "mp4", "libx264", with_audio=True),
        Detected("video", "mp4"),
    ),
    "mov-h264": (lambda p: encode_video(p, "mov", "libx264"), Detected("video", "mov")),
    "mkv-h264": (lambda p: encode_video(p, "matroska", "libx264"), Detected("video", "mkv")),
    "webm-vp9": (lambda p: encode_video(p, "webm", "libvpx-vp9"), Detected("video", "webm")),
    "avi-mpeg4": (lambda p: encode_video(p, "avi", "mpeg4"), Detected("video", "avi")),
    "mp3": (lambda p: encode_audio(p, "mp3", "libmp3lame"), Detected("audio", "mp3")),
    "mp3-bare-frames": (
        lambda p: encode_audio(p, "mp3", "libmp3lame", options={"id3v2_version": "0"}),
        Detected("audio", "mp3"),
    ),
    "mp3-with-cover": (
        lambda p: encode_audio(p, "mp3", "libmp3lame", cover=True),
        Detected("audio", "mp3"),
    ),
    "wav": (lambda p: encode_audio(p, "wav", "pcm_s16le"), Detected("audio", "wav")),
    "flac": (lambda p: encode_audio(p, "flac", "flac"), Detected("audio", "flac")),
    "aac-adts": (lambda p: encode_audio(p, "adts", "aac"), Detected("audio", "aac")),
    "m4a": (lambda p: encode_audio(p, "ipod", "aac"), Detected("audio", "m4a")),
    "mp4-audio-only": (lambda p: encode_audio(p, "mp4", "aac"), Detected("audio", "m4a")),
    "mp4-audio-with-cover": (
        lambda p: encode_audio(p, "mp4", "aac", cover=True),
        Detected("audio", "m4a"),
    ),
    "ogg-opus": (lambda p: encode_audio(p, "ogg", "libopus"), Detected("audio", "ogg")),
    "mka-flac": (lambda p: encode_audio(p, "matroska", "flac"), Detected("audio", "mka")),
    "srt-utf8": (lambda p: write_text(p, srt_text(), "utf-8"), Detected("subtitle", "srt")),
    "srt-utf8-bom": (lambda p: write_text(p, srt_text(), "utf-8-sig"), Detected("subtitle", "srt")),
    "srt-utf16": (lambda p: write_text(p, srt_text(), "utf-16"), Detected("subtitle", "srt")),
    "srt-crlf-cp1252": (
        lambda p: write_text(p, srt_text(french_cue_texts()).replace("\n", "\r\n"), "cp1252"),
        Detected("subtitle", "srt"),
    ),
    "vtt-utf8": (lambda p: write_text(p, vtt_text(), "utf-8"), Detected("subtitle", "vtt")),
    "vtt-utf8-bom": (lambda p: write_text(p, vtt_text(), "utf-8-sig"), Detected("subtitle", "vtt")),
    "vtt-utf16": (lambda p: write_text(p, vtt_text(), "utf-16"), Detected("subtitle", "vtt")),
    "gpl3": (lambda p: _copy(LICENSES / "GPL-3", p), Detected("text", "plain")),
    "apache": (lambda p: _copy(LICENSES / "Apache-2.0", p), Detected("text", "plain")),
    "gpl2-utf16": (
        lambda p: write_text(p, (LICENSES / "GPL-2").read_text(), "utf-16"),
        Detected("text", "plain"),
    ),
    "gpl2-utf16le-no-bom": (
        lambda p: write_text(p, (LICENSES / "GPL-2").read_text(), "utf-16-le"),
        Detected("text", "plain"),
    ),
    "gpl2-utf32": (
        lambda p: write_text(p, (LICENSES / "GPL-2").read_text(), "utf-32"),
        Detected("text", "plain"),
    ),
    "french-utf8": (lambda p: write_text(p, french_po(), "utf-8"), Detected("text", "plain")),
    "french-cp1252": (lambda p: write_text(p, french_po(), "cp1252"), Detected("text", "plain")),
    "json-openapi-schema": (
        lambda p: _copy(_package_file("drf_spectacular", "validation/openapi_3_0_schema.json"), p),
        Detected("text", "json"),
    ),
    "json-utf16": (
        lambda p: write_text(
            p,
            _package_file("drf_spectacular", "validation/openapi_3_1_schema.json").read_text(),
            "utf-16",
        ),
        Detected("text", "json"),
    ),
    "csv-numpy-testset": (
        lambda p: _copy(_package_file("numpy", "random/tests/data/mt19937-testset-1.csv"), p),
        Detected("text", "csv"),
    ),
    "csv-semicolons": (
        lambda p: write_text(
            p,
            _package_file("numpy", "random/tests/data/pcg64-testset-1.csv")
            .read_text()
            .replace(",", ";"),
            "utf-8",
        ),
        Detected("text", "csv"),
    ),
    "xml-opencv-cascade": (
        lambda p: _copy(_package_file("skimage", "data/lbpcascade_frontalface_opencv.xml"), p),
        Detected("text", "xml"),
    ),
    "html-django-template": (
        lambda p: _copy(_package_file("django", "contrib/admin/templates/admin/base.html"), p),
        Detected("text", "plain"),  # starts with "{% load ... %}": neither JSON nor XML
    ),
}

UNSUPPORTED: dict[str, tuple[Maker, str]] = {
    "empty": (lambda p: _touch(p), "an empty file"),
    "pdf": (lambda p: save_image(p, "PDF"), "a PDF document"),
    "zip": (lambda p: _zip(p), "a ZIP archive"),
    "elf-ls": (lambda p: _copy(Path("/bin/ls"), p), "a program"),
    "random-bytes": (
        lambda p: _bytes(p, np.random.default_rng(5).bytes(HEAD_BYTES)),
        "binary data",
    ),
    "gzip": (lambda p: _bytes(p, gzip.compress((LICENSES / "GPL-3").read_bytes())), "gzip"),
    "sqlite": (lambda p: _sqlite(p), "an SQLite database"),
    "gettext-mo": (
        lambda p: _copy(_package_file("django", MO), p),
        "binary data",
    ),
    "bmp": (lambda p: save_image(p, "BMP"), "a BMP image"),
    "tiff": (lambda p: save_image(p, "TIFF"), "a TIFF image"),
    "avif": (lambda p: save_image(p, "AVIF"), "a HEIC/AVIF image"),
    "mpeg-ts": (
        lambda p: encode_video(p, "mpegts", "libx264"),
        "an MPEG transport stream video",
    ),
    "one-mp3-frame-header": (
        lambda p: _cut(SUPPORTED["mp3-bare-frames"][0](p), 7),
        "binary data",
    ),
}


def _copy(source: Path, dest: Path) -> Path:
    dest.write_bytes(source.read_bytes())
    return dest


def _touch(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def _bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _cut(path: Path, size: int) -> Path:
    return _bytes(path, path.read_bytes()[:size])


def _zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(LICENSES / "GPL-3", "GPL-3.txt")
    return path


def _sqlite(path: Path) -> Path:
    with sqlite3.connect(path) as db:
        db.execute("create table cue (start real, text text)")
        db.executemany(
            "insert into cue values (?, ?)",
            [(a, t) for (a, _), t in zip(CUES, cue_texts(), strict=True)],
        )
    return path


def _package_file(package: str, relative: str) -> Path:
    path = SITE / package / relative
    assert path.is_file(), f"{path} is not installed"
    return path


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """Makes each file on first use, named "input-<n>" so the name tells nothing."""
    folder = tmp_path_factory.mktemp("detect")
    made: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in made:
            maker = SUPPORTED[name][0] if name in SUPPORTED else UNSUPPORTED[name][0]
            made[name] = maker(folder / f"input-{len(made):02}")
        return made[name]

    return get


# ----------------------------------------------------------------------------- supported


@pytest.mark.parametrize("name", list(SUPPORTED))
def test_it_detects_each_supported_format_by_content(
    name: str, corpus: Callable[[str], Path]
) -> None:
    assert detect(corpus(name)) == SUPPORTED[name][1]


def test_it_calls_an_mp4_with_only_audio_and_a_cover_picture_audio(
    corpus: Callable[[str], Path],
) -> None:
    """The cover is a video stream to FFmpeg; only its attached-picture disposition tells."""
    path = corpus("mp4-audio-with-cover")
    with av.open(str(path)) as container:
        [cover] = container.streams.video
        assert cover.disposition & Disposition.attached_pic
    assert detect(path) == Detected("audio", "m4a")


@pytest.mark.parametrize(
    ("name", "lie"),
    [("png", "photo.mp3"), ("mp3", "notes.txt"), ("gpl3", "movie.mp4"), ("wav", "image.png"),
     ("srt-utf8", "data.json"), ("mp4-h264", "clip.wav")],
)  # fmt: skip
def test_it_ignores_a_lying_file_name(
    name: str, lie: str, corpus: Callable[[str], Path], tmp_path: Path
) -> None:
    renamed = _copy(corpus(name), tmp_path / lie)
    assert detect(renamed) == SUPPORTED[name][1]


@pytest.mark.parametrize("name", ["flac", "aac-adts"])
def test_it_looks_past_an_id3_tag_in_front_of_other_audio(
    name: str, corpus: Callable[[str], Path], tmp_path: Path
) -> None:
    tagged = _bytes(tmp_path / "tagged", id3_tag("Licence reading") + corpus(name).read_bytes())
    assert detect(tagged) == SUPPORTED[name][1]


@pytest.mark.parametrize(
    ("name", "keep"), [("png", 200), ("jpeg", 300), ("mp4-h264", 2048), ("flac", 64)]
)
def test_it_detects_a_truncated_file_by_its_signature(
    name: str, keep: int, corpus: Callable[[str], Path], tmp_path: Path
) -> None:
    """Detection stays cheap: the engine's probe is what reports a corrupt file (422)."""
    truncated = _bytes(tmp_path / "cut", corpus(name).read_bytes()[:keep])
    assert detect(truncated).media_type == SUPPORTED[name][1].media_type


def straddling(char: str, encoding: str, at: int) -> bytes:
    """French text in `encoding` with `char` starting at byte `at`, and more text after it."""
    text = french_po() * 3
    head = text.encode(encoding)[:at].decode(encoding, errors="ignore")  # whole characters
    space = len("  ".encode(encoding)) - len(" ".encode(encoding))  # bytes, without the BOM
    head += " " * ((at - len(head.encode(encoding))) // space)
    assert len(head.encode(encoding)) == at
    return (head + char + text).encode(encoding)


@pytest.mark.parametrize(
    ("encoding", "char", "bytes_before_the_cut"),
    [("utf-8", "é", 1), ("utf-8", "€", 2), ("utf-8", "🎬", 3), ("utf-16", "🎬", 2)],
)
def test_it_reads_only_the_head_of_a_long_text_even_when_it_cuts_a_character(
    tmp_path: Path, encoding: str, char: str, bytes_before_the_cut: int
) -> None:
    """The head ends inside a character (UTF-16: between the halves of a surrogate pair): that
    character is left for the engine, it does not turn the text into binary data."""
    data = straddling(char, encoding, HEAD_BYTES - bytes_before_the_cut)
    with pytest.raises(UnicodeDecodeError, match="unexpected end of data"):
        data[:HEAD_BYTES].decode(encoding)
    path = _bytes(tmp_path / "long", data)

    assert detect(path) == Detected("text", "plain")


@pytest.mark.parametrize(
    ("name", "content", "encoding"),
    [
        ("french-cp1252", lambda: "\r\n".join(translations("fr")).encode("cp1252"), "cp1252"),
        ("polish-cp1250", lambda: "\r\n".join(translations("pl")).encode("cp1250"), "cp1250"),
        ("russian-cp1251", lambda: "\r\n".join(translations("ru")).encode("cp1251"), "cp1251"),
        ("a-bell-every-300-characters", lambda: belled(300), "utf-8"),
        ("a-bell-every-150-characters", lambda: belled(150), None),  # 0.7 %: binary to both
        ("gettext-mo", lambda: _package_file("django", MO).read_bytes(), None),
    ],
)
def test_it_decides_what_is_text_as_the_text_engine_does(
    tmp_path: Path, name: str, content: Callable[[], bytes], encoding: str | None
) -> None:
    """One decision for "is this text, in what encoding": what detect() calls text is what the
    engines can read, so an upload is never accepted here and refused later as unreadable."""
    path = _bytes(tmp_path / "input", content())
    text_engine = get_engine("text")

    if encoding is None:
        with pytest.raises(UnsupportedType, match="binary data"):
            detect(path)
        with pytest.raises(UnreadableFile, match="not text"):
            text_engine.probe(path)
    else:
        assert detect(path).media_type == "text"
        assert text_engine.probe(path).extra["encoding"] == encoding


def test_it_decides_on_64_kb_of_quotes_and_commas_in_well_under_a_second(tmp_path: Path) -> None:
    """Detection runs on every upload: csv.Sniffer needed 28 s for these two lines."""
    path = write_text(tmp_path / "quotes", (',"' * 16_000 + "\n") * 2, "utf-8")
    started = time.monotonic()

    found = detect(path)

    assert time.monotonic() - started < 1
    assert found.media_type == "text"


# ----------------------------------------------------------------------------- unsupported


@pytest.mark.parametrize("name", list(UNSUPPORTED))
def test_it_refuses_unsupported_files_with_a_readable_reason(
    name: str, corpus: Callable[[str], Path]
) -> None:
    with pytest.raises(UnsupportedType) as caught:
        detect(corpus(name))
    error = caught.value
    assert UNSUPPORTED[name][1] in error.what
    sentence = error.for_file("file1")
    assert sentence.startswith(f"file1 looks like {error.what}; ")
    assert error.detail == error.for_file("the file")
    assert status_of(error) == HttpStatus(400)


def test_it_tells_how_to_convert_an_image_it_does_not_read(corpus: Callable[[str], Path]) -> None:
    with pytest.raises(UnsupportedType) as caught:
        detect(corpus("tiff"))
    assert "PNG or JPEG" in caught.value.hint


def test_it_names_the_supported_types_when_refusing_a_document(
    corpus: Callable[[str], Path],
) -> None:
    with pytest.raises(UnsupportedType) as caught:
        detect(corpus("pdf"))
    assert caught.value.for_file("file2") == (
        "file2 looks like a PDF document; DiffALL compares images (JPG, PNG, WebP, GIF), "
        "video (MP4, AVI, MOV, MKV), audio (MP3, WAV, FLAC, AAC), subtitles (SRT, VTT) and "
        "text (plain text, JSON, CSV, XML)."
    )
