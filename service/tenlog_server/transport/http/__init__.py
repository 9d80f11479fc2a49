"""The REST gateway: grpc-gateway-style HTTP/JSON transcoding onto the gRPC services."""

from tenlog_server.transport.http.gateway_app import build_app
from tenlog_server.transport.http.gateway_process import bound_port, run_gateway, serve_gateway, start_gateway

__all__ = ["bound_port", "build_app", "run_gateway", "serve_gateway", "start_gateway"]
