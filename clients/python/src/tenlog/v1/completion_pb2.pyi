import datetime

from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Kind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    KIND_UNSPECIFIED: _ClassVar[Kind]
    KIND_CHAT: _ClassVar[Kind]
    KIND_PROMPT: _ClassVar[Kind]
    KIND_COMPLETION: _ClassVar[Kind]

class Status(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    STATUS_UNSPECIFIED: _ClassVar[Status]
    STATUS_STARTED: _ClassVar[Status]
    STATUS_FINISHED: _ClassVar[Status]
    STATUS_FAILED: _ClassVar[Status]

class Source(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SOURCE_UNSPECIFIED: _ClassVar[Source]
    SOURCE_LOG10: _ClassVar[Source]
    SOURCE_FREEPLAY: _ClassVar[Source]
    SOURCE_KEYWORDSAI: _ClassVar[Source]
    SOURCE_LOGS_API: _ClassVar[Source]
    SOURCE_OTLP: _ClassVar[Source]
KIND_UNSPECIFIED: Kind
KIND_CHAT: Kind
KIND_PROMPT: Kind
KIND_COMPLETION: Kind
STATUS_UNSPECIFIED: Status
STATUS_STARTED: Status
STATUS_FINISHED: Status
STATUS_FAILED: Status
SOURCE_UNSPECIFIED: Source
SOURCE_LOG10: Source
SOURCE_FREEPLAY: Source
SOURCE_KEYWORDSAI: Source
SOURCE_LOGS_API: Source
SOURCE_OTLP: Source

class StackFrame(_message.Message):
    __slots__ = ("file", "line", "lineno", "name")
    FILE_FIELD_NUMBER: _ClassVar[int]
    LINE_FIELD_NUMBER: _ClassVar[int]
    LINENO_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    file: str
    line: str
    lineno: int
    name: str
    def __init__(self, file: _Optional[str] = ..., line: _Optional[str] = ..., lineno: _Optional[int] = ..., name: _Optional[str] = ...) -> None: ...

class Completion(_message.Message):
    __slots__ = ("id", "organization_id", "kind", "status", "tags", "request", "response", "stacktrace", "session_id", "duration", "failure_kind", "failure_reason", "created_at", "updated_at", "model", "prompt_tokens", "completion_tokens", "total_tokens", "cost", "source", "metadata", "extra", "cached_tokens", "reasoning_tokens")
    ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_FIELD_NUMBER: _ClassVar[int]
    STACKTRACE_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    FAILURE_KIND_FIELD_NUMBER: _ClassVar[int]
    FAILURE_REASON_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    PROMPT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_TOKENS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_TOKENS_FIELD_NUMBER: _ClassVar[int]
    COST_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    EXTRA_FIELD_NUMBER: _ClassVar[int]
    CACHED_TOKENS_FIELD_NUMBER: _ClassVar[int]
    REASONING_TOKENS_FIELD_NUMBER: _ClassVar[int]
    id: str
    organization_id: str
    kind: Kind
    status: Status
    tags: _containers.RepeatedScalarFieldContainer[str]
    request: _struct_pb2.Struct
    response: _struct_pb2.Struct
    stacktrace: _containers.RepeatedCompositeFieldContainer[StackFrame]
    session_id: str
    duration: float
    failure_kind: str
    failure_reason: str
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    model: str
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    cost: float
    source: Source
    metadata: _struct_pb2.Struct
    extra: _struct_pb2.Struct
    cached_tokens: int
    reasoning_tokens: int
    def __init__(self, id: _Optional[str] = ..., organization_id: _Optional[str] = ..., kind: _Optional[_Union[Kind, str]] = ..., status: _Optional[_Union[Status, str]] = ..., tags: _Optional[_Iterable[str]] = ..., request: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., response: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., stacktrace: _Optional[_Iterable[_Union[StackFrame, _Mapping]]] = ..., session_id: _Optional[str] = ..., duration: _Optional[float] = ..., failure_kind: _Optional[str] = ..., failure_reason: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., model: _Optional[str] = ..., prompt_tokens: _Optional[int] = ..., completion_tokens: _Optional[int] = ..., total_tokens: _Optional[int] = ..., cost: _Optional[float] = ..., source: _Optional[_Union[Source, str]] = ..., metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., extra: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., cached_tokens: _Optional[int] = ..., reasoning_tokens: _Optional[int] = ...) -> None: ...

class Session(_message.Message):
    __slots__ = ("id", "created_at", "metadata")
    ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    id: str
    created_at: _timestamp_pb2.Timestamp
    metadata: _struct_pb2.Struct
    def __init__(self, id: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class FeedbackTask(_message.Message):
    __slots__ = ("id", "created_at_ms", "json_schema", "name", "instruction", "completion_tags_selector", "created_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_MS_FIELD_NUMBER: _ClassVar[int]
    JSON_SCHEMA_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    INSTRUCTION_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_TAGS_SELECTOR_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    created_at_ms: float
    json_schema: _struct_pb2.Struct
    name: str
    instruction: str
    completion_tags_selector: _containers.RepeatedScalarFieldContainer[str]
    created_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., created_at_ms: _Optional[float] = ..., json_schema: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., name: _Optional[str] = ..., instruction: _Optional[str] = ..., completion_tags_selector: _Optional[_Iterable[str]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Feedback(_message.Message):
    __slots__ = ("id", "created_at_ms", "task_id", "json_values", "matched_completion_ids", "comment", "completions_summary", "created_at", "organization_id", "task_name")
    ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_MS_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    JSON_VALUES_FIELD_NUMBER: _ClassVar[int]
    MATCHED_COMPLETION_IDS_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    COMPLETIONS_SUMMARY_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    TASK_NAME_FIELD_NUMBER: _ClassVar[int]
    id: str
    created_at_ms: float
    task_id: str
    json_values: _struct_pb2.Struct
    matched_completion_ids: _containers.RepeatedScalarFieldContainer[str]
    comment: str
    completions_summary: str
    created_at: _timestamp_pb2.Timestamp
    organization_id: str
    task_name: str
    def __init__(self, id: _Optional[str] = ..., created_at_ms: _Optional[float] = ..., task_id: _Optional[str] = ..., json_values: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., matched_completion_ids: _Optional[_Iterable[str]] = ..., comment: _Optional[str] = ..., completions_summary: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., organization_id: _Optional[str] = ..., task_name: _Optional[str] = ...) -> None: ...
