"""API keys: minting, hashing, and checking a caller's key against an organization."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import time
from collections.abc import Mapping

from .clock import now_us
from .completion_rules import id_violations
from .errors import FieldViolation, InvalidArgument, NotFound, PermissionDenied, Unauthenticated
from .stores import KeyStore

KEY_PREFIX = "tlk_"
SHOWN_PREFIX = 12  # characters of a key kept in clear to name it (tlk_ + 8 random)
# How long a server trusts a key it has checked: also how long a revoked key keeps working.
CACHE_SECONDS = 5.0
# How long an unknown key is remembered as unknown: a flood of bad keys costs no queries,
# and a key minted meanwhile works within this long.
NEGATIVE_CACHE_SECONDS = 1.0
# How often a long-lived stream re-checks its key (it ends UNAUTHENTICATED once revoked).
STREAM_RECHECK_SECONDS = 5.0
# Every header (gRPC metadata key) some client carries the API key in, in order of preference:
# Log10 (both SDKs), then Freeplay / Keywords AI / OTLP exporters (Bearer), then the logs API and x-api-key users.
TOKEN_HEADERS = ("x-log10-token", "authorization", "x-api-key")


def bearer_token(value: str) -> str:
    """The key of an Authorization value: `Bearer KEY` / `Token KEY`, or a bare key."""
    scheme, _, credentials = value.strip().partition(" ")
    if scheme.lower() in ("bearer", "token") and credentials.strip():
        return credentials.strip()
    return value.strip() if not credentials else ""


def token_from_headers(headers: Mapping[str, str]) -> str:
    """The API key a request carries in any of TOKEN_HEADERS (names lowercase), or ""."""
    for name in TOKEN_HEADERS:
        value = headers.get(name, "").strip()
        if name == "authorization":
            value = bearer_token(value)
        if value:
            return value
    return ""


def hash_key(key: str) -> str:
    """SHA-256 of a key: keys are high-entropy random strings, so a fast hash is enough."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiKeys:
    """Mints keys and authenticates callers; remembers recent answers to keep the hot path off the DB."""

    def __init__(self, store: KeyStore) -> None:
        self.store = store
        self._cache: dict[str, tuple[str | None, float]] = {}

    def mint(self, org: str) -> str:
        """Create a key for the organization (created if new); returns the key, stores only its hash."""
        violations = id_violations("org", org)
        if not org:
            violations.append(FieldViolation("org", "is required"))
        if violations:
            raise InvalidArgument("the organization name is not valid", violations)
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        self.store.add_key(org, hash_key(key), key[:SHOWN_PREFIX], now_us())
        return key

    def list(self, org: str = "") -> list[tuple[str, str, int]]:
        """(prefix, organization, created_at_us) of the keys; the keys themselves are not stored."""
        return self.store.list_keys(org)

    def revoke(self, key_or_prefix: str) -> str:
        """Delete the key given in full, or the one key whose shown prefix starts with the argument.

        Returns the revoked key's shown prefix. A prefix no longer than "tlk_", or one
        that matches no key or several, is refused.
        """
        prefix = key_or_prefix if len(key_or_prefix) <= SHOWN_PREFIX else ""
        if prefix and len(prefix) <= len(KEY_PREFIX):
            raise InvalidArgument(
                "name a key by its full value or by a prefix of more than 4 characters",
                [FieldViolation("key", f"{key_or_prefix!r} is too short to name one key")],
            )
        matches = self.store.matching_keys(hash_key(key_or_prefix), prefix)
        if not matches:
            raise NotFound(f"no API key matches {key_or_prefix!r}")
        if len(matches) > 1:
            raise InvalidArgument(
                f"{key_or_prefix!r} matches {len(matches)} keys: " + ", ".join(p for _, p in matches),
                [FieldViolation("key", "give a longer prefix or the full key")],
            )
        key_hash, shown = matches[0]
        self.store.delete_key(key_hash)
        return shown

    async def authenticate(self, token: str, org: str) -> str:
        """The organization the call acts for; raises Unauthenticated or PermissionDenied."""
        if not token:
            raise Unauthenticated("missing API key: send it as x-log10-token, authorization: Bearer <key> or x-api-key")
        digest = hash_key(token)
        cached = self._cache.get(digest)
        if cached is not None and cached[1] > time.monotonic():
            key_org = cached[0]
        else:
            key_org = await asyncio.to_thread(self.store.org_of_key, digest)
            if len(self._cache) > 10000:
                self._cache.clear()
            ttl = CACHE_SECONDS if key_org is not None else NEGATIVE_CACHE_SECONDS
            self._cache[digest] = (key_org, time.monotonic() + ttl)
        if key_org is None:
            raise Unauthenticated("unknown API key")
        if org and org != key_org:
            raise PermissionDenied(f"this API key does not belong to organization {org!r}")
        return key_org
