"""The comparisons tests' fixtures. The personas (alice and bob, each with a working API key) are
tests/personas.py's; real inputs come from tests/media.py.

`ledger` and `no_job_left_unfinished` are what the refusal tests check (refusals.py); a module
applies the second to all its tests with `pytestmark = pytest.mark.usefixtures(...)`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from comparisons.models import Comparison
from tests.comparisons.refusals import FINAL, Ledger


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
