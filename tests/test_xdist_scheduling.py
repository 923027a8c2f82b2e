"""How `make test` splits the suite between its pytest-xdist processes (tests/xdist_scheduling.py),
and the node ids that splitting relies on."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.xdist_scheduling import work_units

ROOT = Path(__file__).resolve().parent.parent


def test_a_file_with_database_and_transactional_tests_is_two_units_in_collection_order() -> None:
    # pytest-django's order: database tests of every file, then the transactional ones
    collection = [
        "tests/a.py::test_db_1",
        "tests/a.py::test_db_2",
        "tests/b.py::test_db",
        "tests/a.py::test_transactional",
        "tests/c.py::test_plain",
    ]
    units = work_units(collection)
    assert units == {
        "tests/a.py::test_db_1": "tests/a.py#1",
        "tests/a.py::test_db_2": "tests/a.py#1",
        "tests/b.py::test_db": "tests/b.py#1",
        "tests/a.py::test_transactional": "tests/a.py#2",
        "tests/c.py::test_plain": "tests/c.py#1",
    }
    # the units in the order they are first met: what each process takes, one after another
    assert list(dict.fromkeys(units.values())) == [
        "tests/a.py#1", "tests/b.py#1", "tests/a.py#2", "tests/c.py#1",
    ]  # fmt: skip


def test_every_schemathesis_operation_is_a_test_with_an_id_of_its_own() -> None:
    """xdist hands out work by node id: ids shared by several operations ran one of them (this
    failed with pytest 9 until tests/comparisons/conftest.py put the operation back in the id)."""
    listed = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:xdist",
         "tests/comparisons/test_api_schemathesis.py::"
         "test_it_answers_every_generated_request_as_its_schema_says"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=True,
    ).stdout  # fmt: skip
    ids = [line for line in listed.splitlines() if "::test_" in line]
    assert len(ids) >= 4, listed
    assert len(set(ids)) == len(ids), ids
    assert all(line.endswith("]") for line in ids), ids
