"""google.protobuf.Struct <-> plain JSON values (feedback values and task schemas).

The Struct -> dict walk is storage's (documents.py), which restores integers.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import struct_pb2

from tenlog_server.storage.documents import struct_to_dict

__all__ = ["dict_to_struct", "struct_to_dict"]


def dict_to_struct(data: dict[str, Any], target: struct_pb2.Struct) -> None:
    """Fill a Struct from a dict (Struct.update handles nesting natively)."""
    target.update(data)
