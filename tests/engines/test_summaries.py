"""The summary sentence, built from changes alone, for each location."""

from __future__ import annotations

from comparisons.engines import changes, summaries


def test_it_says_no_differences_for_no_changes() -> None:
    assert summaries.summarise([]) == "No differences found."


def test_it_names_the_seconds_of_time_changes() -> None:
    found = [
        changes.time("changed", source=(20.0, 24.0), target=(20.0, 24.0), magnitude=0.7),
        changes.time("removed", source=(0.0, 1.0), magnitude=1.0),
    ]

    assert summaries.summarise(found) == (
        "seconds 20\u201324 differ, seconds 0\u20131 of file1 are not in file2"
    )


def test_it_counts_cues_whatever_the_order_and_says_a_delay_first() -> None:
    found = [
        changes.cue("changed", source_index=2, target_index=2, before="a", after="b", magnitude=1),
        changes.time("shifted", source=(1.0, 9.0), target=(3.0, 11.0), magnitude=0.2),
        changes.cue(
            "shifted", source_index=3, target_index=3, before="c", after="c", magnitude=0.1
        ),
        changes.cue(
            "shifted", source_index=5, target_index=5, before="d", after="d", magnitude=0.1
        ),
    ]

    assert summaries.summarise(found) == "file2 plays 2 s later, 2 cues retimed, 1 cue changed"


def test_it_lists_at_most_three_rows_then_counts_the_rest() -> None:
    found = [
        changes.cell("changed", row=row, column="price", before="1", after="2")
        for row in (3, 7, 9, 12, 40)
    ]

    assert summaries.summarise(found) == "5 cells changed in rows 3, 7, 9 and 2 more"


def test_it_counts_changes_of_a_shape_it_does_not_know_rather_than_failing() -> None:
    assert summaries.summarise([{"x": 1, "y": 2, "area_pct": 0.4}]) == "1 change found"
