"""Plain-text tables: every figure printed beside its target with PASS or MISS."""

from __future__ import annotations

from dataclasses import dataclass, field

PASS = "PASS"
MISS = "MISS"
NO_TARGET = "-"


def verdict(ok: bool) -> str:
    """PASS or MISS."""
    return PASS if ok else MISS


def rate(value: float) -> str:
    """Items per second, e.g. `12,345/s`."""
    return f"{value:,.0f}/s"


def ms(value: float) -> str:
    """Milliseconds with one decimal."""
    return f"{value:.1f} ms"


def percent(value: float) -> str:
    """A ratio as a percentage."""
    return f"{value:.0%}"


def times(value: float) -> str:
    """A ratio as a multiplier, e.g. `1.42x`."""
    return f"{value:.2f}x"


def mib(value_bytes: float) -> str:
    """Bytes in MiB."""
    return f"{value_bytes / 2**20:.0f} MB"


@dataclass
class Table:
    """One section's results: a title, column headers, rows of cells, and notes printed under it."""

    title: str
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *cells: str) -> None:
        """Append a row; missing trailing cells are left blank."""
        row = list(cells) + [""] * (len(self.headers) - len(cells))
        self.rows.append(row[: len(self.headers)])

    def note(self, text: str) -> None:
        """Append a line printed under the table."""
        self.notes.append(text)

    @property
    def verdicts(self) -> list[str]:
        """Every PASS/MISS cell of the table."""
        return [cell for row in self.rows for cell in row if cell in (PASS, MISS)]

    def render(self) -> str:
        """The table as aligned plain text."""
        widths = [len(h) for h in self.headers]
        for row in self.rows:
            widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]

        def line(cells: list[str]) -> str:
            first, *rest = cells
            out = [first.ljust(widths[0])] + [cell.rjust(w) for cell, w in zip(rest, widths[1:], strict=True)]
            return "  ".join(out).rstrip()

        rule = "-" * len(line(self.headers))
        out = [self.title, rule, line(self.headers), rule, *(line(r) for r in self.rows), rule]
        out += [f"  {n}" for n in self.notes]
        return "\n".join(out)
