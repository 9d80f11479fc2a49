"""OpenTelemetry ingest: OTLP spans and log records of LLM calls become completions (one module per convention)."""
