"""The folders `diffall check` is tested on: a baseline and a current folder as a visual-regression
job has them. 40 image pairs (scikit-image's photographs), 4 audio pairs (espeak-ng speaking
Debian's licence texts) and 10 text pairs (the licence texts themselves): untouched files,
re-encodes, light edits that still match, replaced or rewritten content that does not, one
unreadable file — and one file on each side only.

Every pair is clear-cut (scores measured on these engines: re-encodes and watermarks 97-100,
replaced photos 3-5, pasted patches 13-28, other speech 0, other licences 0-18), so the expected
outcome of each file is known here, and the tests also check it against the server's own scores.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from tests.engines import media_audio, media_images, media_texts

SIZE = (320, 240)
PHOTOS = list(media_images.PHOTOS)  # 8 photographs
LICENCES = ["Apache-2.0", "GPL-3", "MPL-2.0", "LGPL-2.1", "Artistic", "BSD", "GFDL-1.3", "CC0-1.0"]


@dataclass
class Folders:
    baseline: Path
    current: Path
    passing: set[str] = field(default_factory=set)  # under --fail-on no-match
    failing: set[str] = field(default_factory=set)
    unreadable: set[str] = field(default_factory=set)  # the API answers 422
    only_in_baseline: set[str] = field(default_factory=set)
    only_in_current: set[str] = field(default_factory=set)
    by_type: dict[str, int] = field(default_factory=dict)

    @property
    def pairs(self) -> set[str]:
        return self.passing | self.failing | self.unreadable

    def add(self, path: str, kind: str, *, passes: bool | None) -> tuple[Path, Path]:
        """Register a pair and return where its two files go (passes=None: unreadable)."""
        {True: self.passing, False: self.failing, None: self.unreadable}[passes].add(path)
        self.by_type[kind] = self.by_type.get(kind, 0) + 1
        before, after = self.baseline / path, self.current / path
        before.parent.mkdir(parents=True, exist_ok=True)
        after.parent.mkdir(parents=True, exist_ok=True)
        return before, after


def _images(folders: Folders) -> None:
    write, write_jpeg = media_images.write, media_images.write_jpeg
    for n, name in enumerate(PHOTOS):
        photo = media_images.photo_at(name, SIZE)
        other = media_images.photo_at(PHOTOS[(n + 1) % len(PHOTOS)], SIZE)

        before, after = folders.add(f"images/{name}/untouched.png", "image", passes=True)
        shutil.copyfile(write(before, photo), after)
        before, after = folders.add(f"images/{name}/reencoded.jpg", "image", passes=True)
        write_jpeg(before, photo, quality=95), write_jpeg(after, photo, quality=85)
        before, after = folders.add(f"images/{name}/watermarked.png", "image", passes=True)
        write(before, photo), write(after, media_images.watermarked(photo))
        before, after = folders.add(f"images/{name}/replaced.png", "image", passes=False)
        write(before, photo), write(after, other)
        if n == len(PHOTOS) - 1:  # a download cut short: the API cannot read it
            before, after = folders.add(f"images/{name}/truncated.png", "image", passes=None)
            write(before, photo)
            media_images.truncated_copy(write(after, other), after, keep=0.3)
        else:
            before, after = folders.add(f"images/{name}/pasted.png", "image", passes=False)
            write(before, photo)
            write(after, media_images.pasted(photo, other, (40, 30, 200, 150)))
    write(folders.baseline / "images/retired.png", media_images.photo_at("coffee", SIZE))
    folders.only_in_baseline.add("images/retired.png")


def _audio(folders: Folders) -> None:
    speech = media_audio.speak(media_audio.license_words("GPL-3", skip=200, count=25))
    other = media_audio.speak(media_audio.license_words("Apache-2.0", skip=300, count=25))
    encode = media_audio.encode

    before, after = folders.add("audio/resampled.wav", "audio", passes=True)
    encode(speech, before), encode(speech, after, out_rate=44100, channels=2)
    before, after = folders.add("audio/quieter.flac", "audio", passes=True)
    encode(speech, before), encode(media_audio.with_volume(speech, 0.6), after)
    before, after = folders.add("audio/noisy.wav", "audio", passes=True)
    encode(speech, before), encode(media_audio.with_noise(speech, 25), after)
    before, after = folders.add("audio/replaced.mp3", "audio", passes=False)
    encode(speech, before), encode(other, after)


def _texts(folders: Folders) -> None:
    excerpt = {name: media_texts.licence(name)[:3000] for name in LICENCES}
    for name in LICENCES[:3]:
        before, after = folders.add(f"texts/{name}.txt", "text", passes=True)
        media_texts.write(before, excerpt[name]), media_texts.write(after, excerpt[name])
    for name in LICENCES[3:5]:
        before, after = folders.add(f"texts/{name}-rewrapped.txt", "text", passes=True)
        media_texts.write(before, excerpt[name])
        media_texts.write(after, media_texts.rewrap(excerpt[name], 60))
    for n, name in enumerate(LICENCES[5:7]):
        before, after = folders.add(f"texts/{name}-edited.txt", "text", passes=True)
        media_texts.write(before, excerpt[name])
        media_texts.write(after, media_texts.edited_words(excerpt[name], 0.02, seed=n)[0])
    for n, name in enumerate(LICENCES[:3]):
        before, after = folders.add(f"texts/{name}-rewritten.txt", "text", passes=False)
        media_texts.write(before, excerpt[name])
        media_texts.write(after, excerpt[LICENCES[(n + 5) % len(LICENCES)]])
    media_texts.write(folders.current / "texts/new-notes.txt", excerpt["CC0-1.0"])
    folders.only_in_current.add("texts/new-notes.txt")


def build(root: Path) -> Folders:
    folders = Folders(baseline=root / "baseline", current=root / "current")
    _images(folders)
    _audio(folders)
    _texts(folders)
    return folders


def texts_only(root: Path) -> Folders:
    """The 10 text pairs and the text found only in the current folder: quick to check."""
    folders = Folders(baseline=root / "baseline", current=root / "current")
    _texts(folders)
    return folders
