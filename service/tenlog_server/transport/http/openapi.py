"""An OpenAPI 3 document generated from the route table and the message descriptors."""

from __future__ import annotations

import re
from typing import Any

from google.api import field_behavior_pb2
from google.protobuf.descriptor import FieldDescriptor

from tenlog_server.transport.http.log10_json_dialect import (
    ANY,
    DURATION,
    EMPTY,
    FIELD_MASK,
    LIST_VALUE,
    STRUCT,
    TIMESTAMP,
    VALUE,
    WRAPPERS,
    Descriptor,
    FieldDesc,
    enum_choices,
    has_extra,
    is_map,
    wire_name,
)
from tenlog_server.transport.http.routes import Route, RouteTable

_SCALAR_SCHEMAS: dict[int, dict[str, Any]] = {
    FieldDescriptor.TYPE_DOUBLE: {"type": "number", "format": "double"},
    FieldDescriptor.TYPE_FLOAT: {"type": "number", "format": "float"},
    FieldDescriptor.TYPE_INT64: {"type": "integer", "format": "int64"},
    FieldDescriptor.TYPE_UINT64: {"type": "integer", "format": "uint64"},
    FieldDescriptor.TYPE_INT32: {"type": "integer", "format": "int32"},
    FieldDescriptor.TYPE_FIXED64: {"type": "integer", "format": "uint64"},
    FieldDescriptor.TYPE_FIXED32: {"type": "integer", "format": "uint32"},
    FieldDescriptor.TYPE_BOOL: {"type": "boolean"},
    FieldDescriptor.TYPE_STRING: {"type": "string"},
    FieldDescriptor.TYPE_BYTES: {"type": "string", "format": "byte"},
    FieldDescriptor.TYPE_UINT32: {"type": "integer", "format": "uint32"},
    FieldDescriptor.TYPE_SFIXED32: {"type": "integer", "format": "int32"},
    FieldDescriptor.TYPE_SFIXED64: {"type": "integer", "format": "int64"},
    FieldDescriptor.TYPE_SINT32: {"type": "integer", "format": "int32"},
    FieldDescriptor.TYPE_SINT64: {"type": "integer", "format": "int64"},
}

_WELL_KNOWN_SCHEMAS: dict[str, dict[str, Any]] = {
    STRUCT: {"type": "object", "additionalProperties": True},
    VALUE: {"description": "Any JSON value."},
    LIST_VALUE: {"type": "array", "items": {}},
    TIMESTAMP: {"type": "string", "format": "date-time"},
    DURATION: {"type": "string", "example": "1.5s"},
    FIELD_MASK: {"type": "string", "description": "Comma-separated field paths."},
    ANY: {"type": "object", "properties": {"@type": {"type": "string"}}, "additionalProperties": True},
    EMPTY: {"type": "object"},
}

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "code": {"type": "integer", "description": "The gRPC status code."},
        "message": {"type": "string"},
        "error": {"type": "string", "description": "Same as message."},
        "details": {"type": "array", "items": {"type": "object", "additionalProperties": True}},
    },
}


def _schema_name(descriptor: Descriptor) -> str:
    return str(descriptor.full_name)


def _is_output_only(field: FieldDesc) -> bool:
    behaviors = field.GetOptions().Extensions[field_behavior_pb2.field_behavior]
    return field_behavior_pb2.OUTPUT_ONLY in behaviors


def _is_required(field: FieldDesc) -> bool:
    behaviors = field.GetOptions().Extensions[field_behavior_pb2.field_behavior]
    return field_behavior_pb2.REQUIRED in behaviors


