"""JSON-Schema checks for feedback tasks and the feedback values uploaded for them, with bounded work.

A task's schema and the values checked against it are user input, so neither
may run for long:

- a schema is refused at task creation when it is too large or too deep, when
  its `$ref`s leave the document, form a cycle or expand past a bound, or when a
  pattern is not one RE2 (a linear-time engine) accepts;
- every `pattern` is then matched with RE2, never with Python's backtracking `re`;
- values are refused when too large or with arrays too long (`uniqueItems` is
  quadratic);
- the work runs in worker processes of its own, off the event loop (and its
  GIL), with a deadline past which the worker is killed (see `SchemaChecks`).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import multiprocessing
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

import orjson
import pebble
import re2
from jsonschema import Draft202012Validator, ValidationError, validators
from jsonschema.exceptions import SchemaError
from jsonschema.protocols import Validator

from .errors import FieldViolation, InvalidArgument
from .input_contract import json_violations
from .limits import (
    MAX_SCHEMA_BYTES,
    MAX_SCHEMA_DEPTH,
    MAX_SCHEMA_PATTERN_LENGTH,
    MAX_VALIDATED_ARRAY_ITEMS,
    MAX_VALUES_BYTES,
    SCHEMA_CHECK_SECONDS,
)

# How many schema nodes a schema may stand for once its $refs are expanded: a DAG of
# refs doubling at each level (a "billion laughs" schema) is small on the wire but not to check.
MAX_EXPANDED_SCHEMA_NODES = 100_000
_REF_KEYWORDS = ("$ref",)
_FORBIDDEN_KEYWORDS = {
    "$dynamicRef": "dynamic references are not supported",
    "$recursiveRef": "recursive references are not supported",
}
T = TypeVar("T")


def _json_path(path: Any) -> str:
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _re2_options() -> Any:
    options = re2.Options()
    options.log_errors = False  # a refused pattern is the client's error, reported to it
    options.max_mem = 8 << 20
    return options


@functools.lru_cache(maxsize=1024)
def compiled_pattern(pattern: str) -> Any:
    """The RE2 program of a pattern (cached); raises re2.error when RE2 cannot run it."""
    return re2.compile(pattern, options=_re2_options())


def _search(pattern: str, text: str) -> bool:
    return compiled_pattern(pattern).search(text) is not None


# --- keywords that match patterns, over RE2 instead of `re` --------------------------------------


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not _search(pattern, instance):
        shown = repr(instance) if len(instance) <= 40 else repr(instance[:40]) + "…"
        yield ValidationError(f"{shown} does not match {pattern!r}")


def _pattern_properties(
    validator: Any, patterns: Mapping[str, Any], instance: Any, schema: Any
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for key, value in instance.items():
            if _search(pattern, key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _additional(instance: Mapping[str, Any], schema: Mapping[str, Any]) -> list[str]:
    properties = schema.get("properties", {})
    patterns = list(schema.get("patternProperties", {}))
    return [key for key in instance if key not in properties and not any(_search(pattern, key) for pattern in patterns)]


def _additional_properties(validator: Any, allowed: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    extras = _additional(instance, schema)
    if validator.is_type(allowed, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], allowed, path=extra)
    elif not allowed and extras:
        listed = ", ".join(repr(extra) for extra in sorted(extras))
        yield ValidationError(f"Additional properties are not allowed ({listed} unexpected)")


_RE2_KEYWORDS = {
    "pattern": _pattern,
    "patternProperties": _pattern_properties,
    "additionalProperties": _additional_properties,
}


@functools.lru_cache(maxsize=16)
def _re2_validator(cls: type[Validator]) -> type[Validator]:
    return validators.extend(cls, _RE2_KEYWORDS)  # type: ignore[no-any-return,no-untyped-call]


def _validator_for(schema: Mapping[str, Any]) -> Validator:
    cls = validators.validator_for(schema, default=Draft202012Validator)
    return _re2_validator(cls)(schema)


# --- schema checks ------------------------------------------------------------------------------


def _walk(node: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Every (path, value) of a JSON value, the value itself first (depth is bounded before this runs)."""
    yield path, node
    if isinstance(node, Mapping):
        for key, child in node.items():
            yield from _walk(child, (*path, key))
    elif isinstance(node, list):
        for i, child in enumerate(node):
            yield from _walk(child, (*path, i))


