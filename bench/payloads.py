"""The seed example completion, as a JSON body (REST) and as pre-serialized protobuf (gRPC).

The gRPC load generators send raw bytes: the seed completion is serialized
once, and each call appends a fresh `id` field to it. Protobuf parsers merge
repeated occurrences of a message, so `Completion(bytes) + Completion(id=...)`
is the seed completion with that id; every call is a real insert, and the
client spends no time building messages (it must not be the bottleneck).
"""

from __future__ import annotations

import json
import uuid
from functools import cache
from pathlib import Path
from typing import Any

from tenlog.v1 import completion_pb2 as pb

# The committed copy of shared/seeds/log10-create-completion-example.txt (tests check it stays identical).
SEED_FILE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "seeds" / "log10-create-completion-example.txt"

_KINDS = {"chat": pb.KIND_CHAT, "prompt": pb.KIND_PROMPT}
_STATUSES = {"started": pb.STATUS_STARTED, "finished": pb.STATUS_FINISHED, "failed": pb.STATUS_FAILED}


@cache
def seed_body() -> dict[str, Any]:
    """The request body of the seed example (a Log10 create-completion call)."""
    text = SEED_FILE.read_text()
    document, _ = json.JSONDecoder().raw_decode(text[text.index("{", text.index("Example Payload")) :])
    body: dict[str, Any] = document["request"]["body"]
    return body


def seed_completion() -> pb.Completion:
    """The seed body as a Completion message (no id)."""
    body = seed_body()
    msg = pb.Completion(
        organization_id=body.get("organization_id", ""),
        kind=_KINDS[body.get("kind", "chat")],
        status=_STATUSES[body.get("status", "finished")],
        tags=body.get("tags", []),
        session_id=body.get("session_id", ""),
        duration=float(body.get("duration", 0.0)),
    )
    msg.request.update(body["request"])
    msg.response.update(body["response"])
    return msg


def varint(value: int) -> bytes:
    """Protobuf base-128 varint."""
    out = bytearray()
    while True:
        low, value = value & 0x7F, value >> 7
        if value:
            out.append(low | 0x80)
        else:
            out.append(low)
            return bytes(out)


def field_one(payload: bytes) -> bytes:
    """Field number 1, length-delimited: how every ingest request carries its completion(s)."""
    return b"\x0a" + varint(len(payload)) + payload


def with_fresh_id(completion: bytes) -> bytes:
    """A serialized Completion with a new random id (field 1) appended."""
    ident = str(uuid.uuid4()).encode()
    return completion + field_one(ident)


def ingest_request(completion: bytes, per_call: int) -> bytes:
    """A serialized CreateCompletion / Upload / Stream request (per_call=1) or BatchCreate request (per_call=n).

    Each of these messages carries its completion(s) as field 1, so a batch is
    the concatenation of single items.
    """
    return b"".join(field_one(with_fresh_id(completion)) for _ in range(per_call))
