"""TLS: check certificate files once at startup, then build gRPC and HTTPS credentials from them.

Every problem with the files is a `TlsConfigError` whose message names the
flag and the path, so `tenlog serve` can exit with one clear line instead of a
traceback from deep inside gRPC or OpenSSL.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass

import grpc

CERT_FLAG = "--tls-cert (TENLOG_TLS_CERT)"
KEY_FLAG = "--tls-key (TENLOG_TLS_KEY)"
CLIENT_CA_FLAG = "--tls-client-ca (TENLOG_TLS_CLIENT_CA)"


class TlsConfigError(ValueError):
    """A TLS flag is missing its partner, or names a file that cannot be read or used."""


@dataclass(frozen=True, slots=True)
class ServerTls:
    """The server's certificate chain and key, and the CA client certificates must chain to (mTLS)."""

    cert_chain: bytes
    private_key: bytes
    client_ca: bytes | None
    https_context: ssl.SSLContext

    def grpc_credentials(self) -> grpc.ServerCredentials:
        """Credentials for `add_secure_port`; with a client CA, calls without a certificate it signed are refused."""
        return grpc.ssl_server_credentials(
            [(self.private_key, self.cert_chain)],
            root_certificates=self.client_ca,
            require_client_auth=self.client_ca is not None,
        )


def read_file(flag: str, path: str) -> bytes:
    """The bytes of a file named by a flag; a TlsConfigError naming both when it cannot be read."""
    try:
        with open(path, "rb") as file:
            return file.read()
    except OSError as exc:
        raise TlsConfigError(f"{flag} {path}: cannot read it: {exc.strerror or exc}") from None


def _refuse_password() -> bytes:
    # Without a callback OpenSSL would prompt on the terminal for an encrypted key's passphrase.
    return b""


def load_server_tls(cert_path: str, key_path: str, client_ca_path: str = "") -> ServerTls | None:
    """Read and check the server's TLS files; None when TLS is off (neither cert nor key given)."""
    if not cert_path and not key_path:
        if client_ca_path:
            raise TlsConfigError(f"{CLIENT_CA_FLAG} {client_ca_path} needs {CERT_FLAG} and {KEY_FLAG} as well")
        return None
    if not key_path:
        raise TlsConfigError(f"{CERT_FLAG} {cert_path} was given without {KEY_FLAG}")
    if not cert_path:
        raise TlsConfigError(f"{KEY_FLAG} {key_path} was given without {CERT_FLAG}")
    cert_chain = read_file(CERT_FLAG, cert_path)
    private_key = read_file(KEY_FLAG, key_path)
    client_ca = read_file(CLIENT_CA_FLAG, client_ca_path) if client_ca_path else None

    # PROTOCOL_TLS_SERVER, not create_default_context(): the latter would also trust the system
    # CAs for client certificates, letting any publicly issued certificate past --tls-client-ca.
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        # The cert file alone first, so a bad certificate is not blamed on the key.
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(cadata=cert_chain.decode("ascii", "replace"))
    except ssl.SSLError as exc:
        raise TlsConfigError(f"{CERT_FLAG} {cert_path}: not a PEM certificate ({exc.reason or exc})") from None
    try:
        context.load_cert_chain(cert_path, key_path, password=_refuse_password)
    except ssl.SSLError as exc:
        hint = "; encrypted keys are not supported" if b"ENCRYPTED" in private_key else ""
        raise TlsConfigError(
            f"{KEY_FLAG} {key_path}: not a PEM private key matching {cert_path} ({exc.reason or exc}{hint})"
        ) from None
    if client_ca is not None:
        try:
            context.load_verify_locations(cadata=client_ca.decode("ascii", "replace"))
        except ssl.SSLError as exc:
            raise TlsConfigError(
                f"{CLIENT_CA_FLAG} {client_ca_path}: not a PEM CA certificate ({exc.reason or exc})"
            ) from None
        context.verify_mode = ssl.CERT_REQUIRED
    return ServerTls(cert_chain, private_key, client_ca, context)


def channel_credentials(
    ca_path: str, cert_path: str = "", key_path: str = "", *, flag_prefix: str = "--"
) -> grpc.ChannelCredentials:
    """Client credentials trusting the CA at ca_path (system roots when empty), with an optional client cert.

    flag_prefix names the flags in error messages: `--grpc-` for --grpc-ca, --grpc-cert, --grpc-key.
    """
    if bool(cert_path) != bool(key_path):
        raise TlsConfigError(f"{flag_prefix}cert and {flag_prefix}key go together; only one was given")
    return grpc.ssl_channel_credentials(
        root_certificates=read_file(f"{flag_prefix}ca", ca_path) if ca_path else None,
        private_key=read_file(f"{flag_prefix}key", key_path) if key_path else None,
        certificate_chain=read_file(f"{flag_prefix}cert", cert_path) if cert_path else None,
    )
