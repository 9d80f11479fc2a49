import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
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

class LegacyTag(_message.Message):
    __slots__ = ("id", "name")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class LegacyCompletion(_message.Message):
    __slots__ = ("id", "organization_id", "kind", "status", "tags", "tag_resolved", "request", "response", "stacktrace", "session_id", "duration", "failure_kind", "failure_reason", "created_at", "updated_at", "model", "prompt_tokens", "completion_tokens", "total_tokens")
    ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    TAG_RESOLVED_FIELD_NUMBER: _ClassVar[int]
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
    id: str
    organization_id: str
    kind: str
    status: _completion_pb2.Status
    tags: _containers.RepeatedScalarFieldContainer[str]
    tag_resolved: _containers.RepeatedCompositeFieldContainer[LegacyTag]
    request: _struct_pb2.Struct
    response: _struct_pb2.Struct
    stacktrace: _containers.RepeatedCompositeFieldContainer[_completion_pb2.StackFrame]
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
    def __init__(self, id: _Optional[str] = ..., organization_id: _Optional[str] = ..., kind: _Optional[str] = ..., status: _Optional[_Union[_completion_pb2.Status, str]] = ..., tags: _Optional[_Iterable[str]] = ..., tag_resolved: _Optional[_Iterable[_Union[LegacyTag, _Mapping]]] = ..., request: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., response: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., stacktrace: _Optional[_Iterable[_Union[_completion_pb2.StackFrame, _Mapping]]] = ..., session_id: _Optional[str] = ..., duration: _Optional[float] = ..., failure_kind: _Optional[str] = ..., failure_reason: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., model: _Optional[str] = ..., prompt_tokens: _Optional[int] = ..., completion_tokens: _Optional[int] = ..., total_tokens: _Optional[int] = ...) -> None: ...

class ListLegacyCompletionsRequest(_message.Message):
    __slots__ = ("organization_id", "offset", "limit", "tag_filter", "created_filter", "sort", "desc", "ids")
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    TAG_FILTER_FIELD_NUMBER: _ClassVar[int]
    CREATED_FILTER_FIELD_NUMBER: _ClassVar[int]
    SORT_FIELD_NUMBER: _ClassVar[int]
    DESC_FIELD_NUMBER: _ClassVar[int]
    IDS_FIELD_NUMBER: _ClassVar[int]
    organization_id: str
    offset: int
    limit: int
    tag_filter: str
    created_filter: str
    sort: str
    desc: bool
    ids: str
    def __init__(self, organization_id: _Optional[str] = ..., offset: _Optional[int] = ..., limit: _Optional[int] = ..., tag_filter: _Optional[str] = ..., created_filter: _Optional[str] = ..., sort: _Optional[str] = ..., desc: _Optional[bool] = ..., ids: _Optional[str] = ...) -> None: ...

class ListLegacyCompletionsResponse(_message.Message):
    __slots__ = ("data", "total")
    DATA_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[LegacyCompletion]
    total: int
    def __init__(self, data: _Optional[_Iterable[_Union[LegacyCompletion, _Mapping]]] = ..., total: _Optional[int] = ...) -> None: ...

