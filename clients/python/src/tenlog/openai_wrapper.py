"""``tenlog.wrap(openai_client)``: log every chat completion an OpenAI client makes.

The wrapper replaces ``client.chat.completions.create`` on that one client
object (sync ``OpenAI`` or ``AsyncOpenAI``) with a function that calls the
original and hands a :class:`~tenlog.v1.completion_pb2.Completion` to a
background :class:`~tenlog.Logger`. What the caller gets back is untouched: the
same response object, the same stream object (its chunks are observed as the
caller reads them and assembled into one response when it ends), and the same
exception. Recording never raises into the caller; a failure to record is
reported through :mod:`logging`.
"""

from __future__ import annotations

import functools
import inspect
import logging
import time
import traceback
from collections.abc import AsyncIterator, Awaitable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

from tenlog.completions import new_completion
from tenlog.logger import Logger, default_logger
from tenlog.v1 import completion_pb2

_log = logging.getLogger("tenlog")

C = TypeVar("C")

# Arguments of create() that steer the HTTP client rather than describe the request.
_TRANSPORT_ARGS = frozenset({"extra_headers", "extra_query", "extra_body", "timeout"})
_MAX_STACK_FRAMES = 30


def wrap(
    openai_client: C,
    *,
    tags: Iterable[str] = (),
    session_id: str = "",
    logger: Logger | None = None,
) -> C:
    """Log every chat completion made through ``openai_client``; returns the same client.

    Each call is logged with its request, response (for streams, the chunks
    assembled into one ``chat.completion``), duration, the caller's stack, the
    given ``tags`` and ``session_id``, and status ``finished`` — or ``failed``
    with the exception's class and message when the call or its stream raises.
    Completions go to ``logger``, by default the process-wide
    :func:`tenlog.default_logger` configured from ``TENLOG_*`` variables.
    """
    completions = openai_client.chat.completions  # type: ignore[attr-defined]
    if completions is not openai_client.chat.completions:  # type: ignore[attr-defined]
        raise TypeError("tenlog.wrap: client.chat.completions is not a stable object; cannot instrument it")
    original = completions.create
    if getattr(original, "__tenlog_wrapped__", False):
        return openai_client  # wrapping twice would log every call twice
    recorder = _Recorder(logger, list(tags), session_id)

    # One wrapper serves OpenAI and AsyncOpenAI: openai's own decorators make the
    # async create() a plain function returning a coroutine, so we tell the two
    # apart by what the call returns, not by inspecting the function.
    @functools.wraps(original)
    def create(*args: Any, **kwargs: Any) -> Any:
        kwargs = _materialize(kwargs)
        call = recorder.start(kwargs)
        try:
            result = original(*args, **kwargs)
        except Exception as exc:
            call.failed(exc)
            raise
        if inspect.isawaitable(result):
            return _finish_async(call, result, stream=kwargs.get("stream") is True)
        if kwargs.get("stream") is True:
            call.observe_stream(result)
        else:
            call.finished(result)
        return result

    create.__tenlog_wrapped__ = True  # type: ignore[attr-defined]
    completions.create = create
    return openai_client


async def _finish_async(call: _Call, pending: Awaitable[Any], stream: bool) -> Any:
    try:
        result = await pending
    except Exception as exc:
        call.failed(exc)
        raise
    if stream:
        call.observe_async_stream(result)
    else:
        call.finished(result)
    return result


class _Recorder:
    def __init__(self, logger: Logger | None, tags: list[str], session_id: str) -> None:
        self._logger = logger
        self.tags = tags
        self.session_id = session_id

    @property
    def logger(self) -> Logger:
        # Resolved on first use, so wrap() works before TENLOG_* is set up.
        if self._logger is None:
            self._logger = default_logger()
        return self._logger

    def start(self, kwargs: Mapping[str, Any]) -> _Call:
        return _Call(self, kwargs)


