"""Newline-delimited JSON: the HTTP form of gRPC streams."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import grpc
from aiohttp import StreamReader

from tenlog_server.transport.http.errors import GatewayError

NDJSON_CONTENT_TYPE = "application/x-ndjson"


def encode_line(value: Any) -> bytes:
    """One JSON value as one NDJSON line."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


async def read_lines(content: StreamReader, max_line_bytes: int) -> AsyncIterator[tuple[int, bytes]]:
    """Non-blank lines of a request body with their 1-based numbers, read as they arrive.

    aiohttp's own readline caps lines at its buffer size; completions can be far
    larger, so lines are split here with the gateway's body limit per line.
    """
    buffer = bytearray()
    number = 0
    async for chunk in content.iter_any():
        buffer.extend(chunk)
        while True:
            newline = buffer.find(b"\n")
            if newline < 0:
                break
            number += 1
            line = bytes(buffer[:newline]).strip()
            del buffer[: newline + 1]
            if line:
                yield number, line
        if len(buffer) > max_line_bytes:
            raise GatewayError(
                413,
                grpc.StatusCode.INVALID_ARGUMENT,
                f"line {number + 1} of the request stream is larger than {max_line_bytes} bytes",
            )
    tail = bytes(buffer).strip()
    if tail:
        yield number + 1, tail
