"""One run of one task on one phone: start, prepare, script steps, then completed or failed.

Every outcome is an event: `started` (with the run's seed), one `step-completed` per step,
then `completed`, or `failed` with the step, a reason a person understands and artifacts.

A run acts for accounts: the task's own (account mode), or the accounts the registry knows on
the phone (device mode; usually one). A step's actions are recorded for them, a warm-up acts
only within their limits, and when the platform warns (AccountWarned) the task fails and they
rest, in one transaction.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from pathlib import Path
from typing import Any

import anyio
import msgspec

from devices.artifacts import save_artifacts
from devices.errors import AccountWarned, DeviceError, DeviceGone
from devices.phones import PhoneSession
from devices.scripts import SCRIPTS
from devices.scripts.base import RunHalted, ScriptContext, StepRecord
from service.clock import Clock
from service.domain.account import account_key
from service.domain.admission import Allowance
from service.domain.apps import PACKAGES, app_of_package
from service.domain.errors import DomainError
from service.domain.task import (
    STOPPED,
    CompleteStep,
    CompleteTask,
    FailTask,
    RecordMaterialUse,
    StartTask,
    TaskState,
)
from service.handlers.accounts import AccountHandlers
from service.handlers.safety import SafetyHandlers
from service.handlers.tasks import TaskHandlers
from service.materials import MaterialLibrary
from service.standings import read_standings
from service.store.interface import EventStore
from service.store.outages import StoreOutage
from service.store.records import Fence, FencedOff

log = logging.getLogger("droidledger.run")

ARTIFACT_TIMEOUT_S = 15.0
RECORD_PATIENCE_S = 300.0  # after that, the run's end is left to the restart's recovery


@dataclass
class RunControl:
    """How the scheduler halts a run: a stop (or shutdown) is noted, then the run is cancelled."""

    task_id: int
    halt_reason: str | None = None
    scope: anyio.CancelScope = field(default_factory=anyio.CancelScope)
    phone_lost: bool = False  # the run failed because the phone went away: check it before the next task
    fenced: bool = False  # the phone no longer belongs to this agent: the run ends recording nothing more

    def finish_step_then_halt(self, reason: str) -> None:
        """Halt at the next step boundary, letting the current step finish."""
        if self.halt_reason is None:
            self.halt_reason = reason

    def halt(self, reason: str) -> None:
        """Halt now: the device call in flight finishes (or times out), then the run is cancelled."""
        self.finish_step_then_halt(reason)
        self.scope.cancel()


@dataclass
class TaskRunner:
    """Runs tasks on phones and records what happens; shared by every phone's actor."""

    store: EventStore
    tasks: TaskHandlers
    accounts: AccountHandlers
    clock: Clock
    data_dir: Path
    zone: tzinfo = UTC  # the server's: accounts' days when they set no zone of their own

    def __post_init__(self) -> None:
        self.safety = SafetyHandlers(self.store)

    async def accounts_of(self, serial: str, username: str | None, app: str) -> list[tuple[str, str]]:
        """(key, username) of the accounts a run acts for: the task's, or the phone's in the task's app as the
        registry knows them (accounts of a package droidledger does not drive count for any app)."""
        if username:
            return [(account_key(username), username)]
        return [
            (row.key, row.username)
            for row in await self.store.views.accounts(serial)
            if app_of_package(row.package) in (app, None)
        ]

    async def run(
        self,
        serial: str,
        task_id: int,
        connect: Callable[[], Awaitable[PhoneSession]],
        control: RunControl,
        agent: str,
        incarnation: str,
    ) -> None:
        """Run the task's current attempt on this phone for the agent incarnation that owns it (nothing
        if it was stopped or deleted meanwhile). Every append is fenced: once the phone is no longer
        this incarnation's, the store refuses it and the run ends."""
        fence = Fence(serial, agent, incarnation)
        outage = StoreOutage(f"task {task_id}", log)
        row = await outage.retry(lambda: self.store.views.task(task_id))
        if row is None:
            return
        script_name, config, username, app = (
            row.script_name,
            msgspec.json.decode(row.script_config),
            row.username,
            row.app,
        )
        script = SCRIPTS[script_name]
        seed = random.SystemRandom().getrandbits(63)
        planned = script.planned_steps(config, app)  # 0: it depends on the run (a warm-up's watch times)
        prelude = 2 if username else 1
        start = StartTask(
            serial=serial,
            seed=seed,
            username=username,
            steps=prelude + planned if planned else 0,
            agent=agent,
            incarnation=incarnation,
        )
        try:
            state, _ = await outage.retry(lambda: self.tasks.execute(task_id, start, fence=fence))
        except (DomainError, FencedOff):
            return  # stopped, deleted or withdrawn between dispatch and start, or the phone is no longer ours
        accounts = await outage.retry(lambda: self.accounts_of(serial, username, app))
        standings = await outage.retry(lambda: read_standings(self.store, accounts, self.clock.now(), self.zone))
        allowance = Allowance(list(standings.values()), self.clock.now())
        run = _Run(self, task_id, state, outage, tuple(key for key, _ in accounts), fence, control)
        secrets = await outage.retry(lambda: self.store.side.secrets(task_id))
        session: list[PhoneSession] = []
        ctx = ScriptContext(
            task_id=task_id,
            serial=serial,
            username=username,
            config=config,
            secrets=secrets,
            app=app,
            rng=random.Random(seed),
            clock=self.clock,
            ui=None,
            data_dir=self.data_dir,
            materials=MaterialLibrary(self.data_dir, self.store, run.material_used, config.get("content_type", 0)),
            record=run.step_completed,
            register_accounts=lambda names: self.accounts.replace_on_device(serial, names, PACKAGES[app], fence=fence),
            stop_requested=lambda: control.halt_reason is not None,
            dialogs_dismissed=lambda: session[0].app(app).take_dismissed() if session else [],
            refusal=lambda action: allowance.refusal(action, self.clock.now()),
            counted=lambda action: allowance.count(action, self.clock.now()),
        )
        started = time.perf_counter()
        failure: tuple[str, BaseException | None] | None = None
        warned = False
        with control.scope:
            try:
                await self._work(ctx, connect, session, script, username)
            except RunHalted:
                failure = (control.halt_reason or STOPPED, None)
            except AccountWarned as exc:
                failure, warned = (exc.reason, exc), True
            except DeviceError as exc:
                failure = (exc.reason, exc)
                control.phone_lost = isinstance(exc, DeviceGone)
            except Exception as exc:  # noqa: BLE001 - a bug must fail the task, not kill the actor
                log.exception("task %d crashed in step %s", task_id, ctx.current_step)
                failure = (f"internal error in step {ctx.current_step or 'start'}: {exc.__class__.__name__}", exc)
        if control.scope.cancelled_caught or (failure is None and control.halt_reason):
            failure = (control.halt_reason or STOPPED, None)
        if control.fenced:
            log.warning("task %d on %s: the phone is no longer this agent's; the run ends unrecorded", task_id, serial)
            return
        with anyio.CancelScope(shield=True):
            if failure is None:
                await run.execute(
                    CompleteTask(steps=len(ctx.steps), duration_ms=int((time.perf_counter() - started) * 1000))
                )
                return
            reason, error = failure
            artifacts = (
                await self._artifacts(session[0], task_id, run.state.attempt, ctx.current_step)
                if error and session
                else []
            )
            failed = FailTask(reason=reason, step=ctx.current_step, artifacts=tuple(artifacts))
            if warned and run.accounts:
                await run.fail_warned(failed)  # an automatic retry then waits, held, until the rest ends
            else:
                await run.execute(failed)

    async def _work(
        self,
        ctx: ScriptContext,
        connect: Callable[[], Awaitable[PhoneSession]],
        connected: list[PhoneSession],
        script: Any,
        username: str | None,
    ) -> None:
        async def prepare() -> str:
            connected.append(await connect())
            ctx.ui = connected[0].app(ctx.app)
            ctx.ui.take_dismissed()  # dialogs met by an earlier run's failing step are not this run's
            warnings = await ctx.ui.prepare()
            return "; ".join(warnings) if warnings else "screen on, app ready"

        await ctx.step("prepare", prepare)
        if username:

            async def switch() -> str:
                await ctx.ui.switch_account(username)
                return f"signed in as @{username.lstrip('@')}"

            await ctx.step("switch-account", switch)
        await script.run(ctx)

    async def _artifacts(self, session: PhoneSession, task_id: int, attempt: int, step: str | None) -> list[str]:
        """The failing screen's hierarchy and a screenshot, when the phone still answers."""
        xml = png = None
        with anyio.move_on_after(ARTIFACT_TIMEOUT_S):
            try:
                xml = await session.driver.dump_hierarchy()
            except DeviceError:
                pass
            try:
                png = await session.driver.screenshot_png()
            except DeviceError:
                pass
        return await anyio.to_thread.run_sync(save_artifacts, self.data_dir, task_id, attempt, step, xml, png)