class _Call:
    """One create() call being recorded."""

    def __init__(self, recorder: _Recorder, kwargs: Mapping[str, Any]) -> None:
        self.recorder = recorder
        self.started = time.monotonic()
        self.kwargs = kwargs
        # Drop the frames of this module; the caller's are the useful ones.
        self.stack = traceback.extract_stack()[:-2][-_MAX_STACK_FRAMES:]

    def finished(self, response: Any) -> None:
        self._log(response=response, status="finished")

    def failed(self, exc: BaseException, response: Any = None) -> None:
        self._log(response=response, status="failed", failure_kind=type(exc).__name__, failure_reason=str(exc))

    def observe_stream(self, stream: Any) -> None:
        chunks: list[Any] = []
        inner = getattr(stream, "_iterator", None)
        if inner is None:
            _log.warning("tenlog: cannot observe a %s; this streamed completion is not logged", type(stream))
            return

        # The stream object the caller holds reads from _iterator, so swapping it
        # for this generator lets us see each chunk while the caller's object,
        # its type and its methods stay exactly what openai returned.
        def observed() -> Iterator[Any]:
            try:
                for chunk in inner:
                    chunks.append(chunk)
                    yield chunk
            except GeneratorExit:
                self._abandoned(chunks)
                raise
            except Exception as exc:
                self.failed(exc, _Chunks(chunks) if chunks else None)
                raise
            self.finished(_Chunks(chunks))

        stream._iterator = observed()

    def observe_async_stream(self, stream: Any) -> None:
        chunks: list[Any] = []
        inner = getattr(stream, "_iterator", None)
        if inner is None:
            _log.warning("tenlog: cannot observe a %s; this streamed completion is not logged", type(stream))
            return

        async def observed() -> AsyncIterator[Any]:
            try:
                async for chunk in inner:
                    chunks.append(chunk)
                    yield chunk
            except GeneratorExit:
                self._abandoned(chunks)
                raise
            except Exception as exc:
                self.failed(exc, _Chunks(chunks) if chunks else None)
                raise
            self.finished(_Chunks(chunks))

        stream._iterator = observed()

    def _abandoned(self, chunks: list[Any]) -> None:
        # The caller stopped reading before the end: what we have is incomplete,
        # so say so instead of passing a partial answer off as finished.
        self._log(
            response=_Chunks(chunks) if chunks else None,
            status="failed",
            failure_kind="StreamClosed",
            failure_reason=f"the stream was closed by the caller after {len(chunks)} chunks",
        )

    def _log(
        self,
        *,
        response: Any,
        status: str,
        failure_kind: str = "",
        failure_reason: str = "",
    ) -> None:
        try:
            completion = new_completion(
                request=_request_dict(self.kwargs),
                response=None if response is None else _to_dict(response),
                status=status,
                kind="chat",
                tags=self.recorder.tags,
                session_id=self.recorder.session_id,
                duration=time.monotonic() - self.started,
                failure_kind=failure_kind,
                failure_reason=failure_reason,
            )
            completion.stacktrace.extend(
                completion_pb2.StackFrame(file=f.filename, line=f.line or "", lineno=f.lineno or 0, name=f.name)
                for f in self.stack
            )
            self.recorder.logger.log(completion)
        except Exception:  # recording must never break the caller's call
            _log.exception("tenlog: could not record a chat completion")


def _materialize(kwargs: dict[str, Any]) -> dict[str, Any]:
    # messages and tools may be one-shot iterables; read them once into lists
    # and pass those on, so both openai and the log see the same items.
    out = dict(kwargs)
    for key in ("messages", "tools", "functions"):
        value = out.get(key)
        if value is not None and not isinstance(value, (list, tuple, str, Mapping)) and isinstance(value, Iterable):
            out[key] = list(value)
    return out


