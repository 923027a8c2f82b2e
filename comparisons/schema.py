"""OpenAPI extensions: X-API-Key authentication, and the change model (docs/change-model.md) as
named components, so the schema says exactly what each entry of `changes` looks like.

`changes` is a union discriminated by its location: every change has `kind`, `before`, `after`
and `magnitude`, and exactly one location key — `region`, `time`, `lines`, `path` or `cell`
(subtitle cues: `cue` together with `time`). Each member forbids the others' keys, so a change
matches exactly one of them (OpenAPI's `discriminator` names a property's value, not a key, so
the union is a plain `oneOf`)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.plumbing import ResolvedComponent

from comparisons.engines.changes import KINDS


class ApiKeyScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "accounts.authentication.ApiKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-API-Key",
            "description": "Your dk_live_… key from the API Keys panel.",
        }


# --- the change model ----------------------------------------------------------------------------


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _closed(properties: dict[str, Any], description: str) -> dict[str, Any]:
    """An object with exactly these keys, all of them present."""
    return {
        "type": "object",
        "description": description,
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def _numbers(kind: str, description: str, **bounds: Any) -> dict[str, Any]:
    sides = ("source_start", "source_end", "target_start", "target_end")
    return _closed(
        {side: {"type": kind, "nullable": True, **bounds} for side in sides}, description
    )


_VALUE = {
    "description": "A JSON value (string, number, boolean, object or array); null only when "
    "there is none (`before` of an added value, `after` of a removed one, or a change whose "
    "location says it all, such as a region or a time span)."
}
_PIXELS = {"type": "integer", "minimum": 0}

COMPONENTS: dict[str, dict[str, Any]] = {
    "ChangeKind": {
        "type": "string",
        "enum": list(KINDS),
        "description": "`added`: only in file2; `removed`: only in file1; `changed`: in both, "
        "different; `moved`: the same content at another place; `shifted`: the same content "
        "at another time.",
    },
    "Box": _closed(
        {"x": _PIXELS, "y": _PIXELS, "width": _PIXELS, "height": _PIXELS},
        "A rectangle in pixels: left, top, width, height.",
    ),
    "RegionLocation": {
        "type": "object",
        "description": "A rectangle in file1's pixels; `target` is the same place in file2's "
        "pixels, present only when it differs (other sizes, or feature mode's alignment).",
        "properties": {
            "x": _PIXELS,
            "y": _PIXELS,
            "width": _PIXELS,
            "height": _PIXELS,
            "target": _ref("Box"),
        },
        "required": ["x", "y", "width", "height"],
        "additionalProperties": False,
    },
    "TimeSpan": _numbers(
        "number",
        "Seconds (3 decimals) in each file: file1 is the source, file2 the target; a side "
        "without the content is null.",
    ),
    "LineSpan": _numbers(
        "integer",
        "Lines, 1-based and inclusive, in each file; a side with no lines is null.",
        minimum=1,
    ),
    "CellLocation": _closed(
        {
            "row": {"type": "integer", "nullable": True, "minimum": 1},
            "column": {"anyOf": [{"type": "string", "nullable": True}, {"type": "integer"}]},
        },
        "A CSV cell: the 1-based data row (header excluded) and the column's name (its 1-based "
        "number when there is no header); a null column is the whole row, a null row the whole "
        "column.",
    ),
    "CueLocation": _closed(
        {
            "source_index": {"type": "integer", "nullable": True, "minimum": 1},
            "target_index": {"type": "integer", "nullable": True, "minimum": 1},
        },
        "A subtitle cue's 1-based number in each file; null on the side without the cue.",
    ),
}

# Each member of the union: its location keys (with their schema), then the keys all share.
_MEMBERS: dict[str, tuple[dict[str, Any], str]] = {
    "RegionChange": ({"region": _ref("RegionLocation")}, "Images: a changed region."),
    "TimeChange": ({"time": _ref("TimeSpan")}, "Video and audio: a span of seconds."),
    "LinesChange": ({"lines": _ref("LineSpan")}, "Text: a hunk of lines."),
    "PathChange": (
        {
            "path": {
                "type": "string",
                "description": "JSONPath (`$.a.b[3]`) for JSON, an XPath-like path "
                "(`/a/b[2]/@id`) for XML: where in file1 (file2 for an added value).",
            }
        },
        "JSON and XML: a value at a path.",
    ),
    "CellChange": ({"cell": _ref("CellLocation")}, "CSV: a cell, a row or a column."),
    "CueChange": (
        {"cue": _ref("CueLocation"), "time": _ref("TimeSpan")},
        "Subtitles: a cue, by its number and its time in each file.",
    ),
}
for _name, (_location, _description) in _MEMBERS.items():
    COMPONENTS[_name] = _closed(
        {
            "kind": _ref("ChangeKind"),
            **_location,
            "before": {**_VALUE, "description": "The value in file1. " + _VALUE["description"]},
            "after": {**_VALUE, "description": "The value in file2. " + _VALUE["description"]},
            "magnitude": {
                "type": "number",
                "minimum": 0,
                "maximum": 1,
                "description": "How much this one change differs, 0-1 (1 = entirely).",
            },
        },
        _description,
    )
COMPONENTS["Change"] = {
    "description": "One difference, in the one shape of every media type (docs/change-model.md): "
    "exactly one location key says which member it is.",
    "oneOf": [_ref(name) for name in _MEMBERS],
}


class ChangesFieldSchema(OpenApiSerializerFieldExtension):  # type: ignore[no-untyped-call]
    """`changes` as an array of the Change union, its members registered as components."""

    target_class = "comparisons.serializers.ChangesField"

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        for name, schema in COMPONENTS.items():  # drf-spectacular's plumbing is untyped
            component = ResolvedComponent(  # type: ignore[no-untyped-call]
                name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schema
            )
            auto_schema.registry.register_on_missing(component)
        return {"type": "array", "items": _ref("Change")}
