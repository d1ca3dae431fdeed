"""What every benchmark prints: the machine, a readable table, and one JSON line last."""

from __future__ import annotations

import json
import os
import platform
import sys


def machine() -> str:
    """CPU model, cores, Python and SQLite versions: the context of every figure."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    import sqlite3

    return (
        f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, {platform.system()} {platform.release()}"
    )


def table(title: str, header: list[str], rows: list[list[object]]) -> None:
    """A plain aligned table on stdout."""
    cells = [header] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    print(f"\n{title}")
    for n, row in enumerate(cells):
        print(
            "  "
            + "  ".join(
                cell.rjust(w) if i else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=False))
            )
        )
        if n == 0:
            print("  " + "  ".join("-" * w for w in widths))


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def emit(result: dict) -> None:
    """The last line of a benchmark's output: one JSON object."""
    sys.stdout.flush()
    print(json.dumps(result, separators=(", ", ": ")))
