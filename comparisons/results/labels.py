"""The metrics' labels and units, in one table: `ssim` 0.8969 reads "Structural similarity
(SSIM) 0.897", `psnr` "31.2 dB", `wer` 0.031 "3.1 %", `offset_s` "file2 starts 0.8 s later".

`details()` splits a comparison's metrics into the figures about the pair and the facts about
each file (the `_a`/`_b` keys side by side). A metric no label knows yet is still shown, its key
in words; values are never Python reprs."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from comparisons.engines.summaries import seconds
from comparisons.results import wording

Show = Callable[[Any], str]


def _number(decimals: int, unit: str = "") -> Show:
    return lambda v: f"{float(v):,.{decimals}f}{unit}"


def _count(unit: str = "") -> Show:
    return lambda v: f"{int(v):,}{unit}"


def _percent(value: float) -> str:
    """A percentage, as precise as it needs to be: 9.77 -> "9.8 %", 0.04 -> "0.04 %"."""
    if value == 0:
        return "0 %"
    if abs(value) < 0.1:
        return f"{value:.2f} %" if abs(value) >= 0.01 else "< 0.01 %"
    return f"{value:.1f} %"


def _share(value: float) -> str:
    """A share from 0 to 1 as a percentage: 0.031 -> "3.1 %"."""
    return _percent(100 * float(value))


def _seconds(value: float) -> str:
    return f"{seconds(float(value), decimals=2)} s"


def _text(value: Any) -> str:
    """A word the engine chose ("homography", "canonical values"): first letter up."""
    text = str(value).replace("_", " ")
    return text[:1].upper() + text[1:]


def _upper(value: Any) -> str:
    return str(value).upper()


def _yes_no(value: Any) -> str:
    return "Yes" if value else "No"


def _format(value: Any) -> str:
    return "Plain text" if value == "plain" else str(value).upper()


def _structure(value: Any) -> str:
    """How a text was compared: value by value, or as lines of text (and why)."""
    if value == "compared":
        return "Compared value by value"
    if value == "none":
        return "Plain text: compared word by word"
    return "Compared as plain text: " + str(value).replace("unparsed: ", "")


def _size(value: tuple[int, int]) -> str:
    return f"{value[0]:,} \u00d7 {value[1]:,} px"


def any_value(value: Any) -> str:
    """A value no label knows: numbers as numbers, the rest as JSON (true, null, [..])."""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.4g}"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True)
class Label:
    text: str
    show: Show = any_value


# The pair: one figure each. Listed in the order a reader wants them.
PAIR: dict[str, Label] = {
    "mode": Label("Mode", _text),
    "ssim": Label("Structural similarity (SSIM)", _number(3)),
    "ssim_min": Label("Lowest SSIM of a frame", _number(3)),
    "ssim_tone_matched": Label("SSIM with tones matched", _number(3)),
    "aligned_ssim": Label("SSIM once aligned", _number(3)),
    "psnr": Label("Peak signal-to-noise ratio (PSNR)", _number(1, " dB")),
    "mse": Label("Mean squared error (MSE)", _number(1)),
    "changed_regions": Label("Changed regions", _count()),
    "changed_area_pct": Label("Area of the changed regions", _percent),
    "changed_pct": Label("Pixels changed", _percent),
    "changed_pixels": Label("Pixels changed (count)", _count(" px")),
    "changed_pct_tone_matched": Label("Pixels changed with tones matched", _percent),
    "noise_pixels": Label("Pixels within encoding noise", _count(" px")),
    "antialiased_pixels": Label("Anti-aliased edge pixels (not counted)", _count(" px")),
    "ignored_pct": Label("Area ignored", _percent),
    "phash_distance": Label("Perceptual hash distance", lambda v: f"{int(v)} of 64 bits"),
    "overlap_pct": Label("Overlap once aligned", _percent),
    "rotation_deg": Label("Rotation", _number(1, "\u00b0")),
    "scale": Label("Scale", lambda v: f"\u00d7{float(v):.3f}"),
    "good_matches": Label("Keypoint matches", _count()),
    "inliers": Label("Keypoint matches that agree (inliers)", _count()),
    "inlier_ratio": Label("Share of matches that agree", _share),
    "dense_correlation": Label("Dense alignment correlation", _number(3)),
    "near_identity": Label("Alignment close to none", _yes_no),
    "compared_size": Label("Compared at", _size),
    "working_size": Label("Regions found at", _size),
    # text, JSON, CSV, XML
    "wer": Label("Word error rate (WER)", _share),
    "cer": Label("Character error rate (CER)", _share),
    "cer_method": Label("Character error rate computed", _text),
    "structure": Label("Structure", _structure),
    "text_basis": Label("Text compared", _text),
    "words_added": Label("Words added", _count()),
    "words_removed": Label("Words removed", _count()),
    "lines_added": Label("Lines added", _count()),
    "lines_removed": Label("Lines removed", _count()),
    "hunks": Label("Changed blocks", _count()),
    "hunks_shown": Label("Changed blocks listed", _count()),
    "values_equal": Label("Values equal", _count()),
    "values_changed": Label("Values changed", _count()),
    "values_added": Label("Values added", _count()),
    "values_removed": Label("Values removed", _count()),
    "changes_total": Label("Changes found", _count()),
    "changes_shown": Label("Changes listed", _count()),
    # subtitles
    "offset_ms": Label("Timing shift", wording.cues_come),
    "timing_overlap": Label("Timing overlap", _share),
    "cues_matched": Label("Cues matched", _count()),
    "matched_ratio": Label("Share matched", _share),
    "cues_retimed": Label("Cues retimed", _count()),
    "cues_changed": Label("Cues changed", _count()),
    "cues_added": Label("Cues added", _count()),
    "cues_removed": Label("Cues removed", _count()),
    # audio and video
    "offset_s": Label("Offset", wording.file2_starts),
    "aligned_similarity": Label("Similarity once lined up", _number(1)),
    "mfcc_similarity": Label("Timbre similarity (MFCC)", _share),
    "alignment_correlation": Label("Alignment correlation", _number(3)),
    "coverage": Label("Share of file1 compared", _share),
    "frames_compared": Label("Frames compared", _count()),
    "alignment": Label("Alignment", _text),  # how the engine lined them up: last, a detail
}

# The same key on another scale for one media type (audio's is a share, video's a score).
BY_MEDIA_TYPE: dict[str, dict[str, Label]] = {
    "audio": {"aligned_similarity": Label("Similarity once lined up", _share)},
}

# Each file: (label, key for file1, key for file2, how to show it).
EACH: list[tuple[str, str, str, Show]] = [
    ("Format", "format_a", "format_b", _format),
    ("Size", "size_a", "size_b", _size),
    ("Duration", "duration_a", "duration_b", _seconds),
    ("Duration", "duration_a_s", "duration_b_s", _seconds),
    ("Frames", "frames_a", "frames_b", _count()),
    ("Frame rate", "fps_a", "fps_b", _number(2, " fps")),
    ("Codec", "codec_a", "codec_b", str),
    ("Channels", "channels_a", "channels_b", _count()),
    ("Sample rate", "sample_rate_a", "sample_rate_b", _count(" Hz")),
    ("Sound (not silence)", "sound_s_a", "sound_s_b", _seconds),
    ("Keypoints", "keypoints_a", "keypoints_b", _count()),
    ("Encoding", "encoding_a", "encoding_b", _upper),
    ("Lines", "lines_a", "lines_b", _count()),
    ("Words", "words_a", "words_b", _count()),
    ("Values", "values_a", "values_b", _count()),
    ("Cues", "cues_a", "cues_b", _count()),
    ("How it was read", "parse_a", "parse_b", str),
]

# Shown elsewhere on the page (the chart, the verdict) or said by another metric already.
SHOWN_ELSEWHERE = frozenset({"timeline", "identical", "format", "parse"})

# Keys folded into another before labelling: width and height into one size.
_SIZES = {"size_a": ("width_a", "height_a"), "size_b": ("width_b", "height_b"),
          "compared_size": ("compared_width", "compared_height"),
          "working_size": ("working_width", "working_height")}  # fmt: skip


@dataclass
class Details:
    pair: list[tuple[str, str]] = field(default_factory=list)  # (label, value)
    each: list[tuple[str, str, str]] = field(default_factory=list)  # (label, file1, file2)

    def __bool__(self) -> bool:
        return bool(self.pair or self.each)


def _folded(metrics: dict[str, Any]) -> dict[str, Any]:
    folded = dict(metrics)
    for key, (width, height) in _SIZES.items():
        if width in folded and height in folded:
            folded[key] = (folded.pop(width), folded.pop(height))
    parse = metrics.get("parse")
    if isinstance(parse, dict):  # subtitles: how each file was read ("Read as written.")
        for side, name in (("parse_a", "file1"), ("parse_b", "file2")):
            note = (parse.get(name) or {}).get("note")
            if note:
                folded[side] = note
    return folded


def known(key: str) -> bool:
    """Whether the table labels this metric (else it shows as its key in words)."""
    paired = {k for _, a, b, _ in EACH for k in (a, b)}
    folded = {part for parts in _SIZES.values() for part in parts}
    return key in PAIR or key in paired or key in folded or key in SHOWN_ELSEWHERE


def label_of(key: str, media_type: str = "") -> Label:
    known = BY_MEDIA_TYPE.get(media_type, {}).get(key) or PAIR.get(key)
    return known or Label(_text(key))


def details(metrics: dict[str, Any], media_type: str = "") -> Details:
    """Every metric, labelled, with its unit; none twice, none in snake_case."""
    folded = _folded(metrics)
    found = Details()
    used: set[str] = set(SHOWN_ELSEWHERE)
    for text, key_a, key_b, show in EACH:
        if key_a in folded or key_b in folded:
            found.each.append((text, _shown(folded, key_a, show), _shown(folded, key_b, show)))
            used |= {key_a, key_b}
    ordered = [key for key in PAIR if key in folded]
    ordered += sorted(key for key in folded if key not in PAIR)
    for key in ordered:
        if key in used or folded[key] is None:
            continue
        label = label_of(key, media_type)
        found.pair.append((label.text, _safely(label.show, folded[key])))
    return found


def _shown(metrics: dict[str, Any], key: str, show: Show) -> str:
    value = metrics.get(key)
    return "\u2014" if value is None else _safely(show, value)


def _safely(show: Show, value: Any) -> str:
    """A value of an unexpected type still shows (as JSON), never as an error page."""
    try:
        return show(value)
    except (TypeError, ValueError, IndexError):
        return any_value(value)
