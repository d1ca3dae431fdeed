"""What a script gets to work with, and how its steps are recorded.

A script is an async function of a ScriptContext. Each unit of work is wrapped in
`await ctx.step(name, action)`: the step is timed, its detail recorded as a
`step-completed` event (through `record`), and a requested stop halts the script at the
next step boundary (a running device call is never interrupted midway). A step that did
something on the platform says so with `ctx.did("follow")` (follow, unfollow, like, comment,
post, collect): the event names the actions, and the account's daily counts are folded from
them; a warm-up asks `ctx.refusal(action)` before each action.
"""

from __future__ import annotations

import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from service.clock import Clock


@dataclass(frozen=True, slots=True)
class StepRecord:
    """A finished step, as the `step-completed` event shows it."""

    index: int
    name: str
    detail: str
    duration_ms: int
    actions: tuple[str, ...] = ()  # what the step did on the platform


class RunHalted(Exception):
    """The run was asked to halt (a stop, a shutdown); raised at the next step boundary."""


class Materials(Protocol):
    """The material library (files under <data-dir>/materials, tagged by their folders)."""

    async def pick(self, tags: Sequence[str], count: int, rng: random.Random) -> list[Path]:
        """The least-used matching files (ties broken by rng); records their use. Empty when none match."""


@dataclass
class ScriptContext:
    """Everything one run of one task may use; nothing else (no SQL, no globals)."""

    task_id: int
    serial: str
    username: str | None
    config: dict[str, Any]  # the task's normalised script_config (targets included, secrets "***")
    secrets: dict[str, str]  # e.g. {"chatgpt_api_key": "..."}, read from the secret store
    rng: random.Random  # seeded; the seed is recorded in `started`
    clock: Clock  # clock.sleep() is scaled by --time-scale
    ui: Any  # the task's app on this phone (devices.ui.tiktok.TikTok, ...instagram.Instagram)
    data_dir: Path
    materials: Materials
    record: Callable[[StepRecord], Awaitable[None]]
    register_accounts: Callable[[list[str]], Awaitable[None]]  # match_account: the phone's accounts of the app
    app: str = "tiktok"  # the app the task runs on: tiktok or instagram
    stop_requested: Callable[[], bool] = lambda: False
    dialogs_dismissed: Callable[[], list[str]] = lambda: []  # since the last call; named in the step's detail
    refusal: Callable[[str], str | None] = lambda action: None  # why the account may not do it now
    counted: Callable[[str], None] = lambda action: None  # the run's allowance counts what it did
    steps: list[StepRecord] = field(default_factory=list)
    current_step: str | None = None  # the step in progress (named on `failed` if it fails)
    acted: list[str] = field(default_factory=list)  # what the step in progress did on the platform

    def did(self, action: str) -> None:
        """The step in progress did this on the platform (follow, unfollow, like, comment, post, collect)."""
        self.acted.append(action)
        self.counted(action)

    async def step(self, name: str, action: Callable[[], Awaitable[str | None]]) -> str:
        """Run one named step; returns its detail. Raises RunHalted at the boundary after a stop."""
        if self.stop_requested():
            raise RunHalted()
        self.current_step = name
        self.acted = []
        started = time.perf_counter()
        detail = await action() or ""
        dismissed = self.dialogs_dismissed()
        if dismissed:
            detail = f"{detail}; dismissed {', '.join(dismissed)}"
        record = StepRecord(
            index=len(self.steps) + 1,
            name=name,
            detail=detail[:200],
            duration_ms=int((time.perf_counter() - started) * 1000),
            actions=tuple(self.acted),
        )
        self.steps.append(record)
        await self.record(record)
        self.current_step = None
        return detail


class Script(Protocol):
    """One of the scripts of docs/api.md (post, follow, unfollow, account_warmup, comment, match_account)."""

    name: str

    def planned_steps(self, config: dict[str, Any], app: str = "tiktok") -> int:
        """How many steps a run on `app` will record (0 when it depends on the run)."""

    async def run(self, ctx: ScriptContext) -> None:
        """Do the work, step by step; raise devices.errors.DeviceError subclasses on failure."""
