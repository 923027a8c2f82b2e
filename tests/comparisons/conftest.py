"""The comparisons tests' personas are tests/personas.py's (alice and bob, each with a working API
key); real inputs come from tests/media.py."""

from tests.personas import Persona, make_persona

__all__ = ["Persona", "make_persona"]  # re-exported: older test modules import them from here
