"""OTLP/JSON -> the OTLP protobuf messages.

OTLP/JSON is protobuf's JSON mapping with one difference: trace and span ids are hex,
not base64. Enums may be integers, int64 values strings; unknown fields (a newer
protocol's) are ignored, as the specification asks of receivers.
"""

from __future__ import annotations

import base64
import json
from typing import Any, TypeVar

from google.protobuf import json_format
from google.protobuf.message import Message

M = TypeVar("M", bound=Message)
_ID_FIELDS = {"traceId": 16, "spanId": 8, "parentSpanId": 8, "trace_id": 16, "span_id": 8, "parent_span_id": 8}
_ID_CONTAINERS = {"spans", "logRecords", "log_records", "links"}


class OtlpJsonError(ValueError):
    """The body is not OTLP/JSON; `field` says where."""

    def __init__(self, field: str, description: str) -> None:
        super().__init__(f"{field}: {description}")
        self.field = field
        self.description = description


def _ids_to_base64(value: Any, path: str, in_container: bool) -> Any:
    """The JSON with hex ids (only those of spans, links and log records) rewritten as protobuf's base64."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            where = f"{path}.{key}" if path else key
            if in_container and key in _ID_FIELDS and isinstance(item, str):
                try:
                    raw = bytes.fromhex(item)
                except ValueError:
                    raise OtlpJsonError(where, "must be a hex string") from None
                if raw and len(raw) != _ID_FIELDS[key]:
                    raise OtlpJsonError(where, f"must be {2 * _ID_FIELDS[key]} hex digits")
                out[key] = base64.b64encode(raw).decode()
            else:
                out[key] = _ids_to_base64(item, where, key in _ID_CONTAINERS)
        return out
    if isinstance(value, list):
        return [_ids_to_base64(item, f"{path}[{i}]", in_container) for i, item in enumerate(value)]
    return value


def parse_otlp_json(body: bytes, message: M) -> M:
    """Fill `message` from an OTLP/JSON body; raises OtlpJsonError naming the bad field."""
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise OtlpJsonError("body", f"is not JSON: {exc}") from None
    if not isinstance(document, dict):
        raise OtlpJsonError("body", "must be a JSON object")
    try:
        json_format.ParseDict(_ids_to_base64(document, "", False), message, ignore_unknown_fields=True)
    except json_format.ParseError as exc:
        raise OtlpJsonError("body", str(exc)) from None
    return message


def message_to_otlp_json(message: Message) -> bytes:
    """A response message as OTLP/JSON (lowerCamelCase names, int64 as strings)."""
    return json.dumps(json_format.MessageToDict(message), separators=(",", ":")).encode()
