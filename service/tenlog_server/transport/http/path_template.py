"""google.api.http path templates: parsing and matching.

The grammar (from google/api/http.proto)::

    Template = "/" Segments [ Verb ] ;
    Segments = Segment { "/" Segment } ;
    Segment  = "*" | "**" | LITERAL | Variable ;
    Variable = "{" FieldPath [ "=" Segments ] "}" ;
    Verb     = ":" LITERAL ;

One liberty is taken: a trailing "/" is kept as an empty last literal, so a
vendor route that is only ever called with a trailing slash
(`/api/request-logs/create/`) can be annotated exactly as clients call it.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from urllib.parse import unquote

_FIELD_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


class PathTemplateError(ValueError):
    """A google.api.http path template that does not follow the grammar."""


class SegmentKind(enum.IntEnum):
    """What one template segment matches; the value ranks specificity (higher wins)."""

    MULTI_WILDCARD = 0  # "**": zero or more segments, only last
    WILDCARD = 1  # "*": exactly one segment
    LITERAL = 2


@dataclass(frozen=True)
class Segment:
    """One segment of a template."""

    kind: SegmentKind
    literal: str = ""


@dataclass(frozen=True)
class Variable:
    """A captured variable: the field path it sets and the segment range it covers."""

    field_path: str
    start: int
    end: int  # exclusive; for a trailing "**" the capture runs to the end of the path


@dataclass(frozen=True)
class PathTemplate:
    """A parsed template; `match` binds its variables against a request path."""

    text: str
    segments: tuple[Segment, ...]
    variables: tuple[Variable, ...]
    verb: str

    @property
    def specificity(self) -> tuple[int, ...]:
        """Sort key: literal segments outrank variables, position by position.

        `/api/v1/completions/ungraded` therefore beats `/api/v1/completions/{id}`.
        """
        ranks = [int(s.kind) for s in self.segments]
        # A verb is one more literal at the end; more segments is more specific.
        return (*ranks, 2 if self.verb else -1, len(ranks))

    def match(self, path_segments: list[str]) -> dict[str, str] | None:
        """Match already split, still percent-encoded segments; return variable values or None."""
        segments = list(path_segments)
        if self.verb:
            if not segments:
                return None
            last, sep, verb = segments[-1].rpartition(":")
            if not sep or verb != self.verb:
                return None
            segments[-1] = last
        ends_with_multi = bool(self.segments) and self.segments[-1].kind is SegmentKind.MULTI_WILDCARD
        if ends_with_multi:
            if len(segments) < len(self.segments) - 1:
                return None
        elif len(segments) != len(self.segments):
            return None
        for index, template_segment in enumerate(self.segments):
            if template_segment.kind is SegmentKind.MULTI_WILDCARD:
                break
            value = segments[index]
            if template_segment.kind is SegmentKind.LITERAL:
                if unquote(value) != template_segment.literal:
                    return None
            elif value == "":
                return None
        bound: dict[str, str] = {}
        for variable in self.variables:
            covered = segments[variable.start :] if variable.end < 0 else segments[variable.start : variable.end]
            if variable.end - variable.start == 1:
                # A single-segment variable is fully unescaped (%2F becomes "/").
                bound[variable.field_path] = unquote(covered[0])
            else:
                # Multi-segment captures keep their "/" separators, as grpc-gateway does.
                bound[variable.field_path] = "/".join(unquote(s) for s in covered)
        return bound


def split_path(path: str) -> list[str]:
    """Split a raw (percent-encoded) URL path into segments, keeping a trailing empty one."""
    return path[1:].split("/") if path.startswith("/") else path.split("/")


def _split_outside_braces(text: str, separator: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for char in text:
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                raise PathTemplateError("unbalanced '}'")
        if char == separator and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    if depth != 0:
        raise PathTemplateError("unbalanced '{'")
    parts.append("".join(current))
    return parts


def _plain_segment(text: str, template: str) -> Segment:
    if text == "*":
        return Segment(SegmentKind.WILDCARD)
    if text == "**":
        return Segment(SegmentKind.MULTI_WILDCARD)
    if any(c in text for c in "{}*:"):
        raise PathTemplateError(f"bad segment {text!r} in {template!r}")
    return Segment(SegmentKind.LITERAL, text)


def parse_path_template(template: str) -> PathTemplate:
    """Parse a google.api.http path template such as `/v1/{name=shelves/*}/books:list`."""
    if not template.startswith("/"):
        raise PathTemplateError(f"path template {template!r} must start with '/'")
    body = template[1:]
    verb = ""
    # The verb is a ':' after the last '/' and outside any variable.
    last_slash = body.rfind("/")
    last_brace = body.rfind("}")
    colon = body.rfind(":")
    if colon > max(last_slash, last_brace):
        body, verb = body[:colon], body[colon + 1 :]
        if not verb:
            raise PathTemplateError(f"empty verb in {template!r}")
    segments: list[Segment] = []
    variables: list[Variable] = []
    for raw in _split_outside_braces(body, "/"):
        if raw.startswith("{"):
            if not raw.endswith("}"):
                raise PathTemplateError(f"bad variable {raw!r} in {template!r}")
            inner = raw[1:-1]
            field_path, has_pattern, pattern = inner.partition("=")
            if not _FIELD_PATH.match(field_path):
                raise PathTemplateError(f"bad field path {field_path!r} in {template!r}")
            start = len(segments)
            for sub in pattern.split("/") if has_pattern else ["*"]:
                segments.append(_plain_segment(sub, template))
            end = -1 if segments[-1].kind is SegmentKind.MULTI_WILDCARD else len(segments)
            variables.append(Variable(field_path, start, end))
        else:
            segments.append(_plain_segment(raw, template))
    for segment in segments[:-1]:
        if segment.kind is SegmentKind.MULTI_WILDCARD:
            raise PathTemplateError(f"'**' must be the last segment in {template!r}")
    return PathTemplate(template, tuple(segments), tuple(variables), verb)
