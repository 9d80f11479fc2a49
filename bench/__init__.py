"""tenlog's benchmark (`make bench`, `python -m bench`): ingest throughput, overload and listing latency."""
