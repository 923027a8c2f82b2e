"""How `make test` (`pytest -n 2 --dist loadfile`) hands the suite to its pytest-xdist processes.

pytest-django orders the tests as Django does: the database tests (each in a transaction rolled
back), then the transactional ones (which empty every table after each test, and so take the
rows the migrations made: the Sales group, the site's name), then those without a database. Each
xdist process has a database of its own, so that order must hold within each process.

pytest-xdist's loadfile gives each process whole test files, the file with the most tests
first, so a process runs transactional tests before other files' database tests: measured on
2026-12-03 (`-n 2`), test_sales_role.py's check of the migrated Sales group then found no group
and failed. Here a work unit is a file's stretch of tests of one kind (a file of both kinds has
two), the units go out in pytest-django's order and each process takes them in that order, so
each process runs its database tests before its transactional ones, as one process does. The
suite passed so, and took no longer: 537 s and 510 s against 544 s for plain loadfile.

Registered by tests/conftest.py; used only with `--dist loadfile`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from xdist.scheduler import LoadFileScheduling


def work_units(collection: Sequence[str]) -> dict[str, str]:
    """Each node id's unit: its file, and which stretch of that file's tests it is in. The
    collection is in pytest-django's order (a stable sort of file order by kind), so a file's
    tests of one kind are one unbroken stretch."""
    units: dict[str, str] = {}
    stretches: dict[str, int] = {}
    previous = ""
    for nodeid in collection:
        file = nodeid.split("::", 1)[0]
        if file != previous:
            stretches[file] = stretches.get(file, 0) + 1
            previous = file
        units[nodeid] = f"{file}#{stretches[file]}"
    return units


class DjangoOrderScheduling(LoadFileScheduling):
    """loadfile, with a file's stretches of one kind as the units, handed out in collection
    order."""

    def __init__(self, config: pytest.Config, log: Any = None) -> None:
        super().__init__(config, log)
        self.units: dict[str, str] = {}

    def schedule(self) -> None:
        if self.collection is None and self.registered_collections:
            self.units = work_units(next(iter(self.registered_collections.values())))
        super().schedule()

    def _split_scope(self, nodeid: str) -> str:
        return self.units.get(nodeid) or super()._split_scope(nodeid)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> LoadFileScheduling | None:
    if config.getvalue("dist") != "loadfile":
        return None
    config.option.loadscopereorder = False  # keep the collection's (pytest-django's) order
    return DjangoOrderScheduling(config, log)
