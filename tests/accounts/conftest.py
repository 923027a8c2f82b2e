"""alice's API key issued before the test starts, for the tests about keys. The personas (alice,
bob, carol and their signed-in clients) are tests/personas.py's."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from accounts.models import ApiKey
from tests.personas import Persona


@dataclass(frozen=True)
class IssuedKey:
    api_key: ApiKey
    raw: str


@pytest.fixture
def alice_key(alice: Persona) -> IssuedKey:
    return IssuedKey(api_key=alice.api_key, raw=alice.key)