def _request_dict(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    request = {k: _jsonable(v) for k, v in kwargs.items() if k not in _TRANSPORT_ARGS and _given(v)}
    extra_body = kwargs.get("extra_body")
    if isinstance(extra_body, Mapping):
        request.update({str(k): _jsonable(v) for k, v in extra_body.items()})  # sent in the body too
    return request


def _given(value: Any) -> bool:
    # openai's NOT_GIVEN / Omit sentinels mean "not sent".
    return type(value).__name__ not in {"NotGiven", "Omit"}


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items() if _given(v)}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "model_dump"):
        return _to_dict(value)
    return str(value)


class _Chunks:
    """Stream chunks as received; turned into one response only when logged, off the caller's path."""

    def __init__(self, chunks: list[Any]) -> None:
        self.chunks = chunks


def _to_dict(obj: Any) -> dict[str, Any]:
    """An openai response model (or the chunks of a stream) as the JSON object the API sent."""
    if isinstance(obj, _Chunks):
        return assemble_chunks([_to_dict(chunk) for chunk in obj.chunks])
    if isinstance(obj, Mapping):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    to_dict = getattr(obj, "to_dict", None)
    if callable(to_dict):
        return dict(to_dict())
    model_dump = getattr(obj, "model_dump", None)
    if callable(model_dump):
        return dict(model_dump(mode="json", exclude_unset=True))
    raise TypeError(f"cannot turn a {type(obj).__name__} into JSON")


def assemble_chunks(chunks: list[dict[str, Any]]) -> dict[str, Any]:
    """Fold ``chat.completion.chunk`` objects into the ``chat.completion`` they stream.

    Content, refusals and tool-call arguments are concatenated per choice;
    role, finish reason, usage and ids take the values the chunks carried.
    """
    response: dict[str, Any] = {"object": "chat.completion"}
    choices: dict[int, dict[str, Any]] = {}
    for chunk in chunks:
        for key in ("id", "created", "model", "system_fingerprint", "service_tier"):
            if chunk.get(key) is not None:
                response[key] = chunk[key]
        if chunk.get("usage"):
            response["usage"] = chunk["usage"]
        for delta_choice in chunk.get("choices") or ():
            index = int(delta_choice.get("index", 0))
            choice = choices.setdefault(
                index, {"index": index, "message": {"role": "assistant", "content": None}, "finish_reason": None}
            )
            _merge_delta(choice["message"], delta_choice.get("delta") or {})
            if delta_choice.get("finish_reason") is not None:
                choice["finish_reason"] = delta_choice["finish_reason"]
            logprobs = delta_choice.get("logprobs")
            if logprobs and logprobs.get("content"):
                choice.setdefault("logprobs", {"content": []})["content"].extend(logprobs["content"])
    response["choices"] = [choices[i] for i in sorted(choices)]
    return response


def _merge_delta(message: dict[str, Any], delta: Mapping[str, Any]) -> None:
    if delta.get("role"):
        message["role"] = delta["role"]
    for key in ("content", "refusal"):
        if delta.get(key) is not None:
            message[key] = (message.get(key) or "") + delta[key]
    if delta.get("function_call"):
        call = message.setdefault("function_call", {"name": "", "arguments": ""})
        call["name"] += delta["function_call"].get("name") or ""
        call["arguments"] += delta["function_call"].get("arguments") or ""
    for tool_delta in delta.get("tool_calls") or ():
        tool_calls: list[dict[str, Any]] = message.setdefault("tool_calls", [])
        index = int(tool_delta.get("index", len(tool_calls)))
        while len(tool_calls) <= index:
            tool_calls.append({"id": "", "type": "function", "function": {"name": "", "arguments": ""}})
        call = tool_calls[index]
        if tool_delta.get("id"):
            call["id"] = tool_delta["id"]
        if tool_delta.get("type"):
            call["type"] = tool_delta["type"]
        function = tool_delta.get("function") or {}
        call["function"]["name"] += function.get("name") or ""
        call["function"]["arguments"] += function.get("arguments") or ""
