from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from tenlog.v1 import completion_pb2 as _completion_pb2
from tenlog.v1 import options_pb2 as _options_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RecordFreeplayCompletionRequest(_message.Message):
    __slots__ = ("project_id", "session_id", "completion")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    session_id: str
    completion: FreeplayCompletion
    def __init__(self, project_id: _Optional[str] = ..., session_id: _Optional[str] = ..., completion: _Optional[_Union[FreeplayCompletion, _Mapping]] = ...) -> None: ...

class FreeplayCompletion(_message.Message):
    __slots__ = ("messages", "inputs", "media_inputs", "tool_schema", "session_info", "trace_info", "prompt_info", "call_info", "test_run_info", "eval_results", "response_info", "completion_id", "parent_id", "output_schema", "custom_metadata", "extra")
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    INPUTS_FIELD_NUMBER: _ClassVar[int]
    MEDIA_INPUTS_FIELD_NUMBER: _ClassVar[int]
    TOOL_SCHEMA_FIELD_NUMBER: _ClassVar[int]
    SESSION_INFO_FIELD_NUMBER: _ClassVar[int]
    TRACE_INFO_FIELD_NUMBER: _ClassVar[int]
    PROMPT_INFO_FIELD_NUMBER: _ClassVar[int]
    CALL_INFO_FIELD_NUMBER: _ClassVar[int]
    TEST_RUN_INFO_FIELD_NUMBER: _ClassVar[int]
    EVAL_RESULTS_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_INFO_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_ID_FIELD_NUMBER: _ClassVar[int]
    PARENT_ID_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_SCHEMA_FIELD_NUMBER: _ClassVar[int]
    CUSTOM_METADATA_FIELD_NUMBER: _ClassVar[int]
    EXTRA_FIELD_NUMBER: _ClassVar[int]
    messages: _containers.RepeatedCompositeFieldContainer[_struct_pb2.Struct]
    inputs: _struct_pb2.Struct
    media_inputs: _struct_pb2.Struct
    tool_schema: _containers.RepeatedCompositeFieldContainer[_struct_pb2.Struct]
    session_info: _struct_pb2.Struct
    trace_info: _struct_pb2.Struct
    prompt_info: _struct_pb2.Struct
    call_info: FreeplayCallInfo
    test_run_info: _struct_pb2.Struct
    eval_results: _struct_pb2.Struct
    response_info: _struct_pb2.Struct
    completion_id: str
    parent_id: str
    output_schema: _struct_pb2.Struct
    custom_metadata: _struct_pb2.Struct
    extra: _struct_pb2.Struct
    def __init__(self, messages: _Optional[_Iterable[_Union[_struct_pb2.Struct, _Mapping]]] = ..., inputs: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., media_inputs: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., tool_schema: _Optional[_Iterable[_Union[_struct_pb2.Struct, _Mapping]]] = ..., session_info: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., trace_info: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., prompt_info: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., call_info: _Optional[_Union[FreeplayCallInfo, _Mapping]] = ..., test_run_info: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., eval_results: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., response_info: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., completion_id: _Optional[str] = ..., parent_id: _Optional[str] = ..., output_schema: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., custom_metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., extra: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class FreeplayCallInfo(_message.Message):
    __slots__ = ("start_time", "end_time", "model", "provider", "provider_info", "llm_parameters", "usage", "api_style", "extra")
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_INFO_FIELD_NUMBER: _ClassVar[int]
    LLM_PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    USAGE_FIELD_NUMBER: _ClassVar[int]
    API_STYLE_FIELD_NUMBER: _ClassVar[int]
    EXTRA_FIELD_NUMBER: _ClassVar[int]
    start_time: float
    end_time: float
    model: str
    provider: str
    provider_info: _struct_pb2.Struct
    llm_parameters: _struct_pb2.Struct
    usage: FreeplayUsage
    api_style: str
    extra: _struct_pb2.Struct
    def __init__(self, start_time: _Optional[float] = ..., end_time: _Optional[float] = ..., model: _Optional[str] = ..., provider: _Optional[str] = ..., provider_info: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., llm_parameters: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., usage: _Optional[_Union[FreeplayUsage, _Mapping]] = ..., api_style: _Optional[str] = ..., extra: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class FreeplayUsage(_message.Message):
    __slots__ = ("prompt_tokens", "completion_tokens", "extra")
    PROMPT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_TOKENS_FIELD_NUMBER: _ClassVar[int]
    EXTRA_FIELD_NUMBER: _ClassVar[int]
    prompt_tokens: int
    completion_tokens: int
    extra: _struct_pb2.Struct
    def __init__(self, prompt_tokens: _Optional[int] = ..., completion_tokens: _Optional[int] = ..., extra: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class RecordFreeplayCompletionResponse(_message.Message):
    __slots__ = ("completion_id",)
    COMPLETION_ID_FIELD_NUMBER: _ClassVar[int]
    completion_id: str
    def __init__(self, completion_id: _Optional[str] = ...) -> None: ...

class UpdateFreeplayCompletionRequest(_message.Message):
    __slots__ = ("project_id", "completion_id", "new_messages", "eval_results", "extra")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_ID_FIELD_NUMBER: _ClassVar[int]
    NEW_MESSAGES_FIELD_NUMBER: _ClassVar[int]
    EVAL_RESULTS_FIELD_NUMBER: _ClassVar[int]
    EXTRA_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    completion_id: str
    new_messages: _containers.RepeatedCompositeFieldContainer[_struct_pb2.Struct]
    eval_results: _struct_pb2.Struct
    extra: _struct_pb2.Struct
    def __init__(self, project_id: _Optional[str] = ..., completion_id: _Optional[str] = ..., new_messages: _Optional[_Iterable[_Union[_struct_pb2.Struct, _Mapping]]] = ..., eval_results: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., extra: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class UpdateFreeplayCompletionResponse(_message.Message):
    __slots__ = ("completion_id",)
    COMPLETION_ID_FIELD_NUMBER: _ClassVar[int]
    completion_id: str
    def __init__(self, completion_id: _Optional[str] = ...) -> None: ...

class CreateKeywordsAiRequestLogRequest(_message.Message):
    __slots__ = ("log",)
    LOG_FIELD_NUMBER: _ClassVar[int]
    log: KeywordsAiRequestLog
    def __init__(self, log: _Optional[_Union[KeywordsAiRequestLog, _Mapping]] = ...) -> None: ...

class KeywordsAiRequestLog(_message.Message):
    __slots__ = ("model", "prompt_messages", "completion_message", "cost", "completion_tokens", "completion_unit_price", "customer_identifier", "error_message", "full_request", "generation_time", "metadata", "prompt_tokens", "prompt_unit_price", "response_format", "stream", "status_code", "tools", "tool_choice", "ttft", "warnings", "extra", "latency")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    PROMPT_MESSAGES_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    COST_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_TOKENS_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_UNIT_PRICE_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    ERROR_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    FULL_REQUEST_FIELD_NUMBER: _ClassVar[int]
    GENERATION_TIME_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    PROMPT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    PROMPT_UNIT_PRICE_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_FORMAT_FIELD_NUMBER: _ClassVar[int]
    STREAM_FIELD_NUMBER: _ClassVar[int]
    STATUS_CODE_FIELD_NUMBER: _ClassVar[int]
    TOOLS_FIELD_NUMBER: _ClassVar[int]
    TOOL_CHOICE_FIELD_NUMBER: _ClassVar[int]
    TTFT_FIELD_NUMBER: _ClassVar[int]
    WARNINGS_FIELD_NUMBER: _ClassVar[int]
    EXTRA_FIELD_NUMBER: _ClassVar[int]
    LATENCY_FIELD_NUMBER: _ClassVar[int]
    model: str
    prompt_messages: _containers.RepeatedCompositeFieldContainer[_struct_pb2.Struct]
    completion_message: _struct_pb2.Struct
    cost: float
    completion_tokens: int
    completion_unit_price: float
    customer_identifier: _struct_pb2.Value
    error_message: str
    full_request: _struct_pb2.Value
    generation_time: float
    metadata: _struct_pb2.Struct
    prompt_tokens: int
    prompt_unit_price: float
    response_format: _struct_pb2.Struct
    stream: bool
    status_code: int
    tools: _containers.RepeatedCompositeFieldContainer[_struct_pb2.Struct]
    tool_choice: _struct_pb2.Value
    ttft: float
    warnings: str
    extra: _struct_pb2.Struct
    latency: float
    def __init__(self, model: _Optional[str] = ..., prompt_messages: _Optional[_Iterable[_Union[_struct_pb2.Struct, _Mapping]]] = ..., completion_message: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., cost: _Optional[float] = ..., completion_tokens: _Optional[int] = ..., completion_unit_price: _Optional[float] = ..., customer_identifier: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., error_message: _Optional[str] = ..., full_request: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., generation_time: _Optional[float] = ..., metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., prompt_tokens: _Optional[int] = ..., prompt_unit_price: _Optional[float] = ..., response_format: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., stream: _Optional[bool] = ..., status_code: _Optional[int] = ..., tools: _Optional[_Iterable[_Union[_struct_pb2.Struct, _Mapping]]] = ..., tool_choice: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., ttft: _Optional[float] = ..., warnings: _Optional[str] = ..., extra: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., latency: _Optional[float] = ...) -> None: ...

class CreateKeywordsAiRequestLogResponse(_message.Message):
    __slots__ = ("id", "message")
    ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    id: str
    message: str
    def __init__(self, id: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...

class LogEntry(_message.Message):
    __slots__ = ("id", "model", "duration", "initiator", "description", "request_data", "response_data", "metadata", "cost", "media", "extra")
    ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    INITIATOR_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    REQUEST_DATA_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_DATA_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    COST_FIELD_NUMBER: _ClassVar[int]
    MEDIA_FIELD_NUMBER: _ClassVar[int]
    EXTRA_FIELD_NUMBER: _ClassVar[int]
    id: str
    model: str
    duration: float
    initiator: str
    description: str
    request_data: _struct_pb2.Struct
    response_data: _struct_pb2.Struct
    metadata: _struct_pb2.Struct
    cost: float
    media: LogMedia
    extra: _struct_pb2.Struct
    def __init__(self, id: _Optional[str] = ..., model: _Optional[str] = ..., duration: _Optional[float] = ..., initiator: _Optional[str] = ..., description: _Optional[str] = ..., request_data: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., response_data: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., cost: _Optional[float] = ..., media: _Optional[_Union[LogMedia, _Mapping]] = ..., extra: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class LogMedia(_message.Message):
    __slots__ = ("request", "response", "extra")
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_FIELD_NUMBER: _ClassVar[int]
    EXTRA_FIELD_NUMBER: _ClassVar[int]
    request: _containers.RepeatedCompositeFieldContainer[LogMediaItem]
    response: _containers.RepeatedCompositeFieldContainer[LogMediaItem]
    extra: _struct_pb2.Struct
    def __init__(self, request: _Optional[_Iterable[_Union[LogMediaItem, _Mapping]]] = ..., response: _Optional[_Iterable[_Union[LogMediaItem, _Mapping]]] = ..., extra: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class LogMediaItem(_message.Message):
    __slots__ = ("type", "title", "data", "extra")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    EXTRA_FIELD_NUMBER: _ClassVar[int]
    type: str
    title: str
    data: str
    extra: _struct_pb2.Struct
    def __init__(self, type: _Optional[str] = ..., title: _Optional[str] = ..., data: _Optional[str] = ..., extra: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class InsertLogRequest(_message.Message):
    __slots__ = ("log",)
    LOG_FIELD_NUMBER: _ClassVar[int]
    log: LogEntry
    def __init__(self, log: _Optional[_Union[LogEntry, _Mapping]] = ...) -> None: ...

class InsertLogResponse(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class UpdateLogRequest(_message.Message):
    __slots__ = ("id", "update_data")
    ID_FIELD_NUMBER: _ClassVar[int]
    UPDATE_DATA_FIELD_NUMBER: _ClassVar[int]
    id: str
    update_data: LogEntry
    def __init__(self, id: _Optional[str] = ..., update_data: _Optional[_Union[LogEntry, _Mapping]] = ...) -> None: ...

class UpdateLogResponse(_message.Message):
    __slots__ = ("id", "success")
    ID_FIELD_NUMBER: _ClassVar[int]
    SUCCESS_FIELD_NUMBER: _ClassVar[int]
    id: str
    success: bool
    def __init__(self, id: _Optional[str] = ..., success: _Optional[bool] = ...) -> None: ...

class StartLegacyCompletionRequest(_message.Message):
    __slots__ = ("completion",)
    COMPLETION_FIELD_NUMBER: _ClassVar[int]
    completion: _completion_pb2.Completion
    def __init__(self, completion: _Optional[_Union[_completion_pb2.Completion, _Mapping]] = ...) -> None: ...

class StartLegacyCompletionResponse(_message.Message):
    __slots__ = ("completion_id", "organization_slug")
    COMPLETION_ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_SLUG_FIELD_NUMBER: _ClassVar[int]
    completion_id: str
    organization_slug: str
    def __init__(self, completion_id: _Optional[str] = ..., organization_slug: _Optional[str] = ...) -> None: ...

class WriteLegacyCompletionRequest(_message.Message):
    __slots__ = ("completion", "update_mask")
    COMPLETION_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    completion: _completion_pb2.Completion
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, completion: _Optional[_Union[_completion_pb2.Completion, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...
