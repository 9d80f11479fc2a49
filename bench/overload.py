"""Section 5: overload. Find the sustainable unary rate, then offer several times that for a bounded time.

It runs twice: with the server's default write-queue bound and with a tight
one (about half a second of writes), since which of them the server hits first
decides what an overloaded client sees.
"""

from __future__ import annotations

from dataclasses import dataclass

from .clients import WITH_RETRY_INFO
from .open_loop import OpenFigures, OpenLoad, run_open_loop
from .payloads import seed_completion
from .processes import RssSampler, process_tree, rss_bytes
from .report import NO_TARGET, Table, mib, ms, percent, rate, verdict
from .servers import running_server, sqlite_database
from .settings import BenchSettings
from .stats import percentile
from .unary import measure_create

RSS_TARGET = 300 * 2**20
SUSTAINABLE_CONCURRENCY = 64
TIGHT_BOUND = 1_000
REJECTED = "RESOURCE_EXHAUSTED"
CANCELLED_TARGET = 0.01  # of refusals (issue 9)


@dataclass(frozen=True, slots=True)
class Overload:
    """One overload run against a server with the given write-queue bound."""

    bound: int
    sustainable: float
    offered: float
    idle_rss: int
    peak_rss: int
    outcome: OpenFigures


def _overload(settings: BenchSettings, bound: int) -> Overload:
    with sqlite_database() as url, running_server(url, ["--max-pending-writes", str(bound)]) as server:
        sustainable = measure_create(server, settings, SUSTAINABLE_CONCURRENCY).rate
        offered = sustainable * settings.overload_factor
        idle_rss = rss_bytes(process_tree(server.pid))
        load = OpenLoad(
            target=server.grpc_target,
            key=server.key,
            completion=seed_completion().SerializeToString(),
            rate=offered,
            seconds=settings.overload_seconds,
        )
        with RssSampler(server.pid) as memory:
            outcome = run_open_loop(load, settings.client_processes)
    return Overload(bound, sustainable, offered, idle_rss, memory.peak, outcome)


def run(settings: BenchSettings, figures: dict[str, float]) -> Table:
    """Measure, overload, and report what was accepted, what was refused, and what it cost in memory."""
    runs = [_overload(settings, bound) for bound in (settings.overload_max_pending, TIGHT_BOUND)]
    seconds = settings.overload_seconds
    table = Table(
        f"5. Overload: {settings.overload_factor:g}x the sustainable rate for {seconds:g} s, unary CreateCompletion "
        "(SQLite, one process)",
        ["measure", *(f"--max-pending-writes {r.bound}" for r in runs), "target", "result"],
    )

    def row(name: str, cells: list[str], target: str = NO_TARGET, result: str = "") -> None:
        table.add(name, *cells, target, result)

    row(f"sustainable rate (closed loop, c={SUSTAINABLE_CONCURRENCY})", [rate(r.sustainable) for r in runs])
    row("offered rate (scheduled)", [rate(r.offered) for r in runs])
    row("offered rate (achieved by the client)", [rate(r.outcome.launched / seconds) for r in runs])
    row("accepted", [rate(r.outcome.accepted / seconds) for r in runs])
    row("accepted / sustainable", [percent(r.outcome.accepted / seconds / r.sustainable) for r in runs])
    # How every call ended: the split. A refusal is retryable when it carries RetryInfo.
    refusals = [sum(r.outcome.failures.values()) for r in runs]
    known = {REJECTED, REJECTED + WITH_RETRY_INFO, "CANCELLED"}

    def ended(r: Overload, how: str) -> int:
        failures = r.outcome.failures
        if how == "OK":
            return r.outcome.accepted
        if how == "other":
            return sum(n for code, n in failures.items() if code not in known)
        return failures.get(how, 0)

    for how, label in (
        ("OK", "OK"),
        (REJECTED + WITH_RETRY_INFO, f"{REJECTED} with RetryInfo"),
        (REJECTED, f"{REJECTED} without RetryInfo"),
        ("CANCELLED", "CANCELLED"),
        ("other", "other"),
    ):
        row(
            f"{label} (calls, share of all)",
            [f"{ended(r, how):,} ({ended(r, how) / max(1, r.outcome.launched):.1%})" for r in runs],
        )
    cancelled_ok = all(
        r.outcome.failures.get("CANCELLED", 0) <= CANCELLED_TARGET * n for r, n in zip(runs, refusals, strict=True)
    )
    row(
        "CANCELLED / refusals",
        [f"{r.outcome.failures.get('CANCELLED', 0) / max(1, n):.1%}" for r, n in zip(runs, refusals, strict=True)],
        f"<= {CANCELLED_TARGET:.0%}",
        verdict(cancelled_ok),
    )
    others = sorted({code for r in runs for code in r.outcome.failures if code not in known})
    for code in others:
        row(f"  other: {code}", [f"{r.outcome.failures.get(code, 0):,}" for r in runs])
    peak_ok = all(r.peak_rss <= RSS_TARGET for r in runs)
    row("server RSS idle / peak", [f"{mib(r.idle_rss)} / {mib(r.peak_rss)}" for r in runs], f"<= {mib(RSS_TARGET)}")
    table.rows[-1][-1] = verdict(peak_ok)
    row("p99 latency of accepted calls", [ms(percentile(sorted(r.outcome.latencies_ms), 0.99)) for r in runs])
    for r in runs:
        table.note(
            f"bound {r.bound}: {r.outcome.launched:,} calls started, {r.outcome.shed:,} shed by the client at its "
            f"in-flight bound; last answer {r.outcome.drained_after:.1f} s after the start"
        )
    if any("CANCELLED" in r.outcome.failures for r in runs):
        table.note(
            "CANCELLED comes from gRPC core, not tenlog: past grpc.server.max_pending_requests_hard_limit (default "
            "3000) calls the server has not yet picked up it cancels new ones"
        )
    figures["overload_peak_rss"] = max(r.peak_rss for r in runs)
    return table
