"""An OpenAPI 3 document generated from the route table and the message descriptors."""

from __future__ import annotations

import re
from typing import Any

from google.api import field_behavior_pb2
from google.protobuf.descriptor import FieldDescriptor

from tenlog_server.transport.http.json_mapping import (
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


def _openapi_path(route: Route) -> str:
    text = route.template.text
    # {completion.id} -> {completion.id}; {name=shelves/*} -> {name}
    return re.sub(r"\{([^}=]+)=[^}]*\}", r"{\1}", text)


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
    for route in table.routes:
        path = _openapi_path(route)
        base_id = f"{route.method.containing_service.name}_{route.method.name}"
        count = operation_ids.get(base_id, 0)
        operation_ids[base_id] = count + 1
        parameters = [
            {"name": v.field_path, "in": "path", "required": True, "schema": {"type": "string"}}
            for v in route.template.variables
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
        paths.setdefault(path, {})[route.http_method.lower()] = operation
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
