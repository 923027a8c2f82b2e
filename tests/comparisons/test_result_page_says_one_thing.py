"""The result page never contradicts itself: "Identical" only with nothing listed, a pair that
is not identical always says what differs (in the sentence when no change is listed), and a
failed job says why in the form's words, never as an error code."""

from __future__ import annotations

import uuid

from comparisons.engines.summaries import NO_DIFFERENCES
from comparisons.models import Comparison
from comparisons.results import page
from comparisons.serializers import ComparisonSerializer


def done(**fields: object) -> Comparison:
    return Comparison(
        id=uuid.uuid4(), media_type="subtitle", status=Comparison.Status.DONE, similarity=99.0,
        threshold=85.0, metrics={}, segments=[], changes=[], summary=NO_DIFFERENCES, **fields,
    )  # fmt: skip


def answer(comparison: Comparison) -> dict[str, object]:
    """The fields of the API's answer the top of the page shows (the serializer decides them)."""
    serializer = ComparisonSerializer()
    return {
        "identical": serializer.get_identical(comparison),
        "verdict": serializer.get_verdict(comparison),
        "summary": comparison.summary,
        "changes": comparison.changes,
    }


def test_not_identical_with_nothing_listed_still_says_something_differs() -> None:
    comparison = done(identical=False)
    shown = page.context(comparison, answer(comparison))
    assert shown["result"]["identical"] is False
    assert "Identical" not in str(shown["result"]["verdict"])
    assert shown["summary"] == page.UNLISTED


def test_identical_says_no_differences() -> None:
    comparison = done(identical=True)
    shown = page.context(comparison, answer(comparison))
    assert str(shown["result"]["verdict"]).startswith("Identical")
    assert shown["summary"] == NO_DIFFERENCES


def test_a_failed_job_is_worded_for_a_person() -> None:
    comparison = Comparison(
        id=uuid.uuid4(), media_type="video", status=Comparison.Status.ERROR,
        error_code="unreadable_file",
        error_detail="file2 looks truncated: its frames stop at 2.0 s although it declares 6.0 s.",
    )  # fmt: skip
    shown = page.context(comparison, {})
    assert shown["error_message"].startswith("File 2 looks truncated")
    assert "unreadable_file" not in shown["error_message"]
