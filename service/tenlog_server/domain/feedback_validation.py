"""JSON-Schema checks for feedback tasks and the feedback values uploaded for them."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import SchemaError

from .errors import FieldViolation


def _json_path(path: Any) -> str:
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def schema_violations(schema: dict[str, Any]) -> list[FieldViolation]:
    """Violations when `schema` is not valid JSON Schema under its own (or the latest) meta-schema."""
    cls = validators.validator_for(schema, default=Draft202012Validator)
    try:
        cls.check_schema(schema)
    except SchemaError as exc:
        where = _json_path(exc.path)
        return [FieldViolation(f"json_schema{where[1:]}", f"not valid JSON Schema: {exc.message}")]
    return []


def value_violations(schema: dict[str, Any], values: dict[str, Any]) -> list[FieldViolation]:
    """Every way `values` breaks `schema`, each named by its JSON path under json_values."""
    cls = validators.validator_for(schema, default=Draft202012Validator)
    errors = sorted(cls(schema).iter_errors(values), key=lambda e: list(map(str, e.absolute_path)))
    return [FieldViolation("json_values" + _json_path(e.absolute_path)[1:], e.message) for e in errors]
