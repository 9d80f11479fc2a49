"""HTTP headers the REST clients send -> the gRPC metadata the server reads."""

from __future__ import annotations

from collections.abc import Mapping

from tenlog_server.domain.api_keys import token_from_headers

TOKEN_METADATA = "x-log10-token"
ORGANIZATION_METADATA = "x-log10-organization"

_ORGANIZATION_HEADERS = ("x-log10-organization", "x-log10-organization-id")
# grpc-gateway's convention for arbitrary metadata from HTTP.
_PASSTHROUGH_PREFIX = "grpc-metadata-"
_PASSTHROUGH_HEADERS = ("x-request-id",)


def metadata_from_headers(headers: Mapping[str, str]) -> list[tuple[str, str]]:
    """The gRPC metadata for one HTTP request (header names are case-insensitive)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    metadata: list[tuple[str, str]] = []
    token = token_from_headers(lowered)
    if token:
        metadata.append((TOKEN_METADATA, token))
    for name in _ORGANIZATION_HEADERS:
        value = lowered.get(name, "").strip()
        if value:
            metadata.append((ORGANIZATION_METADATA, value))
            break
    for name, value in lowered.items():
        if name.startswith(_PASSTHROUGH_PREFIX) and not name.endswith("-bin"):
            key = name[len(_PASSTHROUGH_PREFIX) :]
            if key and key not in (TOKEN_METADATA, ORGANIZATION_METADATA):
                metadata.append((key, value))
        elif name in _PASSTHROUGH_HEADERS:
            metadata.append((name, value))
    return metadata
