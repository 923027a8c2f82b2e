"""The API personas (alice, bob) of the comparisons tests."""

from tests.comparisons.conftest import alice, bob  # noqa: F401 - fixtures
