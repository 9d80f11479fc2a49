"""`tenlog keys list` and `tenlog keys revoke`: a leaked key can be named without being shown, and killed."""

from __future__ import annotations

import subprocess
import time

import grpc
from tenlog.v1 import completion_service_pb2 as api_pb

from tests.support.grpc_api import Api, rpc_error
from tests.support.server import TENLOG, ServerProcess, mint_key


def keys(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([TENLOG, "keys", *args, "--database-url", database_url], capture_output=True, text=True)


def test_list_shows_prefixes_never_keys_and_revoke_locks_a_key_out(tenlog_server: ServerProcess, unique: str) -> None:
    org = f"keys-{unique}"
    first, second = mint_key(tenlog_server.database_url, org), mint_key(tenlog_server.database_url, org)
    listed = keys(tenlog_server.database_url, "list", "--org", org)
    assert listed.returncode == 0
    lines = listed.stdout.strip().splitlines()
    assert [line.split("\t")[0] for line in lines] == [f"{first[:12]}...", f"{second[:12]}..."]
    assert first not in listed.stdout and second not in listed.stdout

    with grpc.insecure_channel(tenlog_server.grpc_target) as channel:
        api_first, api_second = Api(channel, first), Api(channel, second)
        request = api_pb.ListCompletionsRequest()
        api_first.call(api_first.completions.ListCompletions, request)  # works, and is now cached

        too_short = keys(tenlog_server.database_url, "revoke", "tlk_")
        assert too_short.returncode == 2 and "too short" in too_short.stderr
        revoked = keys(tenlog_server.database_url, "revoke", first)
        assert revoked.returncode == 0 and first[:12] in revoked.stderr
        assert keys(tenlog_server.database_url, "revoke", first).returncode == 2  # already gone

        deadline = time.monotonic() + 15  # servers trust a checked key for CACHE_SECONDS (5 s)
        while True:
            try:
                api_first.call(api_first.completions.ListCompletions, request)
            except grpc.RpcError as exc:
                assert exc.code() == grpc.StatusCode.UNAUTHENTICATED
                break
            assert time.monotonic() < deadline, "a revoked key kept working"
            time.sleep(0.5)
        api_second.call(api_second.completions.ListCompletions, request)  # the other key is untouched
        assert rpc_error(lambda: api_first.call(api_first.completions.ListCompletions, request)).code() == (
            grpc.StatusCode.UNAUTHENTICATED
        )
    remaining = keys(tenlog_server.database_url, "list", "--org", org).stdout
    assert first[:12] not in remaining and second[:12] in remaining
