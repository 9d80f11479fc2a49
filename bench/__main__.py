"""`python -m bench [--quick] [--only SECTION ...]`: run tenlog's benchmark and print one table per section."""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import traceback
from collections.abc import Callable, Sequence

from . import bombs, dashboard, export, listing, otlp, overload, readside, rest, storage, streams, unary, workers
from .report import MISS, Table
from .settings import BenchSettings

Section = Callable[[BenchSettings, dict[str, float]], Table]
SECTIONS: dict[str, Section] = {
    "unary": unary.run,
    "rest": rest.run,
    "streams": streams.run,
    "workers": workers.run,
    "overload": overload.run,
    "listing": listing.run,
    "readside": readside.run,
    "otlp": otlp.run,
    "storage": storage.run,
    "bombs": bombs.run,
    "export": export.run,
    "dashboard": dashboard.run,
}


def _load() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen sections in order; exit 1 only when a section could not run (a MISS is a result)."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small counts and short windows: a smoke run")
    parser.add_argument("--only", action="append", choices=list(SECTIONS), help="run only this section (repeatable)")
    args = parser.parse_args(argv)
    settings = BenchSettings.load(args.quick)
    chosen = [name for name in SECTIONS if not args.only or name in args.only]
    print(
        f"tenlog bench{' (quick)' if settings.quick else ''}: {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, load average {_load()}; "
        f"windows {settings.seconds:g} s after {settings.warmup:g} s warm-up",
        flush=True,
    )
    figures: dict[str, float] = {}
    failed: list[str] = []
    misses = 0
    began = time.monotonic()
    for name in chosen:
        started = time.monotonic()
        try:
            table = SECTIONS[name](settings, figures)
        except Exception:
            failed.append(name)
            print(f"\nsection {name} failed:\n{traceback.format_exc()}", flush=True)
            continue
        misses += table.verdicts.count(MISS)
        print(f"\n{table.render()}\n  ({time.monotonic() - started:.0f} s)", flush=True)
    print(
        f"\nbench done in {time.monotonic() - began:.0f} s; {misses} MISS; load average {_load()}"
        + (f"; sections that failed to run: {', '.join(failed)}" if failed else ""),
        flush=True,
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
