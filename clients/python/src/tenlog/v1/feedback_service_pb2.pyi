from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from tenlog.v1 import completion_pb2 as _completion_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class UploadFeedbackRequest(_message.Message):
    __slots__ = ("id", "task_id", "json_values", "comment", "completions_summary", "completion_ids", "completion_tags_selector", "allow_unmatched_feedback", "max_matched_completions")
    ID_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    JSON_VALUES_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    COMPLETIONS_SUMMARY_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_IDS_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_TAGS_SELECTOR_FIELD_NUMBER: _ClassVar[int]
    ALLOW_UNMATCHED_FEEDBACK_FIELD_NUMBER: _ClassVar[int]
    MAX_MATCHED_COMPLETIONS_FIELD_NUMBER: _ClassVar[int]
    id: str
    task_id: str
    json_values: _struct_pb2.Struct
    comment: str
    completions_summary: str
    completion_ids: _containers.RepeatedScalarFieldContainer[str]
    completion_tags_selector: _containers.RepeatedScalarFieldContainer[str]
    allow_unmatched_feedback: bool
    max_matched_completions: int
    def __init__(self, id: _Optional[str] = ..., task_id: _Optional[str] = ..., json_values: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., comment: _Optional[str] = ..., completions_summary: _Optional[str] = ..., completion_ids: _Optional[_Iterable[str]] = ..., completion_tags_selector: _Optional[_Iterable[str]] = ..., allow_unmatched_feedback: _Optional[bool] = ..., max_matched_completions: _Optional[int] = ...) -> None: ...

class GetFeedbackRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ListFeedbackRequest(_message.Message):
    __slots__ = ("offset", "limit", "completion_id", "task_id", "page_size", "page_token")
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_ID_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    offset: int
    limit: int
    completion_id: str
    task_id: str
    page_size: int
    page_token: str
    def __init__(self, offset: _Optional[int] = ..., limit: _Optional[int] = ..., completion_id: _Optional[str] = ..., task_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListFeedbackResponse(_message.Message):
    __slots__ = ("feedback", "next_page_token")
    FEEDBACK_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    feedback: _containers.RepeatedCompositeFieldContainer[_completion_pb2.Feedback]
    next_page_token: str
    def __init__(self, feedback: _Optional[_Iterable[_Union[_completion_pb2.Feedback, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
