"""How a score is put into words and colours: verdict bands, the confidence label and the
website's score colours. Fixed here and nowhere else (the default match threshold is a fact of
each media type: see the registry in comparisons/engines). The contract's example pins one point:
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

# Confidence that the two files are the same content, MediaLayer-style labels.
CONFIDENCE_BANDS: tuple[tuple[float, str], ...] = (
    (90.0, "high"),
    (75.0, "medium"),
    (50.0, "low"),
    (0.0, "none"),
)

# The colour class of a score on the website (the score badge, the video timeline).
SCORE_CLASSES: tuple[tuple[float, str], ...] = (
    (90.0, "high"),
    (60.0, "mid"),
    (float("-inf"), "low"),
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


def score_class(similarity: float) -> str:
    return _band(similarity, SCORE_CLASSES)
