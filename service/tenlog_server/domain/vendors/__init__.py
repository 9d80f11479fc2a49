"""Mappers from other vendors' ingest payloads onto tenlog Completions (pure functions)."""
