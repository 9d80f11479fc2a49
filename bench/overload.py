"""Section 5: overload. Find the sustainable unary rate, then offer several times that for a bounded time."""

from __future__ import annotations

from .open_loop import OpenLoad, run_open_loop
from .payloads import seed_completion
from .processes import RssSampler, process_tree, rss_bytes
from .report import NO_TARGET, Table, mib, ms, percent, rate, verdict
from .servers import running_server, sqlite_database
from .settings import BenchSettings
from .stats import percentile
from .unary import measure_create

RSS_TARGET = 300 * 2**20
SUSTAINABLE_CONCURRENCY = 64


def run(settings: BenchSettings, figures: dict[str, float]) -> Table:
    """Measure, overload, and report what was accepted, what was refused, and what it cost in memory."""
    bound = settings.overload_max_pending
    table = Table(
        f"5. Overload: {settings.overload_factor:g}x the sustainable rate for {settings.overload_seconds:g} s "
        f"(SQLite, one process, --max-pending-writes {bound})",
        ["measure", "figure", "target", "result"],
    )
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
    seconds = settings.overload_seconds
    rejected = outcome.failures.get("RESOURCE_EXHAUSTED", 0)
    others = {code: n for code, n in outcome.failures.items() if code != "RESOURCE_EXHAUSTED"}
    accepted_p99 = percentile(sorted(outcome.latencies_ms), 0.99)
    table.add(f"sustainable rate (closed loop, c={SUSTAINABLE_CONCURRENCY})", rate(sustainable), NO_TARGET, "")
    table.add("offered rate (scheduled)", rate(offered), NO_TARGET, "")
    table.add("offered rate (achieved by the client)", rate(outcome.launched / seconds), NO_TARGET, "")
    table.add("accepted", rate(outcome.accepted / seconds), NO_TARGET, "")
    table.add("accepted / sustainable", percent(outcome.accepted / seconds / sustainable if sustainable else 0), "", "")
    table.add("rejected (RESOURCE_EXHAUSTED)", rate(rejected / seconds), NO_TARGET, "")
    if others:
        table.add("other failures", ", ".join(f"{code} {n}" for code, n in sorted(others.items())), NO_TARGET, "")
    table.add(
        "server RSS idle / peak",
        f"{mib(idle_rss)} / {mib(memory.peak)}",
        f"<= {mib(RSS_TARGET)}",
        verdict(memory.peak <= RSS_TARGET),
    )
    table.add("p99 latency of accepted calls", ms(accepted_p99), NO_TARGET, "")
    table.note(
        f"{outcome.launched:,} calls started, {outcome.shed:,} shed by the client at its in-flight bound; "
        f"the last answer came {outcome.drained_after:.1f} s after the start; RSS sampled {memory.samples} times"
    )
    figures["overload_peak_rss"] = memory.peak
    return table
