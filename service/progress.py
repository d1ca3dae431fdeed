"""A progress line on stderr for long commands (replay, benchmarks, harnesses)."""

from __future__ import annotations

import sys
import time


class ProgressLine:
    """`label  42% 420,000/1,000,000 events  310,000/s`, redrawn in place on a terminal."""

    def __init__(self, label: str, unit: str = "", stream=None, min_interval_s: float = 0.2) -> None:
        self.label = label
        self.unit = unit
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.min_interval_s = min_interval_s if self.tty else 2.0
        self.started = time.perf_counter()
        self._last_draw = 0.0
        self._last_text = ""

    def update(self, done: int, total: int) -> None:
        """Redraw if enough time passed (always at 100%)."""
        now = time.perf_counter()
        if done < total and now - self._last_draw < self.min_interval_s:
            return
        self._last_draw = now
        rate = done / (now - self.started) if now > self.started else 0.0
        percent = f"{100 * done / total:3.0f}% " if total else ""
        text = f"{self.label} {percent}{done:,}/{total:,} {self.unit}  {rate:,.0f}/s"
        self._last_text = text
        if self.tty:
            self.stream.write("\r" + text.ljust(72))
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def done(self) -> None:
        """End the line."""
        if self.tty and self._last_text:
            self.stream.write("\n")
            self.stream.flush()
