"""A corpus of bad inputs in the spirit of issue 9's 630-input probe, and a runner that counts 5xx.

Every body field of the write routes gets every hostile value (NUL, lone surrogates,
NaN / Infinity / 1e400, huge integers, over-long strings, deep nesting, wrong types),
plus schema bombs, forged page tokens, oversized filters and deep NDJSON lines.
`test_bad_inputs.py` runs it in `make test`; run it against any server with

    python -m tests.fuzz.bad_inputs http://127.0.0.1:8080 KEY
"""

from __future__ import annotations

import base64
import json
import sys
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Probe:
    """One HTTP request of the corpus."""

    name: str
    method: str
    path: str
    body: bytes | None = None
    content_type: str = "application/json"


def _deep(levels: int, open_: str = '{"a": ', close: str = "}") -> str:
    return open_ * levels + "1" + close * levels


# Raw JSON fragments: each is placed as the value of a field.
HOSTILE = {
    "nul": '"a\\u0000b"',
    "lone-surrogate": '"\\ud800"',
    "nan": "NaN",
    "infinity": "Infinity",
    "-infinity": "-Infinity",
    "1e400": "1e400",
    "-1e400": "-1e400",
    "huge-int": "1" + "0" * 30,
    "negative": "-1",
    "long-string": json.dumps("x" * 2_000),
    "deep-object-40": _deep(40),
    "deep-object-100": _deep(100),
    "deep-array-1000": "[" * 1000 + "]" * 1000,
    "object": '{"x": 1}',
    "array": "[1, 2]",
    "true": "true",
    "null": "null",
    "empty-string": '""',
    "nan-in-string-json": '"{\\"x\\": NaN}"',
    "tag-list-nul": '["a\\u0000"]',
    "tag-list-1000": json.dumps([f"t{i}" for i in range(1000)]),
    "nested-nan": '{"x": [1, {"y": NaN}]}',
}

COMPLETION_FIELDS = [
    "id",
    "model",
    "kind",
    "status",
    "tags",
    "session_id",
    "organization_id",
    "failure_kind",
    "failure_reason",
    "request",
    "response",
    "metadata",
    "extra",
    "duration",
    "cost",
    "created_at",
    "stacktrace",
]
FEEDBACK_TASK_FIELDS = ["id", "name", "instruction", "json_schema", "completion_tags_selector"]
FEEDBACK_FIELDS = ["id", "task_id", "json_values", "comment", "completion_ids", "completion_tags_selector"]

SCHEMA_BOMBS = {
    "recursive-ref": '{"$ref": "#"}',
    "ref-cycle": '{"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}}',
    "remote-ref": '{"$ref": "https://example.com/s.json"}',
    "allOf-2000": '{"allOf": [' * 2000 + "{}" + "]}" * 2000,
    "allOf-30": '{"allOf": [' * 30 + "{}" + "]}" * 30,
    "backreference": '{"type": "string", "pattern": "(a)\\\\1"}',
    "bad-keyword-type": '{"type": "array", "maxItems": "x"}',
    "laughs": json.dumps(
        {
            "$defs": {
                "l0": {"type": "string"},
                **{f"l{i}": {"allOf": [{"$ref": f"#/$defs/l{i - 1}"}] * 2} for i in range(1, 25)},
            },
            "$ref": "#/$defs/l24",
        }
    ),
}


