"""Fuzz every unary gRPC method with Hypothesis-generated messages, on both backends.

Messages are drawn field by field from each request's descriptor: strings with NUL
and lone surrogates' replacement, extreme integers, NaN and infinities, nested
messages, and Struct documents (arbitrary JSON-like values). No call may end
INTERNAL, UNKNOWN or without an answer. `make test` draws a few examples per
method (TENLOG_FUZZ_EXAMPLES); `make fuzz` many more.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from google.protobuf import struct_pb2
from google.protobuf.descriptor import Descriptor, FieldDescriptor, MethodDescriptor
from google.protobuf.message import Message
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tenlog_server.transport.http.routes import load_services

from tests.support.server import ServerProcess

EXAMPLES = int(os.environ.get("TENLOG_FUZZ_EXAMPLES", "3")) * 4
BAD_CODES = {grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN, grpc.StatusCode.DEADLINE_EXCEEDED}
_INT_BOUNDS = {
    FieldDescriptor.CPPTYPE_INT32: (-(2**31), 2**31 - 1),
    FieldDescriptor.CPPTYPE_INT64: (-(2**63), 2**63 - 1),
    FieldDescriptor.CPPTYPE_UINT32: (0, 2**32 - 1),
    FieldDescriptor.CPPTYPE_UINT64: (0, 2**64 - 1),
}

text = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["", "a\x00b", "x" * 300, "\ufffd", "t-1", "default", "org-a"]),
)
numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -1.0, 1e308, -1e308, 2.0**63]),
)
json_values = st.recursive(
    st.none() | st.booleans() | numbers | text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(text, children, max_size=4),
    max_leaves=20,
)


def _scalar(field: FieldDescriptor) -> st.SearchStrategy[Any]:
    cpp = field.cpp_type
    if cpp == FieldDescriptor.CPPTYPE_STRING:
        return st.binary(max_size=20) if field.type == FieldDescriptor.TYPE_BYTES else text
    if cpp in _INT_BOUNDS:
        low, high = _INT_BOUNDS[cpp]
        return st.one_of(st.integers(low, high), st.sampled_from([low, high, 0, -1 if low else 1]))
    if cpp in (FieldDescriptor.CPPTYPE_DOUBLE, FieldDescriptor.CPPTYPE_FLOAT):
        return numbers if cpp == FieldDescriptor.CPPTYPE_DOUBLE else st.floats(width=32)
    if cpp == FieldDescriptor.CPPTYPE_BOOL:
        return st.booleans()
    if cpp == FieldDescriptor.CPPTYPE_ENUM:
        return st.sampled_from([v.number for v in field.enum_type.values] + [999])
    raise AssertionError(field.full_name)  # pragma: no cover


@st.composite
def messages(draw: st.DrawFn, descriptor: Descriptor, depth: int = 0) -> dict[str, Any]:
    """Field values for one message (a dict the message is filled from)."""
    values: dict[str, Any] = {}
    for field in descriptor.fields:
        if not draw(st.booleans()):
            continue
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            continue  # maps: their keys and values are covered as plain fields elsewhere
        if field.message_type is not None:
            if field.message_type.full_name == "google.protobuf.Struct":
                strategy: st.SearchStrategy[Any] = st.dictionaries(text, json_values, max_size=4)
            elif depth >= 3:
                continue
            else:
                strategy = messages(field.message_type, depth + 1)
        else:
            strategy = _scalar(field)
        repeated = field.is_repeated
        values[field.name] = draw(st.lists(strategy, max_size=3)) if repeated else draw(strategy)
    return values


def _fill(message: Message, values: dict[str, Any]) -> None:
    for name, value in values.items():
        field = message.DESCRIPTOR.fields_by_name[name]
        if field.message_type is not None and field.message_type.full_name == "google.protobuf.Struct":
            structs = value if field.is_repeated else [value]
            for raw in structs:
                target = getattr(message, name).add() if field.is_repeated else getattr(message, name)
                assert isinstance(target, struct_pb2.Struct)
                target.update(raw)
        elif field.message_type is not None:
            for raw in value if field.is_repeated else [value]:
                child = getattr(message, name).add() if field.is_repeated else getattr(message, name)
                _fill(child, raw)
        elif field.is_repeated:
            getattr(message, name).extend(value)
        else:
            setattr(message, name, value)


def _unary_methods() -> Iterator[MethodDescriptor]:
    for service in load_services():
        for method in service.methods:
            if not method.client_streaming and not method.server_streaming:
                yield method


@pytest.fixture(scope="module")
def fuzz_channel(tenlog_server: ServerProcess) -> Iterator[tuple[grpc.Channel, str, ServerProcess]]:
    key = tenlog_server.mint_key("org-grpc-fuzz")  # the fuzz's rows stay in an organization of their own
    with grpc.insecure_channel(tenlog_server.grpc_target) as channel:
        yield channel, key, tenlog_server


@pytest.mark.parametrize("method", list(_unary_methods()), ids=lambda m: m.full_name)
def test_no_generated_message_gets_an_internal_error(
    fuzz_channel: tuple[grpc.Channel, str, ServerProcess], method: Any
) -> None:
    channel, key, server = fuzz_channel
    request_class = _message_class(method.input_type)
    call = channel.unary_unary(
        f"/{method.containing_service.full_name}/{method.name}",
        request_serializer=lambda m: m.SerializeToString(),
        response_deserializer=lambda b: b,
    )

    @settings(
        max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(values=messages(method.input_type))
    def one(values: dict[str, Any]) -> None:
        request = request_class()
        try:
            _fill(request, values)
        except (ValueError, TypeError):
            return  # a value protobuf itself refuses to hold (e.g. a float32 out of range)
        try:
            call(request, metadata=(("x-log10-token", key),), timeout=30)
        except grpc.RpcError as exc:
            log = "".join(server.output)
            where = log.rfind("Traceback")
            assert exc.code() not in BAD_CODES, (method.full_name, values, exc.details(), log[where : where + 3000])

    one()


def _message_class(descriptor: Descriptor) -> type[Message]:
    from google.protobuf import message_factory

    return message_factory.GetMessageClass(descriptor)