def _resolve(schema: Any, ref: str) -> tuple[tuple[str | int, ...], Any] | None:
    """The location and node a local `#/json/pointer` ref names, or None."""
    if ref == "#":
        return (), schema
    if not ref.startswith("#/"):
        return None
    node = schema
    path: list[str | int] = []
    for raw in ref[2:].split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and part in node:
            node = node[part]
            path.append(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
            path.append(int(part))
        else:
            return None
    return tuple(path), node


def _field(path: tuple[str | int, ...]) -> str:
    return "json_schema" + _json_path(path)[1:]


def _structure_violations(schema: dict[str, Any]) -> list[FieldViolation]:
    """Refs that leave the document, cycle or explode; patterns RE2 refuses; unsupported keywords."""
    refs: dict[tuple[str | int, ...], tuple[str | int, ...]] = {}  # location of a $ref -> its target
    uses_unevaluated = uses_pattern_properties = False
    for path, node in _walk(schema):
        if not isinstance(node, Mapping):
            continue
        for keyword, why in _FORBIDDEN_KEYWORDS.items():
            if keyword in node:
                return [FieldViolation(_field((*path, keyword)), why)]
        if path and "$id" in node and isinstance(node["$id"], str):
            return [FieldViolation(_field((*path, "$id")), "only the root schema may set $id")]
        ref = node.get("$ref")
        if isinstance(ref, str):
            target = _resolve(schema, ref)
            if target is None:
                return [
                    FieldViolation(_field((*path, "$ref")), f"{ref!r} is not a JSON pointer into this schema (`#/...`)")
                ]
            refs[path] = target[0]
        uses_unevaluated |= "unevaluatedProperties" in node
        patterns: list[tuple[tuple[str | int, ...], Any]] = []
        if "pattern" in node:
            patterns.append(((*path, "pattern"), node["pattern"]))
        if isinstance(node.get("patternProperties"), Mapping):
            uses_pattern_properties = True
            patterns += [((*path, "patternProperties", key), key) for key in node["patternProperties"]]
        for where, pattern in patterns:
            if not isinstance(pattern, str):
                continue  # the meta-schema check reports the type
            if len(pattern) > MAX_SCHEMA_PATTERN_LENGTH:
                return [FieldViolation(_field(where), f"pattern is longer than {MAX_SCHEMA_PATTERN_LENGTH} characters")]
            try:
                compiled_pattern(pattern)
            except re2.error as exc:
                detail = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
                return [
                    FieldViolation(
                        _field(where),
                        f"pattern {pattern!r} is not supported: {detail} "
                        "(patterns run on RE2: no backreferences or lookaround)",
                    )
                ]
    if uses_unevaluated and uses_pattern_properties:
        return [FieldViolation("json_schema", "unevaluatedProperties together with patternProperties is not supported")]
    return _ref_graph_violations(schema, refs)


def _ref_graph_violations(
    schema: dict[str, Any], refs: dict[tuple[str | int, ...], tuple[str | int, ...]]
) -> list[FieldViolation]:
    """A cycle through $refs (a recursive schema), or an expansion past MAX_EXPANDED_SCHEMA_NODES."""

    def inside(path: tuple[str | int, ...], root: tuple[str | int, ...]) -> bool:
        return path[: len(root)] == root

    # Edge: a ref -> every ref within the subtree it points at (checking the ref checks them).
    edges = {ref: [other for other in refs if inside(other, target)] for ref, target in refs.items()}
    state: dict[tuple[str | int, ...], int] = {}  # 1: on the stack, 2: done
    for start in refs:
        if start in state:
            continue
        stack: list[tuple[tuple[str | int, ...], Iterator[tuple[str | int, ...]]]] = [(start, iter(edges[start]))]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
            elif state.get(child) == 1:
                return [
                    FieldViolation(
                        _field((*child, "$ref")), "recursive schemas are not supported: this $ref leads back to itself"
                    )
                ]
            elif child not in state:
                state[child] = 1
                stack.append((child, iter(edges[child])))

    # Acyclic: count the nodes a full expansion visits, memoised per subtree.
    sizes: dict[tuple[str | int, ...], int] = {}

    def size(path: tuple[str | int, ...], node: Any) -> int:
        if path in sizes:
            return sizes[path]
        total = 1
        if isinstance(node, Mapping):
            total += sum(size((*path, k), v) for k, v in node.items())
            if path in refs:
                target = refs[path]
                resolved = _resolve(schema, "#/" + "/".join(str(p) for p in target)) if target else ((), schema)
                if resolved is not None:
                    total += size(target, resolved[1])
        elif isinstance(node, list):
            total += sum(size((*path, i), v) for i, v in enumerate(node))
        sizes[path] = min(total, MAX_EXPANDED_SCHEMA_NODES + 1)
        return sizes[path]

    if refs and size((), schema) > MAX_EXPANDED_SCHEMA_NODES:
        return [
            FieldViolation(
                "json_schema", f"its $refs expand to more than {MAX_EXPANDED_SCHEMA_NODES} schema nodes (too costly)"
            )
        ]
    return []


def schema_violations(schema: dict[str, Any]) -> list[FieldViolation]:
    """Violations when `schema` is not valid JSON Schema, or costs more to check than the limits allow."""
    shape = json_violations("json_schema", schema, MAX_SCHEMA_DEPTH)
    if shape:
        return shape
    size = len(orjson.dumps(schema))
    if size > MAX_SCHEMA_BYTES:
        return [FieldViolation("json_schema", f"is {size} bytes of JSON; the limit is {MAX_SCHEMA_BYTES}")]
    cls = validators.validator_for(schema, default=Draft202012Validator)
    try:
        cls.check_schema(schema)
    except SchemaError as exc:
        where = _json_path(exc.path)
        return [FieldViolation(f"json_schema{where[1:]}", f"not valid JSON Schema: {exc.message}")]
    return _structure_violations(schema)


def _arrays_too_long(value: Any) -> str | None:
    stack = [("json_values", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, Mapping):
            stack.extend((f"{path}.{k}", v) for k, v in item.items())
        elif isinstance(item, list):
            if len(item) > MAX_VALIDATED_ARRAY_ITEMS:
                return path
            stack.extend((f"{path}[{i}]", v) for i, v in enumerate(item))
    return None


def value_violations(schema: dict[str, Any], values: dict[str, Any]) -> list[FieldViolation]:
    """Every way `values` breaks `schema`, each named by its JSON path under json_values."""
    shape = json_violations("json_values", values)
    if shape:
        return shape
    size = len(orjson.dumps(values))
    if size > MAX_VALUES_BYTES:
        return [FieldViolation("json_values", f"is {size} bytes of JSON; the limit is {MAX_VALUES_BYTES}")]
    long_array = _arrays_too_long(values)
    if long_array is not None:
        return [FieldViolation(long_array, f"has more than {MAX_VALIDATED_ARRAY_ITEMS} items")]
    errors = sorted(_validator_for(schema).iter_errors(values), key=lambda e: list(map(str, e.absolute_path)))
    return [FieldViolation("json_values" + _json_path(e.absolute_path)[1:], e.message) for e in errors]


class SchemaChecks:
    """Runs schema and value checks in worker processes of their own, each within SCHEMA_CHECK_SECONDS.

    Processes, not threads: checking is pure-Python CPU work, and a thread doing
    it holds the GIL the event loop needs, so every other call would slow down
    while it runs. A check past its deadline is refused and its worker killed
    (and replaced) by pebble, so no schema can hold a worker either.
    """

    def __init__(self, workers: int = 2, deadline_seconds: float = SCHEMA_CHECK_SECONDS) -> None:
        # spawn: forking a process that runs gRPC threads is unsafe.
        self._pool = pebble.ProcessPool(max_workers=workers, context=multiprocessing.get_context("spawn"))
        self.deadline_seconds = deadline_seconds

    async def _run(self, what: str, check: Callable[..., T], *args: Any) -> T:
        future = self._pool.schedule(check, args=args, timeout=self.deadline_seconds)
        try:
            return await asyncio.wrap_future(future)
        except concurrent.futures.TimeoutError:
            raise InvalidArgument(
                f"checking the {what} took longer than the limit of {self.deadline_seconds:g} s",
                [FieldViolation(what, f"too costly to check (SCHEMA_CHECK_SECONDS={self.deadline_seconds:g})")],
                reason="SCHEMA_CHECK_DEADLINE",
            ) from None
        except RecursionError:
            raise InvalidArgument(
                f"the {what} is nested too deeply to check", [FieldViolation(what, "nested too deeply")]
            ) from None

    async def schema(self, schema: dict[str, Any]) -> list[FieldViolation]:
        """schema_violations, off the event loop."""
        return await self._run("json_schema", schema_violations, schema)

    async def values(self, schema: dict[str, Any], values: dict[str, Any]) -> list[FieldViolation]:
        """value_violations, off the event loop."""
        return await self._run("json_values", value_violations, schema, values)

    def close(self) -> None:
        """Stop the workers (pending checks are dropped)."""
        self._pool.stop()  # type: ignore[no-untyped-call]
