"""tenlog: the Python client for tenlog, a self-hosted gRPC log of LLM calls.

The generated protobuf and gRPC stubs live in ``tenlog.v1``; they are shared by
this client and the tenlog server.
"""
