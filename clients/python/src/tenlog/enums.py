"""Enum values by their short names: ``STATUS_FINISHED`` <-> ``finished``, for every tenlog enum.

Each ``tenlog.v1`` enum prefixes its values with its own name in UPPER_SNAKE
case (``TailEvent`` -> ``TAIL_EVENT_``). The REST API, the command line and the
client helpers spell values without that prefix, in lower case. The server
uses this module too, so the spelling is defined once.
"""

from __future__ import annotations

import functools
import re
from typing import Any

# The protobuf stubs type descriptors as unions of the pure-Python and upb classes.
EnumDescriptor = Any

_CAMEL_BOUNDARY = re.compile(r"(?<!^)(?=[A-Z])")


def enum_prefix(enum: EnumDescriptor) -> str:
    """``TailEvent`` -> ``TAIL_EVENT_``: the prefix short names drop."""
    return _CAMEL_BOUNDARY.sub("_", enum.name).upper() + "_"


@functools.cache
def short_names(enum: EnumDescriptor) -> dict[int, str]:
    """Number -> short name of every value but the zero one; an alias reads as the name declared first."""
    prefix = enum_prefix(enum)
    names: dict[int, str] = {}
    for value in enum.values:
        if value.number:
            names.setdefault(value.number, value.name.removeprefix(prefix).lower())
    return names


def short_name(enum: EnumDescriptor, number: int) -> str:
    """The short name of a value (``finished``); "" for the zero value and for numbers the enum does not declare."""
    return short_names(enum).get(number, "")


def value_of(enum: EnumDescriptor, name: str) -> int | None:
    """The number of ``finished``, ``FINISHED`` or ``STATUS_FINISHED`` (any case); None when none matches."""
    upper = name.strip().upper()
    for candidate in (upper, enum_prefix(enum) + upper):
        value = enum.values_by_name.get(candidate)
        if value is not None:
            return int(value.number)
    return None
