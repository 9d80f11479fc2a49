"""OTLP receivers: opentelemetry.proto collector services over gRPC, and /v1/traces, /v1/logs over HTTP."""
