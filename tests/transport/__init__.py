"""Transport unit tests: JSON and route transcoding, OTLP decoding and mapping; no server."""
