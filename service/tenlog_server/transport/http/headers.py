"""HTTP headers the REST clients send -> the gRPC metadata the server reads."""

from __future__ import annotations

from collections.abc import Mapping

TOKEN_METADATA = "x-log10-token"
ORGANIZATION_METADATA = "x-log10-organization"

# Every header some client uses to carry the API key, in order of preference:
# Log10 (both SDKs), then Freeplay / Keywords AI (Bearer), then the logs API.
_TOKEN_HEADERS = ("x-log10-token", "authorization", "x-api-key")
_ORGANIZATION_HEADERS = ("x-log10-organization", "x-log10-organization-id")
# grpc-gateway's convention for arbitrary metadata from HTTP.
_PASSTHROUGH_PREFIX = "grpc-metadata-"
_PASSTHROUGH_HEADERS = ("x-request-id",)


def _bearer_token(value: str) -> str:
    scheme, _, credentials = value.strip().partition(" ")
    if scheme.lower() in ("bearer", "token") and credentials.strip():
        return credentials.strip()
    return value.strip() if not credentials else ""


def metadata_from_headers(headers: Mapping[str, str]) -> list[tuple[str, str]]:
    """The gRPC metadata for one HTTP request (header names are case-insensitive)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    metadata: list[tuple[str, str]] = []
    for name in _TOKEN_HEADERS:
        value = lowered.get(name, "").strip()
        if name == "authorization":
            value = _bearer_token(value)
        if value:
            metadata.append((TOKEN_METADATA, value))
            break
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