class GetLegacyCompletionRequest(_message.Message):
    __slots__ = ("id", "organization_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    organization_id: str
    def __init__(self, id: _Optional[str] = ..., organization_id: _Optional[str] = ...) -> None: ...

class GetLegacyCompletionResponse(_message.Message):
    __slots__ = ("data",)
    DATA_FIELD_NUMBER: _ClassVar[int]
    data: LegacyCompletion
    def __init__(self, data: _Optional[_Union[LegacyCompletion, _Mapping]] = ...) -> None: ...

class SearchLegacyTagsRequest(_message.Message):
    __slots__ = ("query", "organization_id", "limit")
    QUERY_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    query: str
    organization_id: str
    limit: int
    def __init__(self, query: _Optional[str] = ..., organization_id: _Optional[str] = ..., limit: _Optional[int] = ...) -> None: ...

class SearchLegacyTagsResponse(_message.Message):
    __slots__ = ("data",)
    DATA_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[LegacyTag]
    def __init__(self, data: _Optional[_Iterable[_Union[LegacyTag, _Mapping]]] = ...) -> None: ...

class ListLegacyFeedbackRequest(_message.Message):
    __slots__ = ("organization_id", "offset", "limit", "task_id", "completion_id")
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_ID_FIELD_NUMBER: _ClassVar[int]
    organization_id: str
    offset: int
    limit: int
    task_id: str
    completion_id: str
    def __init__(self, organization_id: _Optional[str] = ..., offset: _Optional[int] = ..., limit: _Optional[int] = ..., task_id: _Optional[str] = ..., completion_id: _Optional[str] = ...) -> None: ...

class ListLegacyFeedbackResponse(_message.Message):
    __slots__ = ("data", "total")
    DATA_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[_completion_pb2.Feedback]
    total: int
    def __init__(self, data: _Optional[_Iterable[_Union[_completion_pb2.Feedback, _Mapping]]] = ..., total: _Optional[int] = ...) -> None: ...

class ListLegacyFeedbackTasksRequest(_message.Message):
    __slots__ = ("organization_id", "offset", "limit")
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    organization_id: str
    offset: int
    limit: int
    def __init__(self, organization_id: _Optional[str] = ..., offset: _Optional[int] = ..., limit: _Optional[int] = ...) -> None: ...

class ListLegacyFeedbackTasksResponse(_message.Message):
    __slots__ = ("data", "total")
    DATA_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[_completion_pb2.FeedbackTask]
    total: int
    def __init__(self, data: _Optional[_Iterable[_Union[_completion_pb2.FeedbackTask, _Mapping]]] = ..., total: _Optional[int] = ...) -> None: ...

class RecordFreeplayCustomerFeedbackRequest(_message.Message):
    __slots__ = ("project_id", "completion_id", "feedback")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_ID_FIELD_NUMBER: _ClassVar[int]
    FEEDBACK_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    completion_id: str
    feedback: _struct_pb2.Struct
    def __init__(self, project_id: _Optional[str] = ..., completion_id: _Optional[str] = ..., feedback: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class RecordFreeplayTraceFeedbackRequest(_message.Message):
    __slots__ = ("project_id", "trace_id", "feedback")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    TRACE_ID_FIELD_NUMBER: _ClassVar[int]
    FEEDBACK_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    trace_id: str
    feedback: _struct_pb2.Struct
    def __init__(self, project_id: _Optional[str] = ..., trace_id: _Optional[str] = ..., feedback: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class FreeplayTrace(_message.Message):
    __slots__ = ("input", "output", "parent_id", "agent_name", "custom_metadata", "eval_results", "test_run_info", "kind", "name", "start_time", "end_time", "extra")
    INPUT_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    PARENT_ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_NAME_FIELD_NUMBER: _ClassVar[int]
    CUSTOM_METADATA_FIELD_NUMBER: _ClassVar[int]
    EVAL_RESULTS_FIELD_NUMBER: _ClassVar[int]
    TEST_RUN_INFO_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    EXTRA_FIELD_NUMBER: _ClassVar[int]
    input: _struct_pb2.Value
    output: _struct_pb2.Value
    parent_id: str
    agent_name: str
    custom_metadata: _struct_pb2.Struct
    eval_results: _struct_pb2.Struct
    test_run_info: _struct_pb2.Struct
    kind: str
    name: str
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    extra: _struct_pb2.Struct
    def __init__(self, input: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., output: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., parent_id: _Optional[str] = ..., agent_name: _Optional[str] = ..., custom_metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., eval_results: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., test_run_info: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., kind: _Optional[str] = ..., name: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., extra: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class RecordFreeplayTraceRequest(_message.Message):
    __slots__ = ("project_id", "session_id", "trace_id", "trace")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    TRACE_ID_FIELD_NUMBER: _ClassVar[int]
    TRACE_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    session_id: str
    trace_id: str
    trace: FreeplayTrace
    def __init__(self, project_id: _Optional[str] = ..., session_id: _Optional[str] = ..., trace_id: _Optional[str] = ..., trace: _Optional[_Union[FreeplayTrace, _Mapping]] = ...) -> None: ...

class FreeplayTraceUpdate(_message.Message):
    __slots__ = ("output", "metadata", "feedback", "eval_results", "test_run_info", "extra")
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    FEEDBACK_FIELD_NUMBER: _ClassVar[int]
    EVAL_RESULTS_FIELD_NUMBER: _ClassVar[int]
    TEST_RUN_INFO_FIELD_NUMBER: _ClassVar[int]
    EXTRA_FIELD_NUMBER: _ClassVar[int]
    output: _struct_pb2.Value
    metadata: _struct_pb2.Struct
    feedback: _struct_pb2.Struct
    eval_results: _struct_pb2.Struct
    test_run_info: _struct_pb2.Struct
    extra: _struct_pb2.Struct
    def __init__(self, output: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., feedback: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., eval_results: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., test_run_info: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., extra: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class UpdateFreeplayTraceRequest(_message.Message):
    __slots__ = ("project_id", "session_id", "trace_id", "update")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    TRACE_ID_FIELD_NUMBER: _ClassVar[int]
    UPDATE_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    session_id: str
    trace_id: str
    update: FreeplayTraceUpdate
    def __init__(self, project_id: _Optional[str] = ..., session_id: _Optional[str] = ..., trace_id: _Optional[str] = ..., update: _Optional[_Union[FreeplayTraceUpdate, _Mapping]] = ...) -> None: ...

class UpdateFreeplaySessionMetadataRequest(_message.Message):
    __slots__ = ("project_id", "session_id", "metadata")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    session_id: str
    metadata: _struct_pb2.Struct
    def __init__(self, project_id: _Optional[str] = ..., session_id: _Optional[str] = ..., metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class UpdateFreeplayTraceMetadataRequest(_message.Message):
    __slots__ = ("project_id", "session_id", "trace_id", "metadata")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    TRACE_ID_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    session_id: str
    trace_id: str
    metadata: _struct_pb2.Struct
    def __init__(self, project_id: _Optional[str] = ..., session_id: _Optional[str] = ..., trace_id: _Optional[str] = ..., metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class DeleteFreeplaySessionRequest(_message.Message):
    __slots__ = ("project_id", "session_id")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    session_id: str
    def __init__(self, project_id: _Optional[str] = ..., session_id: _Optional[str] = ...) -> None: ...

class DeleteFreeplaySessionResponse(_message.Message):
    __slots__ = ("deleted_count",)
    DELETED_COUNT_FIELD_NUMBER: _ClassVar[int]
    deleted_count: int
    def __init__(self, deleted_count: _Optional[int] = ...) -> None: ...

class KeywordsAiLogView(_message.Message):
    __slots__ = ("id", "unique_id", "model", "prompt_messages", "completion_message", "prompt_tokens", "completion_tokens", "cost", "latency", "status_code", "status", "error_message", "metadata", "customer_identifier", "custom_identifier", "timestamp", "positive_feedback", "note", "session_identifier", "organization_id", "tools", "error_bit")
    ID_FIELD_NUMBER: _ClassVar[int]
    UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    PROMPT_MESSAGES_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    PROMPT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_TOKENS_FIELD_NUMBER: _ClassVar[int]
    COST_FIELD_NUMBER: _ClassVar[int]
    LATENCY_FIELD_NUMBER: _ClassVar[int]
    STATUS_CODE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ERROR_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    CUSTOM_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    POSITIVE_FEEDBACK_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    SESSION_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    TOOLS_FIELD_NUMBER: _ClassVar[int]
    ERROR_BIT_FIELD_NUMBER: _ClassVar[int]
    id: str
    unique_id: str
    model: str
    prompt_messages: _containers.RepeatedCompositeFieldContainer[_struct_pb2.Struct]
    completion_message: _struct_pb2.Struct
    prompt_tokens: int
    completion_tokens: int
    cost: float
    latency: float
    status_code: int
    status: str
    error_message: str
    metadata: _struct_pb2.Struct
    customer_identifier: _struct_pb2.Value
    custom_identifier: _struct_pb2.Value
    timestamp: _timestamp_pb2.Timestamp
    positive_feedback: bool
    note: str
    session_identifier: str
    organization_id: str
    tools: _containers.RepeatedCompositeFieldContainer[_struct_pb2.Struct]
    error_bit: int
    def __init__(self, id: _Optional[str] = ..., unique_id: _Optional[str] = ..., model: _Optional[str] = ..., prompt_messages: _Optional[_Iterable[_Union[_struct_pb2.Struct, _Mapping]]] = ..., completion_message: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., prompt_tokens: _Optional[int] = ..., completion_tokens: _Optional[int] = ..., cost: _Optional[float] = ..., latency: _Optional[float] = ..., status_code: _Optional[int] = ..., status: _Optional[str] = ..., error_message: _Optional[str] = ..., metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., customer_identifier: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., custom_identifier: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., positive_feedback: _Optional[bool] = ..., note: _Optional[str] = ..., session_identifier: _Optional[str] = ..., organization_id: _Optional[str] = ..., tools: _Optional[_Iterable[_Union[_struct_pb2.Struct, _Mapping]]] = ..., error_bit: _Optional[int] = ...) -> None: ...

class ListKeywordsAiRequestLogsRequest(_message.Message):
    __slots__ = ("page", "page_size", "model", "customer_identifier")
    PAGE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    page: int
    page_size: int
    model: str
    customer_identifier: str
    def __init__(self, page: _Optional[int] = ..., page_size: _Optional[int] = ..., model: _Optional[str] = ..., customer_identifier: _Optional[str] = ...) -> None: ...

class ListKeywordsAiRequestLogsResponse(_message.Message):
    __slots__ = ("results", "count", "next", "previous")
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    NEXT_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[KeywordsAiLogView]
    count: int
    next: str
    previous: str
    def __init__(self, results: _Optional[_Iterable[_Union[KeywordsAiLogView, _Mapping]]] = ..., count: _Optional[int] = ..., next: _Optional[str] = ..., previous: _Optional[str] = ...) -> None: ...

class GetKeywordsAiRequestLogRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class KeywordsAiLogUpdate(_message.Message):
    __slots__ = ("unique_id", "metadata", "note", "positive_feedback", "custom_identifier", "extra")
    UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    POSITIVE_FEEDBACK_FIELD_NUMBER: _ClassVar[int]
    CUSTOM_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    EXTRA_FIELD_NUMBER: _ClassVar[int]
    unique_id: str
    metadata: _struct_pb2.Struct
    note: str
    positive_feedback: bool
    custom_identifier: _struct_pb2.Value
    extra: _struct_pb2.Struct
    def __init__(self, unique_id: _Optional[str] = ..., metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., note: _Optional[str] = ..., positive_feedback: _Optional[bool] = ..., custom_identifier: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., extra: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class UpdateKeywordsAiRequestLogRequest(_message.Message):
    __slots__ = ("id", "update")
    ID_FIELD_NUMBER: _ClassVar[int]
    UPDATE_FIELD_NUMBER: _ClassVar[int]
    id: str
    update: KeywordsAiLogUpdate
    def __init__(self, id: _Optional[str] = ..., update: _Optional[_Union[KeywordsAiLogUpdate, _Mapping]] = ...) -> None: ...

class BatchUpdateKeywordsAiRequestLogsRequest(_message.Message):
    __slots__ = ("logs",)
    LOGS_FIELD_NUMBER: _ClassVar[int]
    logs: _containers.RepeatedCompositeFieldContainer[KeywordsAiLogUpdate]
    def __init__(self, logs: _Optional[_Iterable[_Union[KeywordsAiLogUpdate, _Mapping]]] = ...) -> None: ...

class BatchUpdateKeywordsAiRequestLogsResponse(_message.Message):
    __slots__ = ("message", "updated_count", "logs")
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    UPDATED_COUNT_FIELD_NUMBER: _ClassVar[int]
    LOGS_FIELD_NUMBER: _ClassVar[int]
    message: str
    updated_count: int
    logs: _containers.RepeatedCompositeFieldContainer[KeywordsAiLogView]
    def __init__(self, message: _Optional[str] = ..., updated_count: _Optional[int] = ..., logs: _Optional[_Iterable[_Union[KeywordsAiLogView, _Mapping]]] = ...) -> None: ...
