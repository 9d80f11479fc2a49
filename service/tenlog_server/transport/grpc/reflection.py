"""Server reflection under both names tools use: grpc.reflection.v1alpha and grpc.reflection.v1.

grpcio-reflection serves only v1alpha. v1 is the same protocol under a new
package name (the messages are field-for-field identical on the wire), so the
one v1alpha servicer answers both, registered a second time under the v1 name.
"""

from __future__ import annotations

from collections.abc import Sequence

import grpc
from grpc_reflection.v1alpha import reflection, reflection_pb2

V1_SERVICE_NAME = "grpc.reflection.v1.ServerReflection"


def enable_reflection(service_names: Sequence[str], server: grpc.aio.Server) -> None:
    """Serve reflection for service_names (plus both reflection services themselves) on server."""
    names = [*service_names, reflection.SERVICE_NAME, V1_SERVICE_NAME]
    reflection.enable_server_reflection(names, server)
    servicer = reflection.aio.ReflectionServicer(names)
    v1 = grpc.method_handlers_generic_handler(
        V1_SERVICE_NAME,
        {
            "ServerReflectionInfo": grpc.stream_stream_rpc_method_handler(
                servicer.ServerReflectionInfo,
                request_deserializer=reflection_pb2.ServerReflectionRequest.FromString,
                response_serializer=reflection_pb2.ServerReflectionResponse.SerializeToString,
            )
        },
    )
    server.add_generic_rpc_handlers((v1,))
