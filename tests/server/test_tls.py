"""`tenlog serve --tls-cert/--tls-key [--tls-client-ca]`: gRPC over TLS, REST over HTTPS, mTLS, startup errors."""

from __future__ import annotations

import json
import ssl
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import pytest
import tenlog
from tenlog.v1 import completion_service_pb2 as api_pb
from tenlog_server.tls import TlsConfigError, load_server_tls

from tests.support.grpc_api import Api, chat_completion
from tests.support.postgres import free_port
from tests.support.server import TENLOG, ServerProcess, start_server

# EC keys: generating them is instant, where RSA takes noticeable time per key.
EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]


@dataclass(frozen=True)
class Pki:
    """A server CA with a localhost certificate, and a separate CA for client certificates."""

    folder: Path

    def path(self, name: str) -> str:
        return str(self.folder / name)

    def read(self, name: str) -> bytes:
        return (self.folder / name).read_bytes()


def _openssl(folder: Path, *args: str) -> None:
    subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)


def _make_ca(folder: Path, name: str) -> None:
    _openssl(folder, "req", "-x509", *EC_KEY, "-days", "1", "-subj", f"/CN={name}",
             "-keyout", f"{name}.key", "-out", f"{name}.pem")  # fmt: skip


def _issue(folder: Path, ca: str, name: str, san: str = "") -> None:
    """A certificate `name`.pem (key `name`.key) signed by CA `ca`."""
    _openssl(folder, "req", *EC_KEY, "-subj", f"/CN={name}", "-keyout", f"{name}.key", "-out", f"{name}.csr")
    extra = []
    if san:
        (folder / f"{name}.ext").write_text(f"subjectAltName={san}\n")
        extra = ["-extfile", f"{name}.ext"]
    _openssl(folder, "x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key",
             "-set_serial", str(time.time_ns()), "-days", "1", "-out", f"{name}.pem", *extra)  # fmt: skip


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    folder = tmp_path_factory.mktemp("pki")
    _make_ca(folder, "server-ca")
    _issue(folder, "server-ca", "server", san="DNS:localhost,IP:127.0.0.1")
    _make_ca(folder, "client-ca")
    _issue(folder, "client-ca", "client")
    _make_ca(folder, "stranger-ca")  # a CA the server does not trust for clients
    _issue(folder, "stranger-ca", "stranger")
    return Pki(folder)


def _tls_args(pki: Pki) -> list[str]:
    return ["--no-bootstrap", "--tls-cert", pki.path("server.pem"), "--tls-key", pki.path("server.key")]


