"""Every domain error the comparisons raise has one HTTP status, set in one table
(diffall/api_errors.py), and a failed job's stored code maps through the same table."""

from __future__ import annotations

import inspect

from billing.services import NoCredits
from comparisons import errors, idempotency
from diffall.api_errors import STATUS, HttpStatus, status_for_code, status_of
from diffall.errors import DomainError


def _comparison_errors() -> list[type[DomainError]]:
    """The errors a POST /api/v1/compare may raise below its view."""
    return [
        cls
        for module in (errors, idempotency)
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, DomainError) and cls is not DomainError
    ]


def test_it_lists_every_comparison_error_in_the_status_table() -> None:
    """Each error that is raised (a class without subclasses) has its own row: none answers
    with a status inherited by accident."""
    raised = [cls for cls in _comparison_errors() if not cls.__subclasses__()]
    assert len(raised) >= 18
    assert [cls.__name__ for cls in raised if cls not in STATUS] == []


def test_it_never_answers_one_error_code_with_two_statuses() -> None:
    seen: dict[str, set[int]] = {}
    for cls, row in STATUS.items():
        seen.setdefault(cls.code, set()).add(row.status)
    assert {code: statuses for code, statuses in seen.items() if len(statuses) > 1} == {}


def test_it_maps_a_failed_jobs_code_as_it_maps_the_error() -> None:
    assert status_for_code("storage_unavailable") == 503
    assert status_for_code("unreadable_file") == 422
    assert status_for_code("timeout") == 422  # a code no class names: a failed comparison


def test_it_asks_for_a_retry_only_where_one_can_help() -> None:
    assert status_of(errors.StorageUnavailable()) == HttpStatus(503, retry_after_s=30)
    assert status_of(NoCredits("none left")) == HttpStatus(402)
    assert status_of(errors.TooLong("too long")) == HttpStatus(400)
