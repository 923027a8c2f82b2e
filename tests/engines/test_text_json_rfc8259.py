"""JSON is what RFC 8259 says it is: Python's json module also takes NaN, Infinity and -Infinity
(JavaScript's literals), which no JSON parser that follows the RFC accepts. A file holding one is
compared as text, and the metrics say why."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from comparisons.engines.base import Options, Result, no_progress
from comparisons.engines.text import engine
from tests.engines.media_texts import OPENAPI_SCHEMA, write


def compare(a: Path, b: Path) -> Result:
    return engine.compare(a, b, Options(), no_progress)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_it_compares_json_with_a_nan_or_infinity_as_text_and_says_why(
    tmp_path: Path, constant: str
) -> None:
    lines = OPENAPI_SCHEMA.read_text().split("\n")
    at = next(n for n, line in enumerate(lines) if line.rstrip(",").endswith('"minimum": 0'))
    edited = list(lines)
    edited[at] = edited[at].replace('"minimum": 0', f'"minimum": {constant}')
    other = write(tmp_path / "schema.json", "\n".join(edited))
    json.loads(other.read_text())  # Python's own parser takes it: the point of the test

    result = compare(OPENAPI_SCHEMA, other)

    metrics = result.metrics
    assert (metrics["format_a"], metrics["format_b"], metrics["format"]) == (
        "json",
        "plain",
        "plain",
    )
    assert metrics["structure"] == (
        f"unparsed: file2 is not valid JSON ({constant} is not a JSON value; "
        "RFC 8259 has no NaN or Infinity)"
    )
    [change] = result.changes  # the one line that holds the constant, in the change model
    assert change["lines"]["source_start"] == at + 1
    assert lines[at].strip() in change["before"] and constant in change["after"]
    assert 99 < result.similarity < 100
    probed = engine.probe(other)
    assert (probed.format, probed.extra["structure"]) == (
        "plain",
        f"unparsed: is not valid JSON ({constant} is not a JSON value; "
        "RFC 8259 has no NaN or Infinity)",
    )


def test_it_still_reads_numbers_the_rfc_allows_as_json(tmp_path: Path) -> None:
    value = {"tiny": 1e-320, "huge": 1.7976931348623157e308, "negative": -0.0, "exp": 6.02e23}
    a = write(tmp_path / "a.json", json.dumps(value))
    b = write(tmp_path / "b.json", json.dumps(value, indent=2))

    result = compare(a, b)

    assert result.metrics["format"] == "json"
    assert result.similarity == 100.0
