import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from tenlog.v1 import completion_pb2 as _completion_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ExportCompletionsRequest(_message.Message):
    __slots__ = ("after", "page_size", "filter", "search", "tags", "session_id", "status", "model", "created_after", "created_before", "source")
    AFTER_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    SEARCH_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    CREATED_AFTER_FIELD_NUMBER: _ClassVar[int]
    CREATED_BEFORE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    after: str
    page_size: int
    filter: str
    search: str
    tags: _containers.RepeatedScalarFieldContainer[str]
    session_id: str
    status: _completion_pb2.Status
    model: str
    created_after: _timestamp_pb2.Timestamp
    created_before: _timestamp_pb2.Timestamp
    source: _completion_pb2.Source
    def __init__(self, after: _Optional[str] = ..., page_size: _Optional[int] = ..., filter: _Optional[str] = ..., search: _Optional[str] = ..., tags: _Optional[_Iterable[str]] = ..., session_id: _Optional[str] = ..., status: _Optional[_Union[_completion_pb2.Status, str]] = ..., model: _Optional[str] = ..., created_after: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_before: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., source: _Optional[_Union[_completion_pb2.Source, str]] = ...) -> None: ...

class ExportCompletionsResponse(_message.Message):
    __slots__ = ("completions", "last_id", "total_count")
    COMPLETIONS_FIELD_NUMBER: _ClassVar[int]
    LAST_ID_FIELD_NUMBER: _ClassVar[int]
    TOTAL_COUNT_FIELD_NUMBER: _ClassVar[int]
    completions: _containers.RepeatedCompositeFieldContainer[_completion_pb2.Completion]
    last_id: str
    total_count: int
    def __init__(self, completions: _Optional[_Iterable[_Union[_completion_pb2.Completion, _Mapping]]] = ..., last_id: _Optional[str] = ..., total_count: _Optional[int] = ...) -> None: ...

class ExportFeedbackRequest(_message.Message):
    __slots__ = ("after", "page_size")
    AFTER_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    after: str
    page_size: int
    def __init__(self, after: _Optional[str] = ..., page_size: _Optional[int] = ...) -> None: ...

class ExportFeedbackTasksRequest(_message.Message):
    __slots__ = ("after", "page_size")
    AFTER_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    after: str
    page_size: int
    def __init__(self, after: _Optional[str] = ..., page_size: _Optional[int] = ...) -> None: ...

class ExportSessionsRequest(_message.Message):
    __slots__ = ("after", "page_size")
    AFTER_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    after: str
    page_size: int
    def __init__(self, after: _Optional[str] = ..., page_size: _Optional[int] = ...) -> None: ...

class ExportFeedbackResponse(_message.Message):
    __slots__ = ("feedback", "last_id", "total_count")
    FEEDBACK_FIELD_NUMBER: _ClassVar[int]
    LAST_ID_FIELD_NUMBER: _ClassVar[int]
    TOTAL_COUNT_FIELD_NUMBER: _ClassVar[int]
    feedback: _containers.RepeatedCompositeFieldContainer[_completion_pb2.Feedback]
    last_id: str
    total_count: int
    def __init__(self, feedback: _Optional[_Iterable[_Union[_completion_pb2.Feedback, _Mapping]]] = ..., last_id: _Optional[str] = ..., total_count: _Optional[int] = ...) -> None: ...

class ExportFeedbackTasksResponse(_message.Message):
    __slots__ = ("tasks", "last_id", "total_count")
    TASKS_FIELD_NUMBER: _ClassVar[int]
    LAST_ID_FIELD_NUMBER: _ClassVar[int]
    TOTAL_COUNT_FIELD_NUMBER: _ClassVar[int]
    tasks: _containers.RepeatedCompositeFieldContainer[_completion_pb2.FeedbackTask]
    last_id: str
    total_count: int
    def __init__(self, tasks: _Optional[_Iterable[_Union[_completion_pb2.FeedbackTask, _Mapping]]] = ..., last_id: _Optional[str] = ..., total_count: _Optional[int] = ...) -> None: ...

class ExportSessionsResponse(_message.Message):
    __slots__ = ("sessions", "last_id", "total_count")
    SESSIONS_FIELD_NUMBER: _ClassVar[int]
    LAST_ID_FIELD_NUMBER: _ClassVar[int]
    TOTAL_COUNT_FIELD_NUMBER: _ClassVar[int]
    sessions: _containers.RepeatedCompositeFieldContainer[_completion_pb2.Session]
    last_id: str
    total_count: int
    def __init__(self, sessions: _Optional[_Iterable[_Union[_completion_pb2.Session, _Mapping]]] = ..., last_id: _Optional[str] = ..., total_count: _Optional[int] = ...) -> None: ...

class ImportCompletionsRequest(_message.Message):
    __slots__ = ("completion",)
    COMPLETION_FIELD_NUMBER: _ClassVar[int]
    completion: _completion_pb2.Completion
    def __init__(self, completion: _Optional[_Union[_completion_pb2.Completion, _Mapping]] = ...) -> None: ...

class ImportFeedbackRequest(_message.Message):
    __slots__ = ("feedback",)
    FEEDBACK_FIELD_NUMBER: _ClassVar[int]
    feedback: _completion_pb2.Feedback
    def __init__(self, feedback: _Optional[_Union[_completion_pb2.Feedback, _Mapping]] = ...) -> None: ...

class ImportFeedbackTasksRequest(_message.Message):
    __slots__ = ("task",)
    TASK_FIELD_NUMBER: _ClassVar[int]
    task: _completion_pb2.FeedbackTask
    def __init__(self, task: _Optional[_Union[_completion_pb2.FeedbackTask, _Mapping]] = ...) -> None: ...

class ImportSessionsRequest(_message.Message):
    __slots__ = ("session",)
    SESSION_FIELD_NUMBER: _ClassVar[int]
    session: _completion_pb2.Session
    def __init__(self, session: _Optional[_Union[_completion_pb2.Session, _Mapping]] = ...) -> None: ...

class ImportRejection(_message.Message):
    __slots__ = ("index", "id", "reason")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    index: int
    id: str
    reason: str
    def __init__(self, index: _Optional[int] = ..., id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class ImportResponse(_message.Message):
    __slots__ = ("imported_count", "rejected_count", "rejected")
    IMPORTED_COUNT_FIELD_NUMBER: _ClassVar[int]
    REJECTED_COUNT_FIELD_NUMBER: _ClassVar[int]
    REJECTED_FIELD_NUMBER: _ClassVar[int]
    imported_count: int
    rejected_count: int
    rejected: _containers.RepeatedCompositeFieldContainer[ImportRejection]
    def __init__(self, imported_count: _Optional[int] = ..., rejected_count: _Optional[int] = ..., rejected: _Optional[_Iterable[_Union[ImportRejection, _Mapping]]] = ...) -> None: ...
