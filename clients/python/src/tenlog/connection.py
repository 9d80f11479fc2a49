"""Connection settings shared by every tenlog client: target, API key, TLS, channel options.

Arguments win over ``TENLOG_*`` environment variables, which win over defaults,
so the same code runs on a laptop and in production with only the environment
changed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import grpc

DEFAULT_TARGET = "localhost:50051"
TOKEN_HEADER = "x-log10-token"
ORGANIZATION_HEADER = "x-log10-organization"

# gRPC's own reconnect backoff starts at 1 s and grows to 120 s; while it waits,
# fail-fast RPCs fail at once with UNAVAILABLE. Our retry loop backs off on its
# own, so a shorter, capped channel backoff lets it reach a server that came
# back instead of burning its attempts against a channel still sitting out a
# long timer.
_DEFAULT_CHANNEL_OPTIONS: tuple[tuple[str, Any], ...] = (
    ("grpc.initial_reconnect_backoff_ms", 100),
    ("grpc.min_reconnect_backoff_ms", 100),
    ("grpc.max_reconnect_backoff_ms", 2000),
    ("grpc.max_receive_message_length", 64 * 1024 * 1024),
)

_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class ConnectionSettings:
    """Where and how to reach a tenlog server.

    Build one with :meth:`resolve`, which fills unset values from the environment.
    """

    target: str
    api_key: str
    organization: str | None = None
    tls: bool = False
    root_certificates: bytes | None = None
    private_key: bytes | None = None
    certificate_chain: bytes | None = None
    channel_options: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def resolve(
        cls,
        target: str | None = None,
        api_key: str | None = None,
        *,
        organization: str | None = None,
        tls: bool | None = None,
        root_certificates: bytes | None = None,
        private_key: bytes | None = None,
        certificate_chain: bytes | None = None,
        channel_options: Sequence[tuple[str, Any]] = (),
        environ: Mapping[str, str] | None = None,
    ) -> ConnectionSettings:
        """Fill unset values from ``TENLOG_TARGET``, ``TENLOG_API_KEY``,
        ``TENLOG_ORGANIZATION`` and ``TENLOG_TLS``.

        TLS is on when asked for (``tls=True`` or ``TENLOG_TLS=1``) or when any
        certificate is given. Raises ``ValueError`` when no API key is found, so
        a misconfigured service fails at start-up rather than on its first log.
        """
        env = os.environ if environ is None else environ
        resolved_target = target or env.get("TENLOG_TARGET") or DEFAULT_TARGET
        resolved_key = api_key or env.get("TENLOG_API_KEY")
        if not resolved_key:
            raise ValueError("tenlog: no API key; pass api_key= or set TENLOG_API_KEY")
        resolved_org = organization or env.get("TENLOG_ORGANIZATION") or None
        if tls is None:
            tls = env.get("TENLOG_TLS", "").strip().lower() in _TRUE
        if root_certificates or private_key or certificate_chain:
            tls = True
        return cls(
            target=resolved_target,
            api_key=resolved_key,
            organization=resolved_org,
            tls=tls,
            root_certificates=root_certificates,
            private_key=private_key,
            certificate_chain=certificate_chain,
            channel_options=tuple(channel_options),
        )

    def metadata(self) -> tuple[tuple[str, str], ...]:
        """The gRPC metadata every call carries: the API key and, if set, the organization."""
        pairs = [(TOKEN_HEADER, self.api_key)]
        if self.organization:
            pairs.append((ORGANIZATION_HEADER, self.organization))
        return tuple(pairs)

    def options(self) -> list[tuple[str, Any]]:
        """Channel options: our defaults, overridden by any the caller gave."""
        merged = dict(_DEFAULT_CHANNEL_OPTIONS)
        merged.update(dict(self.channel_options))
        return list(merged.items())

    def credentials(self) -> Any:
        """TLS channel credentials, or ``None`` for a plaintext channel."""
        if not self.tls:
            return None
        return grpc.ssl_channel_credentials(
            root_certificates=self.root_certificates,
            private_key=self.private_key,
            certificate_chain=self.certificate_chain,
        )


def open_channel(settings: ConnectionSettings) -> Any:
    """Open a synchronous ``grpc.Channel`` for these settings."""
    credentials = settings.credentials()
    if credentials is None:
        return grpc.insecure_channel(settings.target, options=settings.options())
    return grpc.secure_channel(settings.target, credentials, options=settings.options())


def open_aio_channel(settings: ConnectionSettings) -> Any:
    """Open an asyncio ``grpc.aio.Channel`` for these settings."""
    credentials = settings.credentials()
    if credentials is None:
        return grpc.aio.insecure_channel(settings.target, options=settings.options())
    return grpc.aio.secure_channel(settings.target, credentials, options=settings.options())
