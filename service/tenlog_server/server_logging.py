"""How a tenlog process logs: text for a terminal or JSON lines for a collector, at a chosen level.

Access-log lines (logger `tenlog.access`) carry their fields in an `access`
extra; the JSON format lifts them to top-level keys, so every call is one
parseable object. Nothing here ever logs a request body or an API key.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from pythonjsonlogger.json import JsonFormatter

LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("debug", "info", "warning", "error")
_TEXT = "%(asctime)s %(levelname)s %(name)s %(message)s"


class _AccessJsonFormatter(JsonFormatter):
    """JSON lines whose access-log fields are top-level keys."""

    def add_fields(self, log_record: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]) -> None:
        super().add_fields(log_record, record, message_dict)
        access = log_record.pop("access", None)
        if isinstance(access, dict):
            log_record.update(access)


def configure_logging(log_format: str = "text", level: str = "info") -> None:
    """Send every log record to stderr in the format and at the level given (idempotent)."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"log format must be one of {', '.join(LOG_FORMATS)}, not {log_format!r}")
    if level.lower() not in LOG_LEVELS:
        raise ValueError(f"log level must be one of {', '.join(LOG_LEVELS)}, not {level!r}")
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(
            _AccessJsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(logging.Formatter(_TEXT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
