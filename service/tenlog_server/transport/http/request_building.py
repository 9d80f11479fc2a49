"""Build a gRPC request message from an HTTP request: body, query string, path variables.

Order, as grpc-gateway applies it: the body first, then query parameters onto
the fields neither the path nor the body binds, then the path variables.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import grpc
import orjson
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from multidict import MultiMapping

from tenlog_server.domain.input_contract import json_violations
from tenlog_server.domain.limits import MAX_JSON_DEPTH
from tenlog_server.transport.http.errors import GatewayError
from tenlog_server.transport.http.json_mapping import field_mask_paths, parse_message, set_from_strings
from tenlog_server.transport.http.log10_json_dialect import FIELD_MASK, FieldDesc, JsonMappingError
from tenlog_server.transport.http.routes import Route

UPDATE_MASK_FIELD = "update_mask"


def invalid_argument(error: JsonMappingError) -> GatewayError:
    """A 400 naming the field a JSON value did not fit."""
    return GatewayError(
        400,
        grpc.StatusCode.INVALID_ARGUMENT,
        f"invalid request: {error}",
        field_violations=[(error.field_path, error.description)],
    )


def decode_json(raw: bytes, what: str = "request body") -> Any:
    """Parse JSON bytes, answering 400 with the parser's position when they are not JSON.

    Strict, so every backend stores the same thing: NaN, Infinity, numbers past the
    double range (1e400), lone UTF-16 surrogates and nesting past MAX_JSON_DEPTH are refused.
    """
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        problem = str(error)
        if "depth limit" in problem:
            problem = f"nested deeper than {MAX_JSON_DEPTH} levels"
        raise GatewayError(
            400,
            grpc.StatusCode.INVALID_ARGUMENT,
            f"{what} is not valid JSON: {problem}",
            field_violations=[(what, problem)],
            reason="INVALID_JSON",
        ) from None
    violations = json_violations("$", value, MAX_JSON_DEPTH)
    if violations:
        where = violations[0].field
        raise GatewayError(
            400,
            grpc.StatusCode.INVALID_ARGUMENT,
            f"{what}: {where} {violations[0].description}",
            field_violations=[(where, violations[0].description)],
            reason="INVALID_JSON",
        )
    return value


def _body_target(route: Route, message: Message) -> tuple[Message, str, FieldDesc | None]:
    """Where the body goes: the message itself (body "*") or one of its fields."""
    if route.body == "*":
        return message, "", None
    field = message.DESCRIPTOR.fields_by_name[route.body]
    return message, route.body, field


def apply_body(route: Route, message: Message, body: Any) -> None:
    """Merge a decoded JSON body into the request as the route's `body` says."""
    _, field_name, field = _body_target(route, message)
    try:
        if field is None:
            parse_message(body, message)
        elif field.type == FieldDescriptor.TYPE_MESSAGE and not field.is_repeated:
            sub = getattr(message, field_name)
            parse_message(body, sub, field_name)
            sub.SetInParent()
        else:
            # A repeated or scalar body field: reuse the object-level parser on {field: body}.
            parse_message({field_name: body}, message)
    except JsonMappingError as error:
        raise invalid_argument(error) from None


def _query_excluded(route: Route, body_applied: bool) -> set[str]:
    excluded = set(route.path_fields)
    if body_applied and route.body and route.body != "*":
        excluded.add(route.body)
    return excluded


def apply_query(route: Route, message: Message, query: MultiMapping[str], body_is_star: bool) -> None:
    """Set request fields from query parameters; unknown parameters are ignored, as grpc-gateway does."""
    if body_is_star:
        return  # body "*" binds every field the path does not
    excluded = _query_excluded(route, body_applied=True)
    for key in dict.fromkeys(query.keys()):
        name = key[:-2] if key.endswith("[]") else key  # `tags[]=a&tags[]=b` is common too
        if name in excluded or name.split(".", 1)[0] in excluded:
            continue
        try:
            set_from_strings(message, name, list(query.getall(key)))
        except JsonMappingError as error:
            raise invalid_argument(JsonMappingError(f"query parameter {name}", error.description)) from None


def apply_path(message: Message, path_values: Mapping[str, str]) -> None:
    """Set the fields the path template bound."""
    for field_path, value in path_values.items():
        try:
            set_from_strings(message, field_path, [value])
        except JsonMappingError as error:
            raise invalid_argument(JsonMappingError(f"path variable {field_path}", error.description)) from None


def fill_update_mask(route: Route, message: Message, body: Any) -> None:
    """Derive `update_mask` from the body's keys when the client gave none (as for PATCH in grpc-gateway)."""
    field: FieldDesc | None = message.DESCRIPTOR.fields_by_name.get(UPDATE_MASK_FIELD)
    if (
        field is None
        or field.type != FieldDescriptor.TYPE_MESSAGE
        or field.message_type.full_name != FIELD_MASK
        or route.body in ("", "*")
        or message.HasField(UPDATE_MASK_FIELD)
        or not isinstance(body, dict)
    ):
        return
    body_field = message.DESCRIPTOR.fields_by_name[route.body]
    if body_field.type != FieldDescriptor.TYPE_MESSAGE:
        return
    mask = getattr(message, UPDATE_MASK_FIELD)
    mask.paths.extend(field_mask_paths(body, body_field.message_type))
    mask.SetInParent()


def build_request(
    route: Route,
    path_values: Mapping[str, str],
    query: MultiMapping[str],
    body: Any,
    has_body: bool,
) -> Message:
    """The full request message for one unary call (or one item of a client stream)."""
    message = route.request_class()
    if has_body:
        if route.body:
            apply_body(route, message, body)
        elif isinstance(body, dict):
            # A JSON body on a route without one (GET /api/v1/feedback as log10py sends
            # it): read it as body "*", so fields may come from the query or the body.
            try:
                parse_message(body, message)
            except JsonMappingError as error:
                raise invalid_argument(error) from None
        else:
            raise GatewayError(
                400, grpc.StatusCode.INVALID_ARGUMENT, "request body must be a JSON object on this route"
            )
    apply_query(route, message, query, body_is_star=route.body == "*")
    apply_path(message, path_values)
    if has_body:
        fill_update_mask(route, message, body)
    return message
