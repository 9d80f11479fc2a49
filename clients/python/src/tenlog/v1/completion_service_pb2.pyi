import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import empty_pb2 as _empty_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.rpc import error_details_pb2 as _error_details_pb2
from tenlog.v1 import completion_pb2 as _completion_pb2
from tenlog.v1 import options_pb2 as _options_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TailEvent(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TAIL_EVENT_UNSPECIFIED: _ClassVar[TailEvent]
    TAIL_EVENT_CREATED: _ClassVar[TailEvent]
    TAIL_EVENT_UPDATED: _ClassVar[TailEvent]
TAIL_EVENT_UNSPECIFIED: TailEvent
TAIL_EVENT_CREATED: TailEvent
TAIL_EVENT_UPDATED: TailEvent

class CreateCompletionRequest(_message.Message):
    __slots__ = ("completion",)
    COMPLETION_FIELD_NUMBER: _ClassVar[int]
    completion: _completion_pb2.Completion
    def __init__(self, completion: _Optional[_Union[_completion_pb2.Completion, _Mapping]] = ...) -> None: ...

class UpdateCompletionRequest(_message.Message):
    __slots__ = ("completion", "update_mask")
    COMPLETION_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    completion: _completion_pb2.Completion
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, completion: _Optional[_Union[_completion_pb2.Completion, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class GetCompletionRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class DeleteCompletionRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ListCompletionsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "offset", "limit", "tags", "session_id", "status", "model", "created_after", "created_before", "source", "filter", "search", "order_by")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    CREATED_AFTER_FIELD_NUMBER: _ClassVar[int]
    CREATED_BEFORE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    SEARCH_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    offset: int
    limit: int
    tags: _containers.RepeatedScalarFieldContainer[str]
    session_id: str
    status: _completion_pb2.Status
    model: str
    created_after: _timestamp_pb2.Timestamp
    created_before: _timestamp_pb2.Timestamp
    source: _completion_pb2.Source
    filter: str
    search: str
    order_by: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., offset: _Optional[int] = ..., limit: _Optional[int] = ..., tags: _Optional[_Iterable[str]] = ..., session_id: _Optional[str] = ..., status: _Optional[_Union[_completion_pb2.Status, str]] = ..., model: _Optional[str] = ..., created_after: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_before: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., source: _Optional[_Union[_completion_pb2.Source, str]] = ..., filter: _Optional[str] = ..., search: _Optional[str] = ..., order_by: _Optional[str] = ...) -> None: ...

class ListCompletionsResponse(_message.Message):
    __slots__ = ("completions", "next_page_token")
    COMPLETIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    completions: _containers.RepeatedCompositeFieldContainer[_completion_pb2.Completion]
    next_page_token: str
    def __init__(self, completions: _Optional[_Iterable[_Union[_completion_pb2.Completion, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class AggregateCompletionsRequest(_message.Message):
    __slots__ = ("filter", "search", "group_by", "interval")
    FILTER_FIELD_NUMBER: _ClassVar[int]
    SEARCH_FIELD_NUMBER: _ClassVar[int]
    GROUP_BY_FIELD_NUMBER: _ClassVar[int]
    INTERVAL_FIELD_NUMBER: _ClassVar[int]
    filter: str
    search: str
    group_by: _containers.RepeatedScalarFieldContainer[str]
    interval: str
    def __init__(self, filter: _Optional[str] = ..., search: _Optional[str] = ..., group_by: _Optional[_Iterable[str]] = ..., interval: _Optional[str] = ...) -> None: ...

class CompletionGroup(_message.Message):
    __slots__ = ("key", "bucket_start", "count", "failed_count", "prompt_tokens", "completion_tokens", "total_tokens", "cost", "duration_p50", "duration_p95", "duration_p99")
    class KeyEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    KEY_FIELD_NUMBER: _ClassVar[int]
    BUCKET_START_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    FAILED_COUNT_FIELD_NUMBER: _ClassVar[int]
    PROMPT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_TOKENS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_TOKENS_FIELD_NUMBER: _ClassVar[int]
    COST_FIELD_NUMBER: _ClassVar[int]
    DURATION_P50_FIELD_NUMBER: _ClassVar[int]
    DURATION_P95_FIELD_NUMBER: _ClassVar[int]
    DURATION_P99_FIELD_NUMBER: _ClassVar[int]
    key: _containers.ScalarMap[str, str]
    bucket_start: _timestamp_pb2.Timestamp
    count: int
    failed_count: int
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    cost: float
    duration_p50: float
    duration_p95: float
    duration_p99: float
    def __init__(self, key: _Optional[_Mapping[str, str]] = ..., bucket_start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., count: _Optional[int] = ..., failed_count: _Optional[int] = ..., prompt_tokens: _Optional[int] = ..., completion_tokens: _Optional[int] = ..., total_tokens: _Optional[int] = ..., cost: _Optional[float] = ..., duration_p50: _Optional[float] = ..., duration_p95: _Optional[float] = ..., duration_p99: _Optional[float] = ...) -> None: ...

class AggregateCompletionsResponse(_message.Message):
    __slots__ = ("groups",)
    GROUPS_FIELD_NUMBER: _ClassVar[int]
    groups: _containers.RepeatedCompositeFieldContainer[CompletionGroup]
    def __init__(self, groups: _Optional[_Iterable[_Union[CompletionGroup, _Mapping]]] = ...) -> None: ...

class ListUngradedCompletionsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "offset", "limit", "task_id")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    offset: int
    limit: int
    task_id: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., offset: _Optional[int] = ..., limit: _Optional[int] = ..., task_id: _Optional[str] = ...) -> None: ...

class ListUngradedCompletionsResponse(_message.Message):
    __slots__ = ("completions", "next_page_token")
    COMPLETIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    completions: _containers.RepeatedCompositeFieldContainer[_completion_pb2.Completion]
    next_page_token: str
    def __init__(self, completions: _Optional[_Iterable[_Union[_completion_pb2.Completion, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class BatchCreateCompletionsRequest(_message.Message):
    __slots__ = ("completions",)
    COMPLETIONS_FIELD_NUMBER: _ClassVar[int]
    completions: _containers.RepeatedCompositeFieldContainer[_completion_pb2.Completion]
    def __init__(self, completions: _Optional[_Iterable[_Union[_completion_pb2.Completion, _Mapping]]] = ...) -> None: ...

class RejectedCompletion(_message.Message):
    __slots__ = ("index", "id", "reason", "field_violations")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    FIELD_VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    index: int
    id: str
    reason: str
    field_violations: _containers.RepeatedCompositeFieldContainer[_error_details_pb2.BadRequest.FieldViolation]
    def __init__(self, index: _Optional[int] = ..., id: _Optional[str] = ..., reason: _Optional[str] = ..., field_violations: _Optional[_Iterable[_Union[_error_details_pb2.BadRequest.FieldViolation, _Mapping]]] = ...) -> None: ...

class BatchCreateCompletionsResponse(_message.Message):
    __slots__ = ("accepted_count", "accepted_ids", "rejected", "rejected_count")
    ACCEPTED_COUNT_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_IDS_FIELD_NUMBER: _ClassVar[int]
    REJECTED_FIELD_NUMBER: _ClassVar[int]
    REJECTED_COUNT_FIELD_NUMBER: _ClassVar[int]
    accepted_count: int
    accepted_ids: _containers.RepeatedScalarFieldContainer[str]
    rejected: _containers.RepeatedCompositeFieldContainer[RejectedCompletion]
    rejected_count: int
    def __init__(self, accepted_count: _Optional[int] = ..., accepted_ids: _Optional[_Iterable[str]] = ..., rejected: _Optional[_Iterable[_Union[RejectedCompletion, _Mapping]]] = ..., rejected_count: _Optional[int] = ...) -> None: ...

class UploadCompletionsRequest(_message.Message):
    __slots__ = ("completion",)
    COMPLETION_FIELD_NUMBER: _ClassVar[int]
    completion: _completion_pb2.Completion
    def __init__(self, completion: _Optional[_Union[_completion_pb2.Completion, _Mapping]] = ...) -> None: ...

class UploadCompletionsResponse(_message.Message):
    __slots__ = ("accepted_count", "accepted_ids", "rejected", "rejected_count")
    ACCEPTED_COUNT_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_IDS_FIELD_NUMBER: _ClassVar[int]
    REJECTED_FIELD_NUMBER: _ClassVar[int]
    REJECTED_COUNT_FIELD_NUMBER: _ClassVar[int]
    accepted_count: int
    accepted_ids: _containers.RepeatedScalarFieldContainer[str]
    rejected: _containers.RepeatedCompositeFieldContainer[RejectedCompletion]
    rejected_count: int
    def __init__(self, accepted_count: _Optional[int] = ..., accepted_ids: _Optional[_Iterable[str]] = ..., rejected: _Optional[_Iterable[_Union[RejectedCompletion, _Mapping]]] = ..., rejected_count: _Optional[int] = ...) -> None: ...

class StreamCompletionsRequest(_message.Message):
    __slots__ = ("completion",)
    COMPLETION_FIELD_NUMBER: _ClassVar[int]
    completion: _completion_pb2.Completion
    def __init__(self, completion: _Optional[_Union[_completion_pb2.Completion, _Mapping]] = ...) -> None: ...

class StreamCompletionsResponse(_message.Message):
    __slots__ = ("id", "index", "accepted", "rejected")
    ID_FIELD_NUMBER: _ClassVar[int]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    REJECTED_FIELD_NUMBER: _ClassVar[int]
    id: str
    index: int
    accepted: bool
    rejected: RejectedCompletion
    def __init__(self, id: _Optional[str] = ..., index: _Optional[int] = ..., accepted: _Optional[bool] = ..., rejected: _Optional[_Union[RejectedCompletion, _Mapping]] = ...) -> None: ...

class TailCompletionsRequest(_message.Message):
    __slots__ = ("tags", "session_id", "status")
    TAGS_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    tags: _containers.RepeatedScalarFieldContainer[str]
    session_id: str
    status: _completion_pb2.Status
    def __init__(self, tags: _Optional[_Iterable[str]] = ..., session_id: _Optional[str] = ..., status: _Optional[_Union[_completion_pb2.Status, str]] = ...) -> None: ...

class TailCompletionsResponse(_message.Message):
    __slots__ = ("event", "completion")
    EVENT_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_FIELD_NUMBER: _ClassVar[int]
    event: TailEvent
    completion: _completion_pb2.Completion
    def __init__(self, event: _Optional[_Union[TailEvent, str]] = ..., completion: _Optional[_Union[_completion_pb2.Completion, _Mapping]] = ...) -> None: ...
