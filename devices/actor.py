"""One actor per phone an agent owns: it runs the tasks dispatched to it, one at a time."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import anyio

from devices.phones import PhoneSession
from devices.task_run import RunControl, TaskRunner

log = logging.getLogger("droidledger.actor")

INBOX = 4  # dispatches waiting for a phone: one at a time is the rule, a few more never block the agent


@dataclass
class Crewmate:
    """What an actor asks of its agent: whether its phone is there (adb asked now), and to give a
    dispatched task back to its queue."""

    phone_present: Callable[[str], Awaitable[bool]]
    give_back: Callable[[int, str], Awaitable[None]]
    phone_lost: Callable[[str], None]  # a run lost its phone: let the log say so soon


class PhoneActor:
    """Receives task ids in its inbox and runs each through the TaskRunner. After a run that lost
    its phone, the next task starts only once adb lists the phone again; otherwise it goes back."""

    def __init__(
        self,
        serial: str,
        runner: TaskRunner,
        connect: Callable[[], Awaitable[PhoneSession]],
        mate: Crewmate,
        agent: str,
        incarnation: str,
    ) -> None:
        self.serial = serial
        self.runner = runner
        self.connect = connect
        self.mate = mate
        self.agent = agent
        self.incarnation = incarnation
        self.control: RunControl | None = None
        self.phone_in_doubt = False
        self.closed = False
        self.busy_seconds = 0.0
        self.tasks_run = 0
        self.crashed_task: int | None = None  # the task whose run raised, for the supervisor to fail
        self._send, self._receive = anyio.create_memory_object_stream[int](INBOX)

    def assign(self, task_id: int) -> None:
        """Hand the phone its next task (the scheduler dispatches only to idle phones)."""
        if not self.closed:
            self._send.send_nowait(task_id)

    def halt(self, task_id: int, reason: str) -> bool:
        """Halt the run of `task_id` if this phone is running it."""
        if self.control is not None and self.control.task_id == task_id:
            self.control.halt(reason)
            return True
        return False

    def close(self) -> None:
        """No more tasks: the actor ends after its current run (what waits in its inbox stays unstarted)."""
        self.closed = True
        self._send.close()

    async def run(self) -> None:
        """Work through assignments until closed."""
        async for task_id in self._receive:
            if self.closed:
                continue  # shutting down: its agent's stop releases the phone, and the task goes back to its queue
            if self.phone_in_doubt:
                if not await self.mate.phone_present(self.serial):
                    await self.mate.give_back(task_id, "its phone went away before it started")
                    continue
                self.phone_in_doubt = False
            control = self.control = RunControl(task_id)
            started = time.perf_counter()
            try:
                await self.runner.run(self.serial, task_id, self.connect, control, self.agent, self.incarnation)
            except Exception:
                self.crashed_task = task_id
                raise
            finally:
                self.control = None
                self.busy_seconds += time.perf_counter() - started
                self.tasks_run += 1
                if control.phone_lost:
                    self.phone_in_doubt = True
                    self.mate.phone_lost(self.serial)
