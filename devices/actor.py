"""One actor per phone: it runs the tasks the scheduler assigns to it, one at a time."""

from __future__ import annotations

import logging
import time
from typing import Awaitable, Callable

import anyio

from devices.phones import PhoneSession
from devices.task_run import RunControl, TaskRunner

log = logging.getLogger("droidledger.actor")


class PhoneActor:
    """Receives task ids in its inbox and runs each through the TaskRunner."""

    def __init__(self, serial: str, runner: TaskRunner, connect: Callable[[], Awaitable[PhoneSession]],
                 on_done: Callable[[str, int, bool], None]) -> None:
        self.serial = serial
        self.runner = runner
        self.connect = connect
        self.on_done = on_done
        self.control: RunControl | None = None
        self.busy_seconds = 0.0
        self.tasks_run = 0
        self.crashed_task: int | None = None  # the task whose run raised, for the supervisor to fail
        self._send, self._receive = anyio.create_memory_object_stream[int](1)

    def assign(self, task_id: int) -> None:
        """Hand the phone its next task (the scheduler assigns only to idle phones)."""
        self._send.send_nowait(task_id)

    def halt(self, task_id: int, reason: str) -> bool:
        """Halt the run of `task_id` if this phone is running it."""
        if self.control is not None and self.control.task_id == task_id:
            self.control.halt(reason)
            return True
        return False

    def close(self) -> None:
        """No more tasks: the actor ends after its current run."""
        self._send.close()

    async def run(self) -> None:
        """Work through assignments until closed."""
        async for task_id in self._receive:
            control = self.control = RunControl(task_id)
            started = time.perf_counter()
            try:
                await self.runner.run(self.serial, task_id, self.connect, control)
            except Exception:
                self.crashed_task = task_id
                raise
            finally:
                self.control = None
                self.busy_seconds += time.perf_counter() - started
                self.tasks_run += 1
                self.on_done(self.serial, task_id, control.phone_lost)