@pytest.fixture(scope="module")
def tls_server(pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    database_url = f"sqlite:///{tmp_path_factory.mktemp('tls') / 'tenlog.db'}"
    server = start_server(database_url, _tls_args(pki))
    server.key = server.mint_key(server.org)
    yield server
    assert server.stop() == 0


@pytest.fixture(scope="module")
def mtls_server(pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """Requires client certificates; two workers, which must each load the same TLS files."""
    database_url = f"sqlite:///{tmp_path_factory.mktemp('mtls') / 'tenlog.db'}"
    args = [*_tls_args(pki), "--tls-client-ca", pki.path("client-ca.pem"), "--workers", "2"]
    server = start_server(database_url, args)
    server.key = server.mint_key(server.org)
    yield server
    assert server.stop() == 0


def _credentials(pki: Pki, client: str = "") -> grpc.ChannelCredentials:
    if not client:
        return grpc.ssl_channel_credentials(root_certificates=pki.read("server-ca.pem"))
    return grpc.ssl_channel_credentials(
        root_certificates=pki.read("server-ca.pem"),
        private_key=pki.read(f"{client}.key"),
        certificate_chain=pki.read(f"{client}.pem"),
    )


def _create_then_get(channel: grpc.Channel, server: ServerProcess, completion_id: str) -> None:
    api = Api(channel, server.key)
    completion = chat_completion(id=completion_id, tags=["tls"])
    api.call(api.completions.CreateCompletion, api_pb.CreateCompletionRequest(completion=completion))
    got = api.call(api.completions.GetCompletion, api_pb.GetCompletionRequest(id=completion_id))
    assert got.id == completion_id and got.organization_id == server.org


def _https(pki: Pki, url: str, key: str, client: str = "", body: Any = None) -> tuple[int, Any]:
    context = ssl.create_default_context(cafile=pki.path("server-ca.pem"))
    if client:
        context.load_cert_chain(pki.path(f"{client}.pem"), pki.path(f"{client}.key"))
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json", "X-Log10-Token": key}
    request = urllib.request.Request(url, data=data, headers=headers, method="POST" if data else "GET")
    try:
        with urllib.request.urlopen(request, timeout=10, context=context) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _https_url(server: ServerProcess) -> str:
    return f"https://127.0.0.1:{server.http_port}"


def test_grpc_over_tls_with_the_ca(tls_server: ServerProcess, pki: Pki) -> None:
    with grpc.secure_channel(tls_server.grpc_target, _credentials(pki)) as channel:
        _create_then_get(channel, tls_server, "over-tls")


def test_plaintext_grpc_is_refused(tls_server: ServerProcess) -> None:
    with grpc.insecure_channel(tls_server.grpc_target) as channel:
        api = Api(channel, tls_server.key)
        with pytest.raises(grpc.RpcError) as failure:
            api.completions.GetCompletion(api_pb.GetCompletionRequest(id="x"), metadata=api.metadata, timeout=5)
    assert failure.value.code() == grpc.StatusCode.UNAVAILABLE


def test_rest_over_https_with_the_ca(tls_server: ServerProcess, pki: Pki) -> None:
    url = _https_url(tls_server) + "/api/v1/completions"
    status, created = _https(pki, url, tls_server.key, body={"id": "rest-tls", "status": "finished"})
    assert status == 201, created
    status, got = _https(pki, url + "/rest-tls", tls_server.key)
    assert status == 200 and got["id"] == "rest-tls"
    with pytest.raises((urllib.error.URLError, ConnectionError)):  # plaintext HTTP to the HTTPS port: no answer
        urllib.request.urlopen(tls_server.http_url + "/api/v1/completions/rest-tls", timeout=5)


def test_mtls_refuses_clients_without_a_trusted_certificate(mtls_server: ServerProcess, pki: Pki) -> None:
    for client in ("", "stranger"):
        with grpc.secure_channel(mtls_server.grpc_target, _credentials(pki, client)) as channel:
            api = Api(channel, mtls_server.key)
            with pytest.raises(grpc.RpcError) as failure:
                api.completions.GetCompletion(api_pb.GetCompletionRequest(id="x"), metadata=api.metadata, timeout=5)
            assert failure.value.code() == grpc.StatusCode.UNAVAILABLE, client
        with pytest.raises((ssl.SSLError, urllib.error.URLError, ConnectionError)):
            _https(pki, _https_url(mtls_server) + "/api/v1/completions/x", mtls_server.key, client)


def test_mtls_accepts_a_certificate_from_the_client_ca(mtls_server: ServerProcess, pki: Pki) -> None:
    with grpc.secure_channel(mtls_server.grpc_target, _credentials(pki, "client")) as channel:
        _create_then_get(channel, mtls_server, "over-mtls")
    status, got = _https(pki, _https_url(mtls_server) + "/api/v1/completions/over-mtls", mtls_server.key, "client")
    assert status == 200 and got["id"] == "over-mtls"


def test_the_python_client_presents_its_certificate(mtls_server: ServerProcess, pki: Pki) -> None:
    with tenlog.Client(
        mtls_server.grpc_target,
        mtls_server.key,
        root_certificates=pki.read("server-ca.pem"),
        private_key=pki.read("client.key"),
        certificate_chain=pki.read("client.pem"),
    ) as client:
        created = client.create_completion(chat_completion(id="client-mtls"))
        assert created.id == "client-mtls" and client.get_completion("client-mtls").id == "client-mtls"


def test_standalone_gateway_dials_an_mtls_server(mtls_server: ServerProcess, pki: Pki) -> None:
    port = free_port()
    args = ["--grpc-ca", pki.path("server-ca.pem"), "--grpc-cert", pki.path("client.pem")]
    args += ["--grpc-key", pki.path("client.key")]
    proc = subprocess.Popen(
        [TENLOG, "gateway", "--upstream", mtls_server.grpc_target, "--http-port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        ready = threading.Event()
        threading.Thread(target=lambda: [ready.set() for line in proc.stdout or () if "serving HTTP" in line]).start()
        assert ready.wait(30), "tenlog gateway did not start"
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/completions",
            data=json.dumps({"id": "via-gateway", "status": "finished"}).encode(),
            headers={"Content-Type": "application/json", "X-Log10-Token": mtls_server.key},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 201
    finally:
        proc.terminate()
        assert proc.wait(15) == 0


def test_tail_connects_over_tls(tls_server: ServerProcess, pki: Pki) -> None:
    tail = subprocess.Popen(
        [TENLOG, "tail", "--target", tls_server.grpc_target, "--api-key", tls_server.key, "--tag", "tail-tls",
         "--ca", pki.path("server-ca.pem")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(tail.stdout or ()), daemon=True).start()
    try:
        with grpc.secure_channel(tls_server.grpc_target, _credentials(pki)) as channel:
            api = Api(channel, tls_server.key)
            for attempt in range(50):  # until the subscription is live
                completion = chat_completion(id=f"tail-tls-{attempt}", tags=["tail-tls"])
                api.call(api.completions.CreateCompletion, api_pb.CreateCompletionRequest(completion=completion))
                time.sleep(0.1)
                if lines:
                    break
        assert lines, "tenlog tail printed nothing: " + (tail.stderr.read() if tail.poll() is not None else "")  # type: ignore[union-attr]
        assert json.loads(lines[0])["completion"]["id"].startswith("tail-tls-")
    finally:
        tail.terminate()
        tail.wait(10)


@pytest.mark.parametrize(
    ("flags", "named"),
    [
        (["--tls-cert", "{dir}/server.pem"], ["--tls-key", "{dir}/server.pem"]),
        (["--tls-cert", "{dir}/server.pem", "--tls-key", "{dir}/missing.key"], ["--tls-key", "{dir}/missing.key"]),
    ],
    ids=["cert-without-key", "unreadable-key"],
)
def test_bad_tls_flags_fail_fast_naming_flag_and_path(
    pki: Pki, tmp_path: Path, flags: list[str], named: list[str]
) -> None:
    args = [arg.replace("{dir}", str(pki.folder)) for arg in flags]
    database_url = f"sqlite:///{tmp_path / 'tenlog.db'}"
    ports = ["--port", str(free_port()), "--http-port", str(free_port())]
    result = subprocess.run(
        [TENLOG, "serve", "--database-url", database_url, *ports, *args],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode != 0
    for word in named:
        assert word.replace("{dir}", str(pki.folder)) in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "tenlog.db").exists()  # it failed before touching the database


@pytest.mark.parametrize(
    ("cert", "key", "client_ca", "named"),
    [
        ("", "server.key", "", ["--tls-cert", "server.key"]),
        ("", "", "client-ca.pem", ["--tls-client-ca", "client-ca.pem", "needs"]),
        ("server.key", "server.key", "", ["--tls-cert", "server.key", "not a PEM certificate"]),
        ("server.pem", "client.key", "", ["--tls-key", "client.key", "not a PEM private key matching"]),
        ("server.pem", "server.key", "client.key", ["--tls-client-ca", "client.key"]),
    ],
    ids=["key-without-cert", "client-ca-alone", "not-a-cert", "key-of-another-cert", "client-ca-not-a-cert"],
)
def test_unusable_tls_files_are_named(pki: Pki, cert: str, key: str, client_ca: str, named: list[str]) -> None:
    def path(name: str) -> str:
        return pki.path(name) if name else ""

    with pytest.raises(TlsConfigError) as failure:
        load_server_tls(path(cert), path(key), path(client_ca))
    for word in named:
        assert word in str(failure.value)