class _SchemaBuilder:
    def __init__(self) -> None:
        self.schemas: dict[str, Any] = {"tenlog.Error": ERROR_SCHEMA}

    def ref(self, descriptor: Descriptor) -> dict[str, Any]:
        if descriptor.full_name in _WELL_KNOWN_SCHEMAS:
            return dict(_WELL_KNOWN_SCHEMAS[descriptor.full_name])
        if descriptor.full_name in WRAPPERS:
            return self.field_schema(descriptor.fields_by_name["value"])
        name = _schema_name(descriptor)
        if name not in self.schemas:
            self.schemas[name] = {}  # placeholder first: messages may be recursive
            self.schemas[name] = self.message_schema(descriptor)
        return {"$ref": f"#/components/schemas/{name}"}

    def message_schema(self, descriptor: Descriptor) -> dict[str, Any]:
        properties: dict[str, Any] = {}
        required: list[str] = []
        for field in descriptor.fields:
            if has_extra(descriptor) and field.name == "extra":
                continue
            schema = self.field_schema(field)
            if _is_output_only(field):
                schema = {**schema, "readOnly": True}
            properties[wire_name(field)] = schema
            if _is_required(field):
                required.append(wire_name(field))
        result: dict[str, Any] = {"type": "object", "properties": properties}
        if required:
            result["required"] = required
        if has_extra(descriptor):
            result["additionalProperties"] = True
            result["description"] = "Keys not named here are kept and returned as sent."
        return result

    def field_schema(self, field: FieldDesc) -> dict[str, Any]:
        if is_map(field):
            value_field = field.message_type.fields_by_name["value"]
            return {"type": "object", "additionalProperties": self._single(value_field)}
        single = self._single(field)
        if field.is_repeated:
            return {"type": "array", "items": single}
        return single

    def _single(self, field: FieldDesc) -> dict[str, Any]:
        if field.type == FieldDescriptor.TYPE_MESSAGE:
            return self.ref(field.message_type)
        if field.type == FieldDescriptor.TYPE_ENUM:
            return {"type": "string", "enum": enum_choices(field.enum_type)}
        return dict(_SCALAR_SCHEMAS[field.type])


def _shape(route: Route) -> tuple[object, ...]:
    """What makes two templates the same OpenAPI path: literals and variable positions, not names."""
    return (tuple((seg.kind, seg.literal) for seg in route.template.segments), route.template.verb)


def _parameter_names(route: Route) -> list[str]:
    """OpenAPI names of the path variables: the last part of each field path, unless two would clash."""
    short = [v.field_path.rsplit(".", 1)[-1] for v in route.template.variables]
    if len(set(short)) == len(short):
        return short
    return [v.field_path.replace(".", "_") for v in route.template.variables]


def _openapi_path(route: Route, names: list[str]) -> str:
    """The template with its variables renamed (`{completion.id}` -> `{id}`, `{name=shelves/*}` -> `{name}`)."""
    parts = iter(names)
    return re.sub(r"\{[^}]*\}", lambda _: "{" + next(parts) + "}", route.template.text)


def _merge_conditional(existing: dict[str, Any], operation: dict[str, Any], route: Route, code: str) -> None:
    """Fold a binding served only when a query parameter is present into the operation of its path.

    OpenAPI has one operation per path and method; the answer's shape depends
    on the parameter, so the success schema becomes a oneOf.
    """
    parameter = route.when_query_has
    names = {p["name"] for p in existing["parameters"]}
    if parameter not in names:
        existing["parameters"].append(
            {
                "name": parameter,
                "in": "query",
                "required": False,
                "description": f"When present, the call is {route.method.full_name} and answers its shape.",
                "schema": {"type": "string"},
            }
        )
    for param in operation["parameters"]:
        if param["name"] not in names and param["name"] != parameter:
            existing["parameters"].append(param)
            names.add(param["name"])
    mine = operation["responses"][code]["content"]["application/json"]["schema"]
    theirs = existing["responses"].setdefault(code, {"description": "Success", "content": {"application/json": {}}})
    content = theirs["content"].setdefault("application/json", {})
    prior = content.get("schema")
    content["schema"] = {"oneOf": [prior, mine]} if prior is not None else mine


