"""The logs insert/update API -> tenlog Completions.

`request_data`/`response_data` become the request/response; model, duration
and cost are lifted; initiator, description, metadata and media are kept
under `metadata.logs_api`. Media images are base64 (at most 10 MB decoded) or
URLs; a larger image is refused with reason PAYLOAD_TOO_LARGE (HTTP 413).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from tenlog.v1 import completion_pb2, vendor_ingest_service_pb2

from tenlog_server.domain.errors import FieldViolation, InvalidArgument

from .payload_json import as_sent, struct_dict, tag

NAMESPACE = "logs_api"
MAX_MEDIA_BYTES = 10 * 1024 * 1024
PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
_URL_PREFIXES = ("http://", "https://")
# Standard or URL-safe alphabet, optional padding.
_BASE64 = re.compile(r"[A-Za-z0-9+/_-]*={0,2}")


def _decoded_size(data: str) -> int | None:
    """Bytes a base64 string (or data: URI) decodes to; None when it is not base64."""
    if data.startswith("data:"):
        data = data.partition(",")[2]
    compact = "".join(data.split())
    if not _BASE64.fullmatch(compact):
        return None
    padding = len(compact) - len(compact.rstrip("="))
    return len(compact) * 3 // 4 - padding


def check_media(media: vendor_ingest_service_pb2.LogMedia, field: str = "media") -> None:
    """Refuse base64 images over 10 MB decoded, naming the item; URLs are kept as they are."""
    too_large: list[FieldViolation] = []
    invalid: list[FieldViolation] = []
    for side in ("request", "response"):
        for index, item in enumerate(getattr(media, side)):
            path = f"{field}.{side}[{index}].data"
            data = item.data.strip()
            if not data or data.startswith(_URL_PREFIXES):
                continue
            size = _decoded_size(data)
            if size is None:
                invalid.append(FieldViolation(path, "must be base64 content or an http(s) URL"))
            elif size > MAX_MEDIA_BYTES:
                too_large.append(
                    FieldViolation(path, f"decodes to {size} bytes; images are limited to {MAX_MEDIA_BYTES} bytes")
                )
    if too_large:
        raise InvalidArgument(
            f"media larger than {MAX_MEDIA_BYTES // (1024 * 1024)} MB: send a URL instead",
            too_large,
            reason=PAYLOAD_TOO_LARGE,
        )
    if invalid:
        raise InvalidArgument("media data is neither base64 nor a URL", invalid)


def _kept(entry: vendor_ingest_service_pb2.LogEntry) -> dict[str, Any]:
    kept = as_sent(entry)
    for lifted in ("id", "model", "duration", "cost", "request_data", "response_data"):
        kept.pop(lifted, None)
    return kept


def log_entry_completion(entry: vendor_ingest_service_pb2.LogEntry) -> completion_pb2.Completion:
    """The Completion for one inserted log entry."""
    if not entry.model.strip():
        raise InvalidArgument("the log entry is not valid", [FieldViolation("model", "is required")])
    if entry.HasField("media"):
        check_media(entry.media)
    completion = completion_pb2.Completion(
        id=entry.id,
        kind=completion_pb2.KIND_CHAT,
        status=completion_pb2.STATUS_FINISHED,
        model=entry.model,
        source=completion_pb2.SOURCE_LOGS_API,
    )
    if entry.HasField("request_data"):
        completion.request.CopyFrom(entry.request_data)
    if entry.HasField("response_data"):
        completion.response.CopyFrom(entry.response_data)
    if entry.HasField("duration"):
        completion.duration = entry.duration
    if entry.HasField("cost"):
        completion.cost = entry.cost
    if entry.HasField("metadata"):
        session = struct_dict(entry.metadata).get("session_id")
        if isinstance(session, str) and session.strip():
            completion.session_id = session
    completion.metadata.update({NAMESPACE: _kept(entry)})
    initiator_tag = tag(NAMESPACE, "initiator", entry.initiator)
    if initiator_tag:
        completion.tags.append(initiator_tag)
    return completion


def log_entry_update(
    entry: vendor_ingest_service_pb2.LogEntry, stored_metadata: Mapping[str, Any], stored_tags: list[str]
) -> tuple[completion_pb2.Completion, list[str]]:
    """The changed Completion fields for an update, and their names; fields not given are kept."""
    if entry.HasField("media"):
        check_media(entry.media, "update_data.media")
    completion = completion_pb2.Completion(source=completion_pb2.SOURCE_LOGS_API)
    paths: list[str] = []
    if entry.HasField("model"):
        completion.model = entry.model
        paths.append("model")
    if entry.HasField("duration"):
        completion.duration = entry.duration
        paths.append("duration")
    if entry.HasField("cost"):
        completion.cost = entry.cost
        paths.append("cost")
    if entry.HasField("request_data"):
        completion.request.CopyFrom(entry.request_data)
        paths.append("request")
    if entry.HasField("response_data"):
        completion.response.CopyFrom(entry.response_data)
        paths.append("response")
    kept_changes = _kept(entry)
    if kept_changes:
        metadata = dict(stored_metadata)
        metadata[NAMESPACE] = {**(metadata.get(NAMESPACE) or {}), **kept_changes}
        completion.metadata.update(metadata)
        paths.append("metadata")
    if entry.HasField("initiator"):
        prefix = f"{NAMESPACE}.initiator="
        tags = [t for t in stored_tags if not t.startswith(prefix)]
        new_tag = tag(NAMESPACE, "initiator", entry.initiator)
        completion.tags.extend([*tags, new_tag] if new_tag else tags)
        paths.append("tags")
    return completion, paths
