"""Two texts in different formats (JSON and CSV) are compared as texts, each file's own format
reported."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.usefixtures("no_job_left_unfinished")


def test_it_compares_json_with_csv_as_two_texts(alice, tmp_path):
    as_json = tmp_path / "people.json"
    as_json.write_text('[{"name": "alice", "age": 31}, {"name": "bob", "age": 42}]\n')
    as_csv = tmp_path / "people.csv"
    as_csv.write_text("name,age\nalice,31\nbob,42\n")
    response = alice.compare(as_json, as_csv)
    assert response.status_code == 200, response.content
    result = response.json()
    assert result["type"] == "text" and "diff_url" not in result
    assert (result["files"]["file1"]["format"], result["files"]["file2"]["format"]) == (
        "json",
        "csv",
    )
