"""How a score is put into words: verdict bands, the default match threshold per media type and
the confidence label. Fixed here and nowhere else. The contract's example pins one point:
92.4 -> "Moderate similarity — files share significant content".

A verdict never contradicts the changes: "Identical" is said when the engine found nothing
beyond encoding noise (`identical`), and only then; a top-band score with changes found reads
"High similarity — only minor differences"."""

from __future__ import annotations

# (lowest score of the band, verdict), highest band first
VERDICT_BANDS: tuple[tuple[float, str], ...] = (
    (99.0, "Identical — no meaningful differences found"),
    (95.0, "High similarity — only minor differences"),
    (75.0, "Moderate similarity — files share significant content"),
    (50.0, "Low similarity — some shared content, substantial differences"),
    (0.0, "Very low similarity — the files are largely different"),
)

# `match` is similarity >= threshold; a request may pass its own `threshold`. Calibrated on the
# engines' test media: near-duplicates score above these, edited or unrelated files below.
DEFAULT_THRESHOLDS: dict[str, float] = {
    "image": 85.0,
    "video": 85.0,
    "audio": 80.0,
    "subtitle": 85.0,
    "text": 90.0,
}
MODE_THRESHOLDS: dict[tuple[str, str], float] = {("image", "feature"): 80.0}


def default_threshold(media_type: str, mode: str) -> float:
    return MODE_THRESHOLDS.get((media_type, mode), DEFAULT_THRESHOLDS[media_type])


# Confidence that the two files are the same content, MediaLayer-style labels.
CONFIDENCE_BANDS: tuple[tuple[float, str], ...] = (
    (90.0, "high"),
    (75.0, "medium"),
    (50.0, "low"),
    (0.0, "none"),
)


def _band(score: float, bands: tuple[tuple[float, str], ...]) -> str:
    return next(label for lowest, label in bands if score >= lowest)


IDENTICAL = VERDICT_BANDS[0][1]
CLOSE = VERDICT_BANDS[1][1]


def verdict(similarity: float, *, identical: bool) -> str:
    """The words for a result: Identical when nothing was found, else the score's band (whose
    top says "only minor differences", since a difference was found)."""
    if identical:
        return IDENTICAL
    words = _band(similarity, VERDICT_BANDS)
    return CLOSE if words == IDENTICAL else words


def confidence(similarity: float) -> str:
    return _band(similarity, CONFIDENCE_BANDS)


def is_match(similarity: float, threshold: float) -> bool:
    return similarity >= threshold
