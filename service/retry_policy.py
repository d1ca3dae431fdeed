"""Automatic retries (a server setting): when, and after how long, a failed task runs again."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from service.domain.task import RetryTask, TaskState, TaskStatus


@dataclass(frozen=True)
class RetryPolicy:
    """`--auto-retry`, `--max-retries`, `--retry-delay-min/--retry-delay-max`, scaled by `--time-scale`."""

    enabled: bool = False
    max_retries: int = 3
    delay_min_s: float = 5.0
    delay_max_s: float = 60.0
    time_scale: float = 1.0

    def decide(self, state: TaskState, now: datetime, rng: random.Random) -> RetryTask | None:
        """The automatic retry of a failed task, or None (disabled, stopped, or out of retries)."""
        if not self.enabled or state.status != TaskStatus.FAILED or state.stopped or state.deleted:
            return None
        if state.automatic_retries >= self.max_retries:
            return None
        delay = rng.uniform(self.delay_min_s, self.delay_max_s) * self.time_scale
        return RetryTask(automatic=True, due_at=(now + timedelta(seconds=delay)).isoformat(timespec="milliseconds"))