def _query_parameters(route: Route, builder: _SchemaBuilder) -> list[dict[str, Any]]:
    if route.body == "*":
        return []
    params: list[dict[str, Any]] = []
    skip = set(route.path_fields) | ({route.body} if route.body else set())
    field: FieldDesc
    for field in route.method.input_type.fields:
        if field.name in skip or is_map(field):
            continue
        if field.type == FieldDescriptor.TYPE_MESSAGE and field.message_type.full_name not in (
            TIMESTAMP,
            DURATION,
            FIELD_MASK,
            *WRAPPERS,
        ):
            continue
        params.append({"name": field.name, "in": "query", "required": False, "schema": builder.field_schema(field)})
    return params


def _request_body(route: Route, builder: _SchemaBuilder) -> dict[str, Any] | None:
    if not route.body:
        return None
    if route.body == "*":
        schema = builder.ref(route.method.input_type)
    else:
        schema = builder.field_schema(route.method.input_type.fields_by_name[route.body])
    if route.client_streaming:
        return {
            "required": True,
            "description": "Newline-delimited JSON, one item per line.",
            "content": {"application/x-ndjson": {"schema": schema}},
        }
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _response_schema(route: Route, builder: _SchemaBuilder) -> dict[str, Any]:
    output = route.method.output_type
    if route.response_body:
        return builder.field_schema(output.fields_by_name[route.response_body])
    return builder.ref(output)


def build_openapi(table: RouteTable, title: str = "tenlog REST API", version: str = "v1") -> dict[str, Any]:
    """The OpenAPI 3.0 document for every route in the table."""
    builder = _SchemaBuilder()
    paths: dict[str, dict[str, Any]] = {}
    operation_ids: dict[str, int] = {}
    names_by_shape: dict[tuple[object, ...], list[str]] = {}
    # Bindings served only on a query parameter come last, to fold into their path's operation.
    for route in sorted(table.routes, key=lambda r: bool(r.when_query_has)):
        # Routes of one shape share parameter names, so no two OpenAPI paths are the same template.
        names = names_by_shape.setdefault(_shape(route), _parameter_names(route))
        path = _openapi_path(route, names)
        base_id = f"{route.method.containing_service.name}_{route.method.name}"
        count = operation_ids.get(base_id, 0)
        operation_ids[base_id] = count + 1
        parameters = [
            {
                "name": name,
                "in": "path",
                "required": True,
                "description": f"Sets {v.field_path}.",
                "schema": {"type": "string"},
            }
            for name, v in zip(names, route.template.variables, strict=True)
        ]
        parameters += _query_parameters(route, builder)
        response_schema = _response_schema(route, builder)
        if route.server_streaming:
            success_content = {
                "application/x-ndjson": {
                    "schema": {"type": "object", "properties": {"result": response_schema, "error": {}}}
                }
            }
        else:
            success_content = {"application/json": {"schema": response_schema}}
        operation: dict[str, Any] = {
            "operationId": base_id if count == 0 else f"{base_id}{count + 1}",
            "tags": [route.method.containing_service.name],
            "summary": f"{route.method.containing_service.name}.{route.method.name}",
            "parameters": parameters,
            "security": [{"Log10Token": []}, {"Bearer": []}, {"ApiKey": []}],
            "responses": {
                str(route.success_code): {"description": "Success", "content": success_content},
                "default": {
                    "description": "An error: the gRPC code, a message and its details.",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/tenlog.Error"}}},
                },
            },
        }
        body = _request_body(route, builder)
        if body is not None:
            operation["requestBody"] = body
        operations = paths.setdefault(path, {})
        method = route.http_method.lower()
        if method in operations and route.when_query_has:
            _merge_conditional(operations[method], operation, route, str(route.success_code))
        else:
            operations[method] = operation
    return {
        "openapi": "3.0.3",
        "info": {"title": title, "version": version, "description": "Generated from the tenlog.v1 protos."},
        "paths": paths,
        "components": {
            "schemas": builder.schemas,
            "securitySchemes": {
                "Log10Token": {"type": "apiKey", "in": "header", "name": "X-Log10-Token"},
                "Bearer": {"type": "http", "scheme": "bearer"},
                "ApiKey": {"type": "apiKey", "in": "header", "name": "x-api-key"},
            },
        },
    }
