"""`tenlog tail`: print new and updated completions as JSON lines as they are committed."""

from __future__ import annotations

import json
import sys

import grpc
from tenlog.enums import short_name, value_of
from tenlog.v1 import completion_pb2 as pb
from tenlog.v1 import completion_service_pb2 as api
from tenlog.v1 import completion_service_pb2_grpc as api_grpc

from tenlog_server.cli.api_commands import message_json


def run_tail(
    target: str,
    api_key: str,
    tags: list[str],
    session_id: str,
    status: str,
    credentials: grpc.ChannelCredentials | None = None,
) -> int:
    """Stream TailCompletions from target and print one JSON object per event until interrupted.

    With credentials the channel is TLS; without, plaintext.
    """
    request = api.TailCompletionsRequest(
        tags=tags,
        session_id=session_id,
        status=value_of(pb.Status.DESCRIPTOR, status) or 0,  # type: ignore[arg-type]
    )
    channel = grpc.insecure_channel(target) if credentials is None else grpc.secure_channel(target, credentials)
    with channel:
        stub = api_grpc.CompletionServiceStub(channel)
        try:
            for event in stub.TailCompletions(request, metadata=(("x-log10-token", api_key),)):
                line = {
                    "event": short_name(api.TailEvent.DESCRIPTOR, event.event),
                    "completion": message_json(event.completion),
                }
                print(json.dumps(line), flush=True)
        except KeyboardInterrupt:
            return 0
        except grpc.RpcError as exc:
            print(f"tenlog tail: {exc.code().name}: {exc.details()}", file=sys.stderr)
            return 1
    return 0
