"""Checks every answer of a finished comparison must pass, whatever its type: each change matches
the change model as the API's own OpenAPI schema documents it, and the answer never contradicts
itself (identical, changes, summary and verdict agree)."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.test import Client
from jsonschema import Draft7Validator

from comparisons.verdicts import verdict

IDENTICAL = "Identical — no meaningful differences found"
NO_DIFFERENCES = "No differences found."


def _json_schema(node: Any) -> Any:
    """OpenAPI 3.0 to JSON Schema: `nullable: true` becomes "or null"."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


@cache
def served_components() -> dict[str, Any]:
    """The component schemas exactly as /api/schema/ serves them."""
    response = Client().get("/api/schema/?format=json")
    assert response.status_code == 200
    components: dict[str, Any] = response.json()["components"]["schemas"]
    return components


def change_validator(component: str = "Change") -> Draft7Validator:
    """A validator for one component of the served schema, its references resolved there."""
    schemas = _json_schema(served_components())
    root = {"$ref": f"#/components/schemas/{component}", "components": {"schemas": schemas}}
    return Draft7Validator(root)


def assert_changes_match_the_schema(body: dict[str, Any]) -> None:
    validator = change_validator()
    assert isinstance(body["changes"], list)
    for change in body["changes"]:
        errors = [error.message for error in validator.iter_errors(change)]
        assert not errors, f"{change} does not match the schema's Change: {errors}"


def assert_consistent(body: dict[str, Any]) -> None:
    """identical => no change, a summary that says nothing was found and the Identical verdict;
    a change => not identical, a summary that says something was and any verdict but Identical.
    (Not identical with no change listed is allowed: an image that differs slightly all over.)"""
    assert body["status"] == "done"
    assert isinstance(body["identical"], bool) and isinstance(body["summary"], str)
    assert body["verdict"] == verdict(body["similarity"], identical=body["identical"])
    if body["identical"]:
        assert body["changes"] == []
        assert body["summary"].startswith(NO_DIFFERENCES[:-1])  # images may add "outside …"
        assert body["verdict"] == IDENTICAL
    else:
        assert body["summary"] and not body["summary"].startswith(NO_DIFFERENCES[:-1])
        assert body["verdict"] != IDENTICAL
    if body["changes"]:
        assert body["identical"] is False


def assert_sound(body: dict[str, Any]) -> None:
    assert_changes_match_the_schema(body)
    assert_consistent(body)