class _Run:
    """The events of one attempt, appended with the last known state (a conflict reloads it)."""

    def __init__(
        self,
        runner: TaskRunner,
        task_id: int,
        state: TaskState,
        outage: StoreOutage,
        accounts: tuple[str, ...],
        fence: Fence,
        control: RunControl,
    ) -> None:
        self.runner = runner
        self.task_id = task_id
        self.state = state
        self.outage = outage
        self.accounts = accounts  # compared forms of the accounts the run acts for
        self.fence = fence
        self.control = control

    async def execute(self, command: Any) -> None:
        """Record what happened; while the database is away, wait for it (a run's events are facts)."""
        try:
            self.state, _ = await self.outage.retry(
                lambda: self.runner.tasks.execute(self.task_id, command, self.state, fence=self.fence),
                give_up_after_s=RECORD_PATIENCE_S,
            )
        except FencedOff:
            self._fenced_off()
        except DomainError as exc:
            log.info("task %d: %s not recorded: %s", self.task_id, type(command).__name__, exc)

    def _fenced_off(self) -> None:
        """The phone was taken from this agent: stop at once, record nothing more."""
        self.control.fenced = True
        self.control.halt("its phone no longer belongs to this agent")

    async def step_completed(self, record: StepRecord) -> None:
        await self.execute(
            CompleteStep(
                index=record.index,
                name=record.name,
                detail=record.detail,
                duration_ms=record.duration_ms,
                actions=record.actions,
                accounts=self.accounts if record.actions else (),
            )
        )

    async def fail_warned(self, failure: FailTask) -> None:
        """The task fails with the platform's warning and its accounts rest."""
        try:
            self.state = await self.outage.retry(
                lambda: self.runner.safety.fail_warned(
                    self.task_id, self.state, failure, self.accounts, self.runner.clock.now(), fence=self.fence
                ),
                give_up_after_s=RECORD_PATIENCE_S,
            )
        except FencedOff:
            self._fenced_off()
        except DomainError as exc:
            log.info("task %d: the warning not recorded: %s", self.task_id, exc)

    async def material_used(self, paths: list[str]) -> None:
        await self.execute(RecordMaterialUse(paths=tuple(paths)))
