"""What the writer has done, for /metrics: commits, batch sizes and commit latency."""

from __future__ import annotations

import bisect

BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048)
LATENCY_BUCKETS_S = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)


class Histogram:
    """A cumulative-bucket histogram in the Prometheus sense."""

    def __init__(self, bounds: tuple[float, ...]) -> None:
        self.bounds = bounds
        self.counts = [0] * (len(bounds) + 1)
        self.total = 0.0
        self.count = 0

    def observe(self, value: float) -> None:
        """Count one observation."""
        self.counts[bisect.bisect_left(self.bounds, value)] += 1
        self.total += value
        self.count += 1

    def cumulative(self) -> list[tuple[str, int]]:
        """(le, count) pairs, +Inf last."""
        out, running = [], 0
        for bound, n in zip(self.bounds, self.counts, strict=False):
            running += n
            out.append((f"{bound:g}", running))
        out.append(("+Inf", running + self.counts[-1]))
        return out


class WriteStats:
    """Counters the writer updates after each commit."""

    def __init__(self) -> None:
        self.commits = 0
        self.appends = 0
        self.events = 0
        self.batch_appends = Histogram(BATCH_BUCKETS)
        self.commit_seconds = Histogram(LATENCY_BUCKETS_S)
        self.append_seconds = Histogram(LATENCY_BUCKETS_S)

    def record(self, appends: int, events: int, seconds: float) -> None:
        """One committed batch."""
        self.commits += 1
        self.appends += appends
        self.events += events
        self.batch_appends.observe(appends)
        self.commit_seconds.observe(seconds)