def _token(payload: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def corpus() -> Iterator[Probe]:
    """Every probe, in a fixed order."""
    base = {"completion": '"status": "finished", "kind": "chat"', "task": '"name": "t"', "feedback": '"task_id": "t"'}
    for field in COMPLETION_FIELDS:
        for name, value in HOSTILE.items():
            body = f'{{{base["completion"]}, "{field}": {value}}}'.encode()
            yield Probe(f"create completion {field}={name}", "POST", "/api/v1/completions", body)
    for field in ("model", "tags", "request", "metadata", "duration"):
        for name, value in HOSTILE.items():
            body = f'{{"{field}": {value}}}'.encode()
            yield Probe(f"update completion {field}={name}", "POST", "/api/v1/completions/probe-update", body)
    for field in FEEDBACK_TASK_FIELDS:
        for name, value in HOSTILE.items():
            body = f'{{{base["task"]}, "{field}": {value}}}'.encode()
            yield Probe(f"create task {field}={name}", "POST", "/api/v1/feedback_task", body)
    for name, schema in SCHEMA_BOMBS.items():
        body = f'{{{base["task"]}, "id": "bomb-{name}", "json_schema": {schema}}}'.encode()
        yield Probe(f"schema bomb {name}", "POST", "/api/v1/feedback_task", body)
    for field in FEEDBACK_FIELDS:
        for name, value in HOSTILE.items():
            body = f'{{{base["feedback"]}, "allow_unmatched_feedback": true, "{field}": {value}}}'.encode()
            yield Probe(f"upload feedback {field}={name}", "POST", "/api/v1/feedback", body)
    for name, value in HOSTILE.items():
        yield Probe(f"create session id={name}", "POST", "/api/v1/sessions", f'{{"id": {value}}}'.encode())
    for name, value in HOSTILE.items():
        body = f'{{"completions": [{{{base["completion"]}, "metadata": {value}}}]}}'.encode()
        yield Probe(f"batch create metadata={name}", "POST", "/api/v1/completions:batchCreate", body)
    tokens = {
        "huge-time": _token([10**30, "x"]),
        "long-id": _token([1, "x" * 300]),
        "swapped": _token(["1", 2]),
        "nul-id": _token([1, "a\x00"]),
        "float-time": _token([1.5, "x"]),
        "not-base64": "%%%",
        "not-json": base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        "object": _token({"a": 1}),
    }
    for name, token in tokens.items():
        for path in ("/api/v1/completions", "/api/v1/completions/ungraded", "/api/v1/feedback", "/api/v1/sessions"):
            yield Probe(f"page token {name} {path}", "GET", f"{path}?page_token={token}&task_id=t")
    queries = {
        "offset-huge": "offset=99999999999999",
        "offset-negative": "offset=-1",
        "limit-huge": "limit=99999999999",
        "page-size-negative": "page_size=-5",
        "tags-1000": "&".join(f"tags=t{i}" for i in range(1000)),
        "tag-nul": "tags=a%00b",
        "session-nul": "session_id=a%00b",
        "model-long": "model=" + "m" * 5000,
        "status-bogus": "status=bogus",
        "lone-surrogate": "tags=%ED%A0%80",
    }
    for name, query in queries.items():
        yield Probe(f"list {name}", "GET", f"/api/v1/completions?{query}")
    for name, value in HOSTILE.items():
        line = f'{{"completion": {{"status": "STATUS_FINISHED", "request": {value}}}}}\n'.encode()
        yield Probe(f"upload NDJSON request={name}", "POST", "/api/v1/completions:upload", line, "application/x-ndjson")
    deep_line = b'{"completion": {"status": "STATUS_FINISHED", "request": ' + _deep(200).encode() + b"}}\n"
    yield Probe("upload NDJSON deep line", "POST", "/api/v1/completions:upload", deep_line, "application/x-ndjson")
    yield Probe("stream NDJSON deep line", "POST", "/api/v1/completions:stream", deep_line, "application/x-ndjson")
    very_long = json.dumps("x" * 2_000_000)  # 2 MB: sent for a few fields only, it is costly to send
    for field in ("id", "model", "tags", "failure_reason", "session_id"):
        value = f"[{very_long}]" if field == "tags" else very_long
        body = f'{{{base["completion"]}, "{field}": {value}}}'.encode()
        yield Probe(f"create completion {field}=very-long-string", "POST", "/api/v1/completions", body)
    raw = {
        "not-json": b"{",
        "not-utf8": b'{"model": "\xff"}',
        "top-level-array": b"[]",
        "top-level-deep": ("[" * 100_000).encode(),
        "empty": b"",
    }
    for name, body in raw.items():
        yield Probe(f"raw body {name}", "POST", "/api/v1/completions", body)


def send(base_url: str, key: str, probe: Probe, timeout: float = 60) -> int:
    """The HTTP status the server answered, or 0 when it answered nothing (connection dropped, timeout)."""
    request = urllib.request.Request(
        base_url + probe.path,
        data=probe.body,
        method=probe.method,
        headers={"Content-Type": probe.content_type, "X-Log10-Token": key},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            answer.read()
            return int(answer.status)
    except urllib.error.HTTPError as error:
        error.read()
        return int(error.code)
    except (OSError, urllib.error.URLError):
        return 0


def run(base_url: str, key: str) -> dict[str, int]:
    """Send the corpus; the status of every probe by name."""
    return {probe.name: send(base_url, key, probe) for probe in corpus()}


def main(argv: list[str]) -> int:
    """Print the count of probes by answer and list those answered 5xx or not at all."""
    base_url, key = argv[1], argv[2]
    statuses = run(base_url, key)
    print(f"{len(statuses)} probes; by status: {dict(sorted(Counter(statuses.values()).items()))}")
    bad = {name: status for name, status in statuses.items() if status >= 500 or status == 0}
    print(f"5xx or no answer: {len(bad)}")
    for name, status in bad.items():
        print(f"  {status}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
