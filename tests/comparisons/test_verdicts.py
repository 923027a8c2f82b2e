"""How a score is put into words, pinned to what users were told: the contract's example (92.4 is
"Moderate similarity"), the README's example answer (92.4 at an image's default threshold is a
high-confidence match) and its table of default thresholds. The API tests take these values from
real comparisons; these say what the values must be, so a shifted band cannot pass unseen."""

from __future__ import annotations

import pytest

from comparisons.engines import spec_of
from comparisons.verdicts import confidence, is_match, score_class, verdict

IDENTICAL = "Identical — no meaningful differences found"
HIGH = "High similarity — only minor differences"
MODERATE = "Moderate similarity — files share significant content"
LOW = "Low similarity — some shared content, substantial differences"
VERY_LOW = "Very low similarity — the files are largely different"


def test_it_words_the_contracts_example_as_the_contract_does() -> None:
    assert verdict(92.4, identical=False) == MODERATE


def test_it_answers_the_readmes_example_as_the_readme_shows() -> None:
    threshold = spec_of("image").threshold("pixel")

    assert (threshold, is_match(92.4, threshold), confidence(92.4)) == (85.0, True, "high")


@pytest.mark.parametrize(
    ("score", "words"),
    [
        (100.0, HIGH), (99.0, HIGH), (98.9, HIGH), (95.0, HIGH), (94.9, MODERATE),
        (75.0, MODERATE), (74.9, LOW), (50.0, LOW), (49.9, VERY_LOW), (0.0, VERY_LOW),
    ],
)  # fmt: skip
def test_it_puts_each_score_with_changes_in_its_verdict_band(score: float, words: str) -> None:
    assert verdict(score, identical=False) == words


@pytest.mark.parametrize("score", [100.0, 99.7, 99.0])
def test_it_says_identical_only_when_nothing_was_found(score: float) -> None:
    """A watermarked photo at 99.7 with its box in `changes` is not "Identical"; the same score
    with nothing found is."""
    assert verdict(score, identical=True) == IDENTICAL
    assert verdict(score, identical=False) == HIGH


@pytest.mark.parametrize(
    ("score", "label"),
    [(100.0, "high"), (90.0, "high"), (89.9, "medium"), (75.0, "medium"), (74.9, "low"),
     (50.0, "low"), (49.9, "none"), (0.0, "none")],
)  # fmt: skip
def test_it_puts_each_score_in_its_confidence_band(score: float, label: str) -> None:
    assert confidence(score) == label


def test_it_never_words_a_higher_score_worse() -> None:
    order = [VERY_LOW, LOW, MODERATE, HIGH, IDENTICAL]
    ranks = [order.index(verdict(tenth / 10, identical=False)) for tenth in range(1001)]

    assert ranks == sorted(ranks)


def test_it_counts_a_score_equal_to_the_threshold_as_a_match() -> None:
    # The README: "`match` is `similarity >= threshold`".
    assert is_match(85.0, 85.0) is True
    assert is_match(84.9, 85.0) is False


@pytest.mark.parametrize(
    ("media_type", "mode", "threshold"),
    [("image", "pixel", 85.0), ("image", "feature", 80.0), ("video", "", 85.0),
     ("audio", "", 80.0), ("subtitle", "", 85.0), ("text", "", 90.0)],
)  # fmt: skip
def test_it_uses_the_default_thresholds_the_readme_lists(
    media_type: str, mode: str, threshold: float
) -> None:
    assert spec_of(media_type).threshold(mode) == threshold


@pytest.mark.parametrize(
    ("score", "colour"),
    [(100.0, "high"), (90.0, "high"), (89.9, "mid"), (60.0, "mid"), (59.9, "low"), (0.0, "low")],
)
def test_it_colours_each_score_on_the_website_by_its_band(score: float, colour: str) -> None:
    assert score_class(score) == colour
