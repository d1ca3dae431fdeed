"""What the device tests share: a farm served from a background event loop (as a separate process
would), the TikTok app over a driver to one of its phones, and the objects a script run needs."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from anyio.from_thread import BlockingPortal, start_blocking_portal

from devices.driver import U2Driver
from devices.scripts.base import ScriptContext, StepRecord
from devices.sim.farm import FarmConfig, VirtualFarm
from devices.ui.tiktok import TikTok
from service.clock import SystemClock

TIME_SCALE = 0.01


class Farm:
    """A serving farm: its port and serials, its state, its fault switches."""

    def __init__(self, farm: VirtualFarm, portal: BlockingPortal) -> None:
        self.farm, self.portal = farm, portal
        self.port: int = farm.port  # type: ignore[assignment]
        self.serials = farm.serials

    def state(self, serial: str) -> dict[str, Any]:
        return self.portal.call(self.farm.state)["phones"][serial]

    def account(self, serial: str, username: str | None = None) -> dict[str, Any]:
        phone = self.state(serial)
        return phone["accounts"][username or phone["current_account"]]

    def faults(self, spec: str) -> None:
        self.portal.call(self.farm.set_faults, spec)


def start_farm(**config: Any) -> Iterator[Farm]:
    """Serve a farm for as long as the generator is open."""
    sim = VirtualFarm(FarmConfig(**config))
    with start_blocking_portal("asyncio") as portal:
        future, _ = portal.start_task(sim.serve)
        try:
            yield Farm(sim, portal)
        finally:
            future.cancel()


def phone_ui(farm: Farm, index: int, **driver: Any) -> TikTok:
    """The TikTok app over a fresh driver to phone `index`."""
    options = {"call_timeout_s": 5.0, **driver}
    return TikTok(U2Driver(farm.serials[index], adb_port=farm.port, **options), SystemClock(TIME_SCALE))


@dataclass
class FakeMaterials:
    """The material library as a list of files; records what was picked."""

    files: list[Path] = field(default_factory=list)
    picked: list[tuple[tuple[str, ...], int]] = field(default_factory=list)

    async def pick(self, tags: Sequence[str], count: int, rng: random.Random) -> list[Path]:
        self.picked.append((tuple(tags), count))
        return [f for f in self.files if all(t in f.parts for t in tags)][:count]


@dataclass
class Run:
    """A script context and what the script reported through it."""

    ctx: ScriptContext
    records: list[StepRecord]
    registered: list[list[str]]


def make_run(
    ui: Any,
    config: dict[str, Any],
    *,
    seed: int = 1,
    data_dir: Path = Path("."),
    materials: FakeMaterials | None = None,
    secrets: dict[str, str] | None = None,
    serial: str = "SERIAL",
    stop_after: int | None = None,
    allowance: Any = None,
) -> Run:
    """A ScriptContext as the actor builds one, with fakes for the store's side."""
    records: list[StepRecord] = []
    registered: list[list[str]] = []

    async def record(step: StepRecord) -> None:
        records.append(step)

    async def register(names: list[str]) -> None:
        registered.append(list(names))

    ctx = ScriptContext(
        task_id=7,
        serial=serial,
        username=None,
        config=config,
        secrets=secrets or {},
        rng=random.Random(seed),
        clock=SystemClock(TIME_SCALE),
        ui=ui,
        data_dir=data_dir,
        materials=materials or FakeMaterials(),
        record=record,
        register_accounts=register,
        stop_requested=(lambda: stop_after is not None and len(records) >= stop_after),
    )
    if allowance is not None:  # the account's limits, as the runner gives them (devices/task_run.py)
        ctx.refusal = lambda action: allowance.refusal(action, ctx.clock.now())
        ctx.counted = lambda action: allowance.count(action, ctx.clock.now())
    return Run(ctx, records, registered)
