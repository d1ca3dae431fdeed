"""The composition root: what runs beside the store, built from the settings, for `serve` and for
`droidledger agent` (docs/agents.md). Nothing here runs at import; everything starts in
`background(...)` and stops when its block exits.

    serve                 the scheduler, and the agent in-process (the virtual farm with --sim)
    serve --agents N      the scheduler, and N agent processes (restarted when one dies)
    serve --no-agent      the scheduler only, for agents elsewhere
    droidledger agent     one agent (its own virtual farm with --sim)
"""

from __future__ import annotations

import logging
import os
import signal
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import anyio

from devices.agent.agent import Agent, AgentConfig
from devices.agent.shard import EVERY_PHONE
from devices.driver import allow_adb_server_start
from devices.phones import PhoneConnector
from devices.task_run import TaskRunner
from service.agent_processes import AgentProcesses
from service.handlers.agents import AgentHandlers
from service.materials import seed_samples
from service.runtime import Runtime
from service.scheduling.scheduler import Scheduler
from service.store.records import DatabaseInUse

log = logging.getLogger("droidledger")

SHUTDOWN_GRACE_S = 10.0
READY_TIMEOUT_S = 60.0


@asynccontextmanager
async def background(rt: Runtime) -> AsyncIterator[None]:
    """Start what the settings ask beside the API (farm, agents, scheduler); on exit, let running
    steps finish, then stop everything."""
    settings = rt.settings
    async with anyio.create_task_group() as tg:
        adb_host, adb_port = await _adb_server(rt, tg)
        # The scheduler first: it must follow what an agent records when it starts (its dead
        # predecessor's tasks failed "interrupted by a restart", then retried by the policy) —
        # unless another server schedules, whose scheduler follows it.
        rt.scheduler = Scheduler(
            rt.store,
            rt.tasks,
            AgentHandlers(rt.store),
            rt.clock,
            device_limit=settings.device_limit,
            retry_policy=settings.retry_policy,
            random_order=settings.random_order,
            zone=rt.tz,
        )
        await tg.start(essential(rt, "the scheduler", rt.scheduler.run))
        await rt.scheduler.settled.wait()
        if settings.agents:
            rt.agent_processes = AgentProcesses(settings, adb_host, adb_port)
            await tg.start(essential(rt, "the local agents", rt.agent_processes.run))
        elif settings.run_agent:
            # Named after the host, so that a server restarted on this PC takes over from its predecessor;
            # a second server running on this PC meanwhile takes the host and its port.
            host = socket.gethostname()
            rt.agent = build_agent(
                rt,
                adb_host,
                adb_port,
                name=settings.agent_name or host,
                fallback_name=None if settings.agent_name else f"{host}-{settings.port}",
            )
            await tg.start(essential(rt, "the agent", rt.agent.run))
        if rt.farm is not None and (settings.agents or settings.run_agent):
            await until_phones_owned(rt, set(rt.farm.serials))
        try:
            yield
        finally:
            with anyio.CancelScope(shield=True):
                rt.scheduler.stop_dispatching()
                if rt.agent is not None:
                    await rt.agent.shutdown(SHUTDOWN_GRACE_S)
                if rt.agent_processes is not None:
                    await rt.agent_processes.stop()
            tg.cancel_scope.cancel()


async def run_agent(rt: Runtime, name: str) -> None:
    """`droidledger agent`: one agent (with its own farm under --sim) until cancelled, then a clean stop."""
    async with anyio.create_task_group() as tg:
        adb_host, adb_port = await _adb_server(rt, tg)
        rt.agent = build_agent(rt, adb_host, adb_port, name=name)
        await tg.start(rt.agent.run)
        try:
            await anyio.sleep_forever()
        finally:
            with anyio.CancelScope(shield=True):
                await rt.agent.shutdown(SHUTDOWN_GRACE_S)
            tg.cancel_scope.cancel()


def essential(rt: Runtime, what: str, run: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    """`run` as a part the server cannot serve without: if it dies (a bug; the database going away
    is ridden out inside), the server stops and exits 1 rather than answer without it."""

    async def guarded(*, task_status: anyio.abc.TaskStatus = anyio.TASK_STATUS_IGNORED) -> None:
        try:
            await run(task_status=task_status)
        except Exception as exc:
            rt.crashed = True
            if isinstance(exc, DatabaseInUse):  # its name held by another process: no bug, one line
                log.error("%s cannot start: %s", what, exc)
            else:
                log.exception("%s died: stopping the server", what)
            os.kill(os.getpid(), signal.SIGTERM)
            await anyio.sleep_forever()  # the shutdown cancels it

    return guarded


def build_agent(rt: Runtime, adb_host: str, adb_port: int, name: str, fallback_name: str | None = None) -> Agent:
    """An agent over the runtime's store, for the phones of the adb server at adb_host:adb_port."""
    settings = rt.settings
    allow_adb_server_start(settings.adb_start)
    connector = PhoneConnector(adb_host, adb_port, rt.clock)
    runner = TaskRunner(rt.store, rt.tasks, rt.accounts, rt.clock, settings.data_dir, zone=rt.tz)
    return Agent(
        rt.store,
        runner,
        connector,
        AgentConfig(
            name=name,
            fallback_name=fallback_name,
            adb_host=adb_host,
            adb_port=adb_port,
            shard=settings.shard or EVERY_PHONE,
            lease_s=settings.lease_s,
        ),
    )


async def _adb_server(rt: Runtime, tg: anyio.abc.TaskGroup) -> tuple[str, int]:
    """Where the phones are: the virtual farm this process starts (--sim N), else --adb-host/--adb-port."""
    settings = rt.settings
    if not settings.sim:
        return settings.adb_host, settings.adb_port
    from devices.sim.farm import FarmConfig, VirtualFarm

    for sample in seed_samples(settings.data_dir):
        log.info("material library was empty: added %s", sample)
    rt.farm = VirtualFarm(
        FarmConfig(
            devices=settings.sim,
            port=0,
            latency_ms=settings.sim_latency_ms,
            seed=settings.sim_seed,
            accounts_per_device=settings.sim_accounts,
            instagram_accounts=settings.sim_instagram_accounts,
            time_scale=settings.time_scale,
            faults=settings.sim_faults,
        )
    )
    await tg.start(rt.farm.serve)
    return "127.0.0.1", rt.farm.port


async def until_phones_owned(rt: Runtime, serials: set[str]) -> None:
    """The API opens once the virtual phones are online and owned by an agent."""
    with anyio.fail_after(READY_TIMEOUT_S):
        while True:
            ready = {d.serial for d in await rt.store.views.devices() if d.online and d.agent and not d.agent_lost}
            if serials <= ready:
                return
            await anyio.sleep(0.05)
