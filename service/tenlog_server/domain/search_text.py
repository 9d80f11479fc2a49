"""What full-text search and metadata filters see of a completion, computed from its documents.

search_text: the text of the request's messages (and prompt) and of the
response's message contents, tool call arguments included, in the shapes of
the OpenAI chat and completions APIs and of Anthropic's content blocks.
lifted_metadata: the top-level scalar keys of the metadata document, which
metadata.<key> filters and group_by read from an indexed side table.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from tenlog.completions import value_to_python

from .documents import Document

MAX_SEARCH_TEXT = 100_000  # characters indexed per completion; the rest is not searchable
MAX_METADATA_VALUE = 256  # longer string values are not lifted (not filterable)
MAX_METADATA_KEY = 128  # nor are values under longer keys


def _sequence(value: Any) -> Sequence[Any]:
    return value if isinstance(value, Sequence) and not isinstance(value, str | bytes) else ()


def _content_texts(content: Any) -> Iterator[str]:
    """Text of a message content: a string, or a list of parts (text parts, tool_use inputs, tool results)."""
    if isinstance(content, str):
        yield content
        return
    for part in _sequence(content):
        if isinstance(part, str):
            yield part
        elif isinstance(part, Mapping):
            text = part.get("text")
            if isinstance(text, str):
                yield text
            if "input" in part and isinstance(part["input"], Mapping):
                yield from _scalar_texts(part["input"])
            if "content" in part:
                yield from _content_texts(part["content"])


def _scalar_texts(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _scalar_texts(item)
    elif isinstance(value, Sequence) and not isinstance(value, bytes):
        for item in value:
            yield from _scalar_texts(item)


def _message_texts(message: Any) -> Iterator[str]:
    if not isinstance(message, Mapping):
        return
    yield from _content_texts(message.get("content"))
    for call in _sequence(message.get("tool_calls")):
        function = call.get("function") if isinstance(call, Mapping) else None
        if isinstance(function, Mapping) and isinstance(function.get("arguments"), str):
            yield function["arguments"]
    function_call = message.get("function_call")
    if isinstance(function_call, Mapping) and isinstance(function_call.get("arguments"), str):
        yield function_call["arguments"]


def _plain(document: Mapping[str, Any], key: str) -> Any:
    """One top-level value as plain Python values: a Document's views cost more per key than one conversion."""
    if isinstance(document, Document):
        fields = document.struct.fields
        return value_to_python(fields[key]) if key in fields else None
    return document.get(key)


_MESSAGE_KEYS = ("content", "tool_calls", "function_call")  # what _message_texts reads of a message
_CHOICE_KEYS = ("message", "text")  # and of a response choice


def _items(document: Mapping[str, Any], key: str, keys: tuple[str, ...]) -> Sequence[Any]:
    """The list at a top-level key, its objects cut down to `keys` (all that is read of them).

    From a Document only those keys are converted to Python values: roles,
    indexes, finish reasons and logprobs are never read, and converting them
    was most of the cost of indexing a completion's text.
    """
    if not isinstance(document, Document):
        return _sequence(document.get(key))
    fields = document.struct.fields
    if key not in fields or fields[key].WhichOneof("kind") != "list_value":
        return ()
    out: list[Any] = []
    for item in fields[key].list_value.values:
        if item.WhichOneof("kind") == "struct_value":
            inner = item.struct_value.fields
            out.append({name: value_to_python(inner[name]) for name in keys if name in inner})
        else:
            out.append(value_to_python(item))
    return out


def search_text(request: Mapping[str, Any] | None, response: Mapping[str, Any] | None) -> str:
    """The searchable text of a completion (at most MAX_SEARCH_TEXT characters)."""
    parts: list[str] = []
    if request:
        for message in _items(request, "messages", _MESSAGE_KEYS):
            parts.extend(_message_texts(message))
        prompt = _plain(request, "prompt")
        if isinstance(prompt, str):
            parts.append(prompt)
    if response:
        for choice in _items(response, "choices", _CHOICE_KEYS):
            if isinstance(choice, Mapping):
                parts.extend(_message_texts(choice.get("message")))
                if isinstance(choice.get("text"), str):
                    parts.append(choice["text"])
        content = _plain(response, "content")
        if content is not None:  # Anthropic messages
            parts.extend(_content_texts(content))
    # NUL is data inside a document, but PostgreSQL text cannot hold it: the derived text drops it.
    text = "\n".join(parts).replace("\x00", " ")
    return text[:MAX_SEARCH_TEXT]


def lifted_metadata(metadata: Mapping[str, Any] | None) -> list[tuple[str, str, float | None]]:
    """(key, text, number) of each top-level scalar metadata value; numbers keep their text too."""
    if not metadata:
        return []
    out: list[tuple[str, str, float | None]] = []
    for key in metadata:
        if len(key) > MAX_METADATA_KEY or "\x00" in key:
            continue  # NUL: PostgreSQL text cannot hold it (the document keeps it)
        value = metadata[key]
        if isinstance(value, bool):
            out.append((key, "true" if value else "false", None))
        elif isinstance(value, int | float):
            number = float(value)
            out.append((key, str(value), number))
        elif isinstance(value, str) and len(value) <= MAX_METADATA_VALUE:
            out.append((key, value.replace("\x00", " "), None))
    return out
