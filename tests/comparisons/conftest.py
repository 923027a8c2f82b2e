"""The comparisons tests' fixtures. The personas (alice and bob, each with a working API key) are
tests/personas.py's; real inputs come from tests/media.py.

`ledger` and `no_job_left_unfinished` are what the refusal tests check (refusals.py); a module
applies the second to all its tests with `pytestmark = pytest.mark.usefixtures(...)`.

`pytest_collection_modifyitems` gives each schemathesis test (test_api_schemathesis.py) its
operation in its node id."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from comparisons.models import Comparison
from tests.comparisons.refusals import FINAL, Ledger


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """schemathesis names the test of each API operation `test_…[POST /api/v1/compare]`, but
    with pytest 9 (schemathesis 4.32) the node id keeps only `test_…`: all four operations had
    one id. pytest-xdist keys the work it hands out by id, so under `make test` one operation
    ran in place of four, and no operation could be picked out by id. The id gets its operation
    back, as with pytest 8 (tryfirst: before pytest-xdist reads the ids)."""
    for item in items:
        label = getattr(item, "operation_label", None)  # on schemathesis's items only
        if label and not item.nodeid.endswith("]"):
            item._id = item._id.with_params(label)  # type: ignore[attr-defined]


@pytest.fixture
def ledger(alice, s3_server) -> Ledger:
    book = Ledger(alice, s3_server)
    book.snapshot()
    return book


@pytest.fixture
def no_job_left_unfinished(db) -> Iterator[None]:
    """Whatever a test sent, no job may be left queued or processing after it."""
    yield
    assert not Comparison.objects.exclude(status__in=FINAL).exists()


@pytest.fixture
def photos(images) -> tuple[bytes, bytes]:
    return images["astronaut"].read_bytes(), images["coffee"].read_bytes()


@pytest.fixture
def text_job(alice, texts) -> str:
    return str(alice.compare(texts["apache"], texts["apache_edited"]).json()["job_id"])
