"""tenlog: the Python client for tenlog, a self-hosted gRPC log of LLM calls.

- :class:`Client` / :class:`AsyncClient`: one typed method per RPC, with
  deadlines, retries and TLS.
- :class:`Logger`: ``log(completion)`` returns at once; a background thread
  ships completions over ``StreamCompletions``.
- :func:`wrap`: log every chat completion an OpenAI client makes.
- :func:`new_completion`: build a ``Completion`` from plain values.

The generated protobuf and gRPC stubs live in ``tenlog.v1``; they are shared by
this client and the tenlog server.
"""

from tenlog import errors
from tenlog.aio_client import AsyncClient, AsyncResponseStream
from tenlog.client import Client, ResponseStream
from tenlog.completions import from_struct, new_completion, new_id, to_struct
from tenlog.connection import ConnectionSettings
from tenlog.logger import Logger, LoggerStats, default_logger
from tenlog.openai_wrapper import wrap
from tenlog.retry import NO_RETRY, RetryPolicy
from tenlog.v1.completion_pb2 import Completion, Feedback, FeedbackTask, Kind, Session, Source, Status

__all__ = [
    "NO_RETRY",
    "AsyncClient",
    "AsyncResponseStream",
    "Client",
    "Completion",
    "ConnectionSettings",
    "Feedback",
    "FeedbackTask",
    "Kind",
    "Logger",
    "LoggerStats",
    "ResponseStream",
    "RetryPolicy",
    "Session",
    "Source",
    "Status",
    "default_logger",
    "errors",
    "from_struct",
    "new_completion",
    "new_id",
    "to_struct",
    "wrap",
]
