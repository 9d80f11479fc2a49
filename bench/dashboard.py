"""The dashboard in headless Chromium over a large database: time to first rows and to charts.

With `BENCH_ROWS` completions (1,000,000 by default) loaded by the listing
fixture, a fresh browser context (cold cache, key already in session storage)
navigates to a page; the page's own clock (`performance.now()`, milliseconds
since navigation started) is read when the completions table has its first 50
rows, or when all five analytics charts are drawn. Also prints the gzipped
size of the dashboard's JavaScript and CSS.
"""

from __future__ import annotations

import gzip
import statistics
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, sync_playwright

from .listing_fixture import load_listing_fixture
from .report import NO_TARGET, Table, verdict
from .servers import ORG, mint_key, running_server, sqlite_database
from .settings import BenchSettings

STATIC = Path(__file__).resolve().parent.parent / "service/tenlog_server/dashboard/static"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ASSET_BUDGET_BYTES = 300 * 1024
TIMEOUT_MS = 60_000

# Records, on the page's own clock, when the view is ready (or an error is shown).
READY_PROBE = """
new MutationObserver(() => {
  const rows = document.querySelectorAll('#completions tbody tr').length;
  const charts = document.querySelectorAll('.chart canvas').length;
  if (!window.__ready && (rows >= 50 || charts >= 5)) window.__ready = performance.now();
  const error = document.querySelector('.error');
  if (!window.__failed && error) window.__failed = error.innerText;
}).observe(document, {childList: true, subtree: true});
"""


def asset_sizes() -> tuple[int, int]:
    """(raw bytes, gzip -9 bytes) of every .js, .mjs and .css file the dashboard serves."""
    raw = packed = 0
    for path in STATIC.rglob("*"):
        if path.suffix in {".js", ".mjs", ".css"}:
            data = path.read_bytes()
            raw += len(data)
            packed += len(gzip.compress(data, 9))
    return raw, packed


def _time_view(browser: Browser, base_url: str, key: str, route: str) -> float:
    """Milliseconds from navigation start until the view is ready, in a fresh context (cold cache)."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        context.add_init_script(f"sessionStorage.setItem('tenlog.apiKey', {key!r});")
        context.add_init_script(READY_PROBE)
        page = context.new_page()
        page.goto(f"{base_url}/#{route}")
        # Polled from here: wait_for_function evaluates a string, which the dashboard's CSP refuses.
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while not page.evaluate("() => Boolean(window.__ready || window.__failed)"):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{route}: not ready after {TIMEOUT_MS} ms")
            page.wait_for_timeout(20)
        failed = page.evaluate("window.__failed || ''")
        if failed:
            raise RuntimeError(f"{route}: the page shows an error: {failed}")
        return float(page.evaluate("window.__ready"))
    finally:
        context.close()


def run(settings: BenchSettings, figures: dict[str, float]) -> Table:
    """Load the listing fixture, serve it, and time the completions and analytics pages in Chromium."""
    loads = 2 if settings.quick else 5
    views: list[tuple[str, str, float]] = [
        ("completions: first 50 rows", "/completions", 1000.0),
        ("analytics, last 24h (default)", "/analytics", 2000.0),
        ("analytics, last 30d (every row)", "/analytics?range=30d", 2000.0),
    ]
    results: dict[str, list[float] | str] = {}
    with sqlite_database() as url:
        mint_key(url, ORG)
        fixture = load_listing_fixture(url, ORG, settings.rows)
        with running_server(url) as server, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                _time_view(browser, server.http_url, server.key, "/completions")  # warm the server's caches
                for name, route, _ in views:
                    try:
                        results[name] = [_time_view(browser, server.http_url, server.key, route) for _ in range(loads)]
                    except Exception as error:  # a view that cannot load is a result, not a crash
                        results[name] = str(error).splitlines()[0][:160]
            finally:
                browser.close()
    table = Table(
        f"8. Dashboard in headless Chromium over {fixture.rows:,} completions (SQLite; {loads} cold loads each)",
        ["view", "median", "worst", "target", "result"],
    )
    for name, _, target in views:
        got: Any = results[name]
        if isinstance(got, str):
            table.add(name, "-", "-", f"<= {target:.0f} ms", "MISS")
            table.note(f"{name}: {got}")
            continue
        worst = max(got)
        figures[f"dashboard {name} worst ms"] = worst
        table.add(
            name, f"{statistics.median(got):.0f} ms", f"{worst:.0f} ms", f"<= {target:.0f} ms", verdict(worst <= target)
        )
    raw, packed = asset_sizes()
    table.add(
        "JS + CSS (gzip -9)",
        f"{packed / 1024:.1f} KB",
        f"{raw / 1024:.0f} KB raw",
        f"<= {ASSET_BUDGET_BYTES // 1024} KB",
        verdict(packed <= ASSET_BUDGET_BYTES),
    )
    table.add("fixture load", f"{fixture.seconds:.0f} s", "", NO_TARGET, "")
    table.note("times are the page's performance.now() at readiness: navigation start to rows/charts in the DOM")
    return table
