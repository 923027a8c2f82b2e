"""A persona with a working API key, as the API tests have."""

from __future__ import annotations

import pytest

from tests.comparisons.conftest import Persona, make_persona


@pytest.fixture
def alice(db) -> Persona:  # type: ignore[no-untyped-def]
    return make_persona("alice@example.com")
