"""Section 7: bytes on disk per completion (multi-turn and single-turn workloads), and ingest beside main's code.

Each workload (bench/conversations.py) is uploaded through UploadCompletions to
a fresh server on SQLite and on PostgreSQL, then measured:

- raw JSON: the completions' REST bodies, compact; gzip: `gzip -6` of that
  stream, one body per line;
- SQLite: every file of the database (main file, WAL after a TRUNCATE
  checkpoint, shared memory, writer lock);
- PostgreSQL: pg_total_relation_size (heap, TOAST, indexes) of every table.

"main" is the code of BENCH_BASELINE_REF (default `main`), taken with `git
archive` and run by the same interpreter, so today's figures come from the
same run. Ingest throughput (UploadCompletions and unary CreateCompletion at
concurrency 64, seed payload) is compared in ABBA order.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import grpc
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from tenlog.v1 import completion_pb2 as pb
from tenlog.v1 import completion_service_pb2 as api

from .clients import metadata
from .conversations import Call, multi_turn, single_turn
from .payloads import seed_completion
from .report import NO_TARGET, Table, percent, rate, times, verdict
from .servers import ORG, BenchServer, database
from .settings import BenchSettings
from .stats import Throughput, mirrored
from .stream_load import UPLOAD, StreamLoad, StreamResult, run_stream_load
from .unary_load import UnaryLoad, run_unary_load

SQLITE_TARGET_BYTES = 1_500  # per completion, multi-turn workload
PG_OVER_SQLITE_TARGET = 1.5
INGEST_RATIO_TARGET = 0.90  # this branch / main
UPLOAD_CHUNK = 2_000  # completions per UploadCompletions call
REPO = Path(__file__).resolve().parents[1]
_support: Any = __import__("importlib").import_module("tests.support.server")


def _completion(call: Call) -> bytes:
    body = call.body
    msg = pb.Completion(
        id=call.id,
        kind=pb.KIND_CHAT,
        status=pb.STATUS_FINISHED,
        tags=body["tags"],
        session_id=body["session_id"],
        duration=body["duration"],
    )
    msg.request.update(body["request"])
    msg.response.update(body["response"])
    return msg.SerializeToString()


@contextlib.contextmanager
def baseline_code() -> Iterator[Path | None]:
    """The `service` folder of BENCH_BASELINE_REF in a temporary folder, or None when git cannot give it."""
    ref = os.environ.get("BENCH_BASELINE_REF", "main")
    with tempfile.TemporaryDirectory(prefix="tenlog-baseline-") as folder:
        archive = subprocess.run(["git", "-C", str(REPO), "archive", ref, "service"], capture_output=True, check=False)
        if archive.returncode != 0:
            yield None
            return
        subprocess.run(["tar", "-x", "-C", folder], input=archive.stdout, check=True)
        yield Path(folder) / "service"


@contextlib.contextmanager
def server_of(url: str, code: Path | None) -> Iterator[BenchServer]:
    """`tenlog serve` on url running this checkout's code, or the code at `code` (PYTHONPATH wins over the venv)."""
    env = {**os.environ, "PYTHONPATH": str(code)} if code else dict(os.environ)
    out = subprocess.run(
        [_support.TENLOG, "keys", "create", "--org", ORG, "--database-url", url],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    key = out.stdout.strip().splitlines()[-1]
    process = _support.start_server(url, ["--no-bootstrap"], env=env)
    try:
        yield BenchServer(process, key)
    finally:
        process.stop(timeout=60)


def upload(server: BenchServer, completions: Sequence[bytes]) -> float:
    """Upload every completion (UPLOAD_CHUNK per call); returns the seconds it took."""
    started = time.perf_counter()
    with grpc.insecure_channel(server.grpc_target, options=[("grpc.max_send_message_length", 1 << 30)]) as channel:
        call = channel.stream_unary(
            UPLOAD,
            request_serializer=lambda b: b,
            response_deserializer=api.UploadCompletionsResponse.FromString,
        )
        for start in range(0, len(completions), UPLOAD_CHUNK):
            chunk = completions[start : start + UPLOAD_CHUNK]
            requests = (b"\x0a" + _varint(len(c)) + c for c in chunk)
            summary = call(requests, metadata=metadata(server.key), timeout=600)
            if summary.accepted_count != len(chunk):
                raise RuntimeError(f"upload accepted {summary.accepted_count} of {len(chunk)}")
    return time.perf_counter() - started


def _varint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def disk_bytes(url: str) -> int:
    """Bytes the database takes: SQLite files after a WAL checkpoint, or every PostgreSQL table with its indexes."""
    if url.startswith("sqlite"):
        path = Path(str(make_url(url).database))
        with contextlib.closing(sqlite3.connect(path, timeout=30)) as conn:
            for _ in range(50):
                busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
                if not busy:
                    break
                time.sleep(0.1)
        return sum(f.stat().st_size for f in path.parent.iterdir() if f.name.startswith(path.name))
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            total = conn.execute(
                text(
                    "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'"
                )
            ).scalar_one()
        return int(total)
    finally:
        engine.dispose()


def _stored(backend: str, code: Path | None, completions: Sequence[bytes]) -> tuple[float, float]:
    """(bytes on disk per completion, completions/s of the upload) for one backend and code."""
    with database(backend) as url:
        with server_of(url, code) as server:
            seconds = upload(server, completions)
        # Measured once the server has stopped: no reader holds the WAL, so the checkpoint empties it.
        return disk_bytes(url) / len(completions), len(completions) / seconds


def _ingest(code: Path | None, settings: BenchSettings) -> tuple[StreamResult, Throughput]:
    seed = seed_completion().SerializeToString()
    with database("sqlite") as url, server_of(url, code) as server:
        streamed = run_stream_load(
            StreamLoad(server.grpc_target, server.key, seed, UPLOAD, 4, settings.seconds, settings.warmup),
            settings.client_processes,
            server.pid,
        )
        unary = run_unary_load(
            UnaryLoad(server.grpc_target, server.key, seed, 64, settings.seconds, settings.warmup),
            settings.client_processes,
            server.pid,
        )
    return streamed, unary


def _raw_and_gzip(calls: Sequence[Call]) -> tuple[float, float]:
    lines = [json.dumps(c.body, separators=(",", ":")).encode() for c in calls]
    return sum(map(len, lines)) / len(lines), len(gzip.compress(b"\n".join(lines), 6)) / len(lines)


def _kb(value: float) -> str:
    return f"{value / 1000:,.2f} KB"


def run(settings: BenchSettings, figures: dict[str, float]) -> Table:
    """Disk per completion for both workloads on both backends, for this branch and main; ingest beside main."""
    count = 2_000 if settings.quick else int(os.environ.get("BENCH_STORAGE_COMPLETIONS", 20_000))
    single_count = max(500, count // 4)
    multi = list(multi_turn(count))
    single = list(single_turn(single_count))
    multi_bytes = [_completion(c) for c in multi]
    single_bytes = [_completion(c) for c in single]
    raw, gz = _raw_and_gzip(multi)
    single_raw, single_gz = _raw_and_gzip(single)

    table = Table(
        f"7. Storage: bytes per completion ({count:,} multi-turn, {single_count:,} single-turn) and ingest",
        ["figure", "this branch", "main", "target", "result"],
    )
    with baseline_code() as main_code:
        codes: dict[str, Path | None] = {"new": None}
        if main_code is not None:
            codes["main"] = main_code
        disk: dict[tuple[str, str, str], tuple[float, float]] = {}
        for name, code in codes.items():
            for backend in ("sqlite", "postgresql"):
                disk[(name, "multi", backend)] = _stored(backend, code, multi_bytes)
            disk[(name, "single", "sqlite")] = _stored("sqlite", code, single_bytes)
        ingest: dict[str, list[tuple[StreamResult, Throughput]]] = {}
        for name in mirrored("new", "main") if main_code is not None else ("new",):
            ingest.setdefault(name, []).append(_ingest(codes[name], settings))

    def base(key: tuple[str, str, str], index: int = 0) -> str:
        return _kb(disk[("main", *key[1:])][index]) if ("main", *key[1:]) in disk else "-"

    table.add("multi-turn: raw JSON", _kb(raw), _kb(raw), NO_TARGET, "")
    table.add("multi-turn: gzip -6 of the stream", _kb(gz), _kb(gz), NO_TARGET, "")
    sqlite_new = disk[("new", "multi", "sqlite")][0]
    pg_new = disk[("new", "multi", "postgresql")][0]
    table.add(
        "multi-turn: SQLite on disk",
        _kb(sqlite_new),
        base(("new", "multi", "sqlite")),
        f"<= {_kb(SQLITE_TARGET_BYTES)}",
        verdict(sqlite_new <= SQLITE_TARGET_BYTES),
    )
    table.add(
        "multi-turn: PostgreSQL on disk",
        _kb(pg_new),
        base(("new", "multi", "postgresql")),
        f"<= {times(PG_OVER_SQLITE_TARGET)} SQLite",
        verdict(pg_new <= PG_OVER_SQLITE_TARGET * sqlite_new),
    )
    table.add("multi-turn: PostgreSQL / SQLite", times(pg_new / sqlite_new), "", NO_TARGET, "")
    table.add("single-turn: raw JSON", _kb(single_raw), _kb(single_raw), NO_TARGET, "")
    table.add("single-turn: gzip -6 of the stream", _kb(single_gz), _kb(single_gz), NO_TARGET, "")
    single_new = disk[("new", "single", "sqlite")][0]
    single_main = disk.get(("main", "single", "sqlite"), (0.0, 0.0))[0]
    table.add(
        "single-turn: SQLite on disk",
        _kb(single_new),
        base(("new", "single", "sqlite")),
        "<= main",
        verdict(single_new <= single_main) if single_main else "",
    )
    for backend in ("sqlite", "postgresql"):
        new_rate = disk[("new", "multi", backend)][1]
        main_rate = disk.get(("main", "multi", backend), (0.0, 0.0))[1]
        table.add(
            f"multi-turn upload rate, {backend} (info, one run each)",
            rate(new_rate),
            rate(main_rate) if main_rate else "-",
            NO_TARGET,
            percent(new_rate / main_rate) if main_rate else "",
        )
    pooled = {
        name: (StreamResult.pooled([s for s, _ in runs]), Throughput.pooled([u for _, u in runs]))
        for name, runs in ingest.items()
    }
    for label, index in (("UploadCompletions, seed, SQLite", 0), ("CreateCompletion c=64, seed, SQLite", 1)):
        new_rate = pooled["new"][index].rate
        if "main" in pooled:
            main_rate = pooled["main"][index].rate
            ratio = new_rate / main_rate if main_rate else 0.0
            table.add(
                label,
                rate(new_rate),
                rate(main_rate),
                f">= {percent(INGEST_RATIO_TARGET)} of main",
                f"{percent(ratio)} {verdict(ratio >= INGEST_RATIO_TARGET)}",
            )
        else:
            table.add(label, rate(new_rate), "-", NO_TARGET, "")
    figures["storage_sqlite_bytes_per_completion"] = sqlite_new
    figures["storage_postgresql_bytes_per_completion"] = pg_new
    table.note(
        "disk: SQLite = database + WAL after a TRUNCATE checkpoint + -shm + writer lock; PostgreSQL = "
        "pg_total_relation_size of every table (heap, TOAST, indexes); KB = 1,000 bytes"
    )
    table.note(
        "main = `git archive "
        + os.environ.get("BENCH_BASELINE_REF", "main")
        + "` run with the same interpreter"
        + ("" if "main" in pooled else " (not available: no baseline figures)")
        + "; ingest rows pool two runs each, servers in the order this, main, main, this"
    )
    return table
