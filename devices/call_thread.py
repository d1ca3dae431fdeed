"""One phone's worker thread: the blocking device calls of that phone, one at a time, in order.

A phone's calls never overlap (one at a time is the rule of the phone's driver), so one long-lived
thread per phone runs them all: the event loop puts a call on the thread's queue (a C `SimpleQueue`,
no lock or condition in Python) and awaits an asyncio future that the thread settles through
`call_soon_threadsafe`. That is the whole hop; anyio's `to_thread.run_sync` adds a shared limiter, a
worker pool and per-call cancel scopes around the same two steps.

A call that the caller gives up on before it starts is skipped. A thread stuck in a call cannot be
interrupted: `abandon()` leaves it to finish that call and end, and the next call gets a fresh thread.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from queue import SimpleQueue
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Call(Generic[T]):
    """One call on its way through the thread: `done` is settled with its result or its exception."""

    __slots__ = ("fn", "args", "done", "loop", "started", "skip")

    def __init__(self, fn: Callable[..., T], args: tuple[Any, ...], loop: asyncio.AbstractEventLoop) -> None:
        self.fn = fn
        self.args = args
        self.loop = loop
        self.done: asyncio.Future[T] = loop.create_future()
        self.started = False  # set by the thread when the call begins
        self.skip = False  # set by the caller that gave up before it began


def _settle(done: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if done.done():  # timed out or cancelled meanwhile: nobody waits for it any more
        return
    if error is None:
        done.set_result(result)
    else:
        done.set_exception(error)


class CallThread:
    """A worker thread for one phone's blocking calls (started on first use, a daemon)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._queue: SimpleQueue[Call[Any] | None] | None = None
        self._thread: threading.Thread | None = None

    def submit(self, fn: Callable[..., T], *args: Any) -> Call[T]:
        """Queue `fn(*args)`; the returned call's `done` future gets its outcome (await it from the loop
        that submitted it)."""
        call = Call(fn, args, asyncio.get_running_loop())
        if self._queue is None:
            self._start()
        assert self._queue is not None
        self._queue.put(call)
        return call

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run `fn(*args)` in the thread and return its result (or raise its exception). A cancellation
        while it runs does not wait for it: the caller decides (see U2Driver)."""
        call = self.submit(fn, *args)
        try:
            return await asyncio.shield(call.done)
        except asyncio.CancelledError:
            call.skip = True
            raise

    def abandon(self) -> None:
        """The thread may be stuck in a call: let it end after that call; later calls get a new thread."""
        if self._queue is not None:
            self._queue.put(None)
        self._queue = self._thread = None

    def stop(self) -> None:
        """End the thread once the calls already queued have run (or been skipped)."""
        self.abandon()

    @property
    def alive(self) -> bool:
        """Whether a thread is serving calls now."""
        return self._thread is not None and self._thread.is_alive()

    def _start(self) -> None:
        queue: SimpleQueue[Call[Any] | None] = SimpleQueue()
        self._queue = queue
        self._thread = threading.Thread(target=_serve, args=(queue,), name=self.name, daemon=True)
        self._thread.start()


def _serve(queue: SimpleQueue[Call[Any] | None]) -> None:
    while True:
        call = queue.get()
        if call is None:
            return
        if call.skip:
            continue
        call.started = True
        result, error = None, None
        try:
            result = call.fn(*call.args)
        except BaseException as exc:  # noqa: BLE001 - handed to the awaiting side, which raises it
            error = exc
        try:
            call.loop.call_soon_threadsafe(_settle, call.done, result, error)
        except RuntimeError:  # the loop has closed: nobody is waiting
            pass
        del call, result, error
