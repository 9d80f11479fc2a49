"""Content-addressed pieces of completions (messages, system prompts, tool lists), stored once per organization.

Each distinct piece is one row of `contents`, keyed by (organization_id, hash
of its canonical form), zstd-compressed, with a count of the references
completions hold to it. Counts change in the transaction that writes or deletes
the completions, so content no completion references is deleted at once and
its pages are reused.

Concurrency (PostgreSQL, many processes and servers): every count change is an
INSERT ... ON CONFLICT (organization_id, hash) DO UPDATE, issued in hash order.
Two writers storing the same new piece at the same moment keep one row with
both references counted. A delete that brings a count to zero holds that row's
lock until it commits; a writer needing the piece waits on the lock, finds the
row gone, and inserts it again (with its data): no reference ever dangles. A
delete never takes a piece a writer has counted, because it deletes only rows
whose count is zero under its own lock. On SQLite every write transaction is
serialized by the writer lock.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from typing import Any, cast

import zstandard
from sqlalchemy import Connection, Table, bindparam, text

from .database import execute_many, placeholders
from .schema import Content

contents = cast(Table, Content.__table__)

RAW, ZSTD = 0, 1  # first byte of a stored piece: how the rest is encoded
ZSTD_LEVEL = 3  # zstd's default: ~300 MB/s on one core, most of the ratio of higher levels on small pieces
_CHUNK = 500  # hashes per IN list (SQLite allows more; this keeps statements small)
_local = threading.local()


def _compressor() -> zstandard.ZstdCompressor:
    # zstd contexts are not thread-safe and costly to create: one per writer/reader thread.
    compressor = getattr(_local, "compressor", None)
    if compressor is None:
        compressor = _local.compressor = zstandard.ZstdCompressor(level=ZSTD_LEVEL, write_checksum=False)
    return cast(zstandard.ZstdCompressor, compressor)


def _decompressor() -> zstandard.ZstdDecompressor:
    decompressor = getattr(_local, "decompressor", None)
    if decompressor is None:
        decompressor = _local.decompressor = zstandard.ZstdDecompressor()
    return cast(zstandard.ZstdDecompressor, decompressor)


def compress(canonical: bytes) -> bytes:
    """A piece as stored: zstd when that is smaller, else raw."""
    packed = _compressor().compress(canonical)
    return bytes((ZSTD,)) + packed if len(packed) < len(canonical) else bytes((RAW,)) + canonical


def decompress(stored: bytes) -> bytes:
    """A stored piece's canonical bytes."""
    if stored[0] == ZSTD:
        return _decompressor().decompress(stored[1:])
    return bytes(stored[1:])


def _chunks(items: list[bytes]) -> Iterable[list[bytes]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _existing(conn: Connection, org: str, hashes: list[bytes]) -> set[bytes]:
    found: set[bytes] = set()
    for chunk in _chunks(hashes):
        statement = (
            f"SELECT hash FROM contents WHERE organization_id = {placeholders(conn, 1)} "
            f"AND hash IN ({placeholders(conn, len(chunk))})"
        )
        found.update(bytes(r[0]) for r in conn.exec_driver_sql(statement, (org, *chunk)))
    return found


def _change_statement(_: Connection) -> Any:
    return text(
        "INSERT INTO contents (organization_id, hash, refcount, data) VALUES (:o, :h, :n, :d) "
        "ON CONFLICT (organization_id, hash) DO UPDATE SET refcount = contents.refcount + excluded.refcount"
    )


def change_references(conn: Connection, org: str, delta: Mapping[bytes, int], pieces: Mapping[bytes, bytes]) -> None:
    """Add delta[hash] references to each piece (negative: remove); pieces holds the canonical bytes of new ones.

    Runs inside the caller's write transaction. One INSERT ... ON CONFLICT DO
    UPDATE per piece, in hash order, so concurrent transactions lock content
    rows in the same order and cannot deadlock on them. Only pieces not stored
    yet are compressed and sent (the others get empty data, which the conflict
    leaves alone). If one of the others was deleted meanwhile (a delete took its
    last reference and committed), the insert creates it without data, and the
    data is filled in before commit. A piece whose count reaches zero is deleted.
    """
    hashes = sorted(h for h, n in delta.items() if n)
    if not hashes:
        return
    stored = _existing(conn, org, [h for h in hashes if delta[h] > 0])
    rows = [
        {"o": org, "h": h, "n": delta[h], "d": compress(pieces[h]) if delta[h] > 0 and h not in stored else b""}
        for h in hashes
    ]
    execute_many(conn, "change_references", _change_statement, rows)
    if conn.dialect.name == "postgresql" and stored:
        # A piece found stored may have been deleted before our insert reached it: then the insert
        # made a row without data. Its data is filled in before the transaction commits.
        statement = text(
            "SELECT hash FROM contents WHERE organization_id = :org AND hash IN :hashes AND length(data) = 0"
        ).bindparams(bindparam("hashes", expanding=True))
        for chunk in _chunks(sorted(stored)):
            emptied = [bytes(r[0]) for r in conn.execute(statement, {"org": org, "hashes": chunk})]
            if emptied:
                conn.execute(
                    text("UPDATE contents SET data = :d WHERE organization_id = :o AND hash = :h"),
                    [{"o": org, "h": h, "d": compress(pieces[h])} for h in emptied],
                )
    dropped = [h for h in hashes if delta[h] < 0]
    statement = text(
        "DELETE FROM contents WHERE organization_id = :org AND hash IN :hashes AND refcount <= 0"
    ).bindparams(bindparam("hashes", expanding=True))
    for chunk in _chunks(dropped):
        conn.execute(statement, {"org": org, "hashes": chunk})


def load_pieces(conn: Connection, org: str, hashes: Iterable[bytes]) -> dict[bytes, bytes]:
    """The canonical bytes of the organization's pieces with these hashes (absent ones are left out)."""
    wanted = sorted(set(hashes))
    out: dict[bytes, bytes] = {}
    statement = text("SELECT hash, data FROM contents WHERE organization_id = :org AND hash IN :hashes").bindparams(
        bindparam("hashes", expanding=True)
    )
    for chunk in _chunks(wanted):
        for digest, data in conn.execute(statement, {"org": org, "hashes": chunk}):
            out[bytes(digest)] = decompress(bytes(data))
    return out


def reference_delta(added: Iterable[bytes], removed: Iterable[bytes]) -> dict[bytes, int]:
    """Per hash, how many references were added minus how many were removed."""
    delta: dict[bytes, int] = {}
    for h in added:
        delta[h] = delta.get(h, 0) + 1
    for h in removed:
        delta[h] = delta.get(h, 0) - 1
    return delta


def content_stats(conn: Connection) -> dict[str, Any]:
    """Rows and stored bytes of the content table (for `tenlog vacuum` and the bench)."""
    rows, stored = conn.execute(text("SELECT count(*), coalesce(sum(length(data)), 0) FROM contents")).one()
    return {"pieces": int(rows), "stored_bytes": int(stored)}
