"""TLS: the client verifies the server against the CA it is given and sends its key over it."""

from __future__ import annotations

import subprocess

import grpc
import pytest
import tenlog

from tests.clients.scripted_server import scripted_server


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[bytes, bytes]:
    """A self-signed certificate for localhost: (certificate PEM, private key PEM)."""
    folder = tmp_path_factory.mktemp("tls")
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem"),
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return (folder / "cert.pem").read_bytes(), (folder / "key.pem").read_bytes()


def test_tls_with_a_private_ca(certificate):
    cert, key = certificate
    credentials = grpc.ssl_server_credentials([(key, cert)])
    with (
        scripted_server(credentials=credentials) as (target, servicer),
        tenlog.Client(target, "tlk_secret", root_certificates=cert) as client,
    ):
        assert client.settings.tls
        assert client.get_completion("over-tls").id == "over-tls"
    assert servicer.metadata[0]["x-log10-token"] == "tlk_secret"


def test_tls_refuses_a_server_it_cannot_verify(certificate):
    cert, key = certificate
    credentials = grpc.ssl_server_credentials([(key, cert)])
    # System roots do not know our self-signed certificate.
    with (
        scripted_server(credentials=credentials) as (target, servicer),
        tenlog.Client(target, "k", tls=True, retry=tenlog.NO_RETRY) as client,
        pytest.raises(grpc.RpcError) as failure,
    ):
        client.get_completion("x", timeout=5)
    assert failure.value.code() == grpc.StatusCode.UNAVAILABLE
    assert servicer.calls == 0


def test_tls_from_environment(certificate, monkeypatch):
    monkeypatch.setenv("TENLOG_TLS", "1")
    monkeypatch.setenv("TENLOG_API_KEY", "k")
    settings = tenlog.ConnectionSettings.resolve("localhost:1")
    assert settings.tls
    monkeypatch.setenv("TENLOG_TLS", "0")
    assert not tenlog.ConnectionSettings.resolve("localhost:1").tls
