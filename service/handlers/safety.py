"""Account safety commands: an account's own limits, the default limits, lifting a rest, and
what a run records when the platform warns an account (the task fails and the account rests,
in one transaction)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from service.domain.account import AccountState, decide_clear, decide_restrict, decide_set_limits
from service.domain.default_limits import DefaultLimitsState, decide_set_defaults
from service.domain.default_limits import fold as fold_defaults
from service.domain.limits import Limits, effective
from service.domain.task import FailTask, TaskState, decide, evolve
from service.events import LIMITS_STREAM, AccountEvent, account_stream, task_stream
from service.handlers.accounts import AccountHandlers
from service.handlers.runner import Decision, run_command
from service.handlers.tasks import TaskHandlers
from service.store.interface import EventStore
from service.store.records import Fence, StreamAppend


class SafetyHandlers:
    """Limits and restrictions, from the API, the server's start and the task runs."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.accounts = AccountHandlers(store)
        self.tasks = TaskHandlers(store)

    async def load_defaults(self) -> DefaultLimitsState:
        """Fold the default limits' stream."""
        return fold_defaults([r.event for r in await self.store.read_stream(LIMITS_STREAM)])

    async def _on_account(self, key: str, decide_events: Callable[[AccountState], list[AccountEvent]]) -> None:
        async def decide_now(_: int) -> Decision:
            state = await self.accounts.load(key)
            events = decide_events(state)
            return Decision([StreamAppend(account_stream(key), state.version, events)] if events else [])

        await run_command(self.store, decide_now, f"account {key}")

    async def set_account_limits(self, key: str, limits: Limits) -> None:
        """Replace an account's own limits (AccountNotFound if it is not registered)."""
        await self._on_account(key, lambda state: decide_set_limits(state, limits))

    async def set_default_limits(self, limits: Limits, source: str) -> bool:
        """Replace the default limits (from "api" or "file"); whether anything was recorded."""

        async def decide_now(_: int) -> Decision:
            state = await self.load_defaults()
            events = decide_set_defaults(state, limits, source)
            return Decision([StreamAppend(LIMITS_STREAM, state.version, events)] if events else [])

        return bool(await run_command(self.store, decide_now, "the default limits"))

    async def clear_restriction(self, key: str, now: datetime) -> None:
        """Lift an account's rest (AccountNotFound if it is not registered; nothing if it rests no more)."""
        await self._on_account(key, lambda state: decide_clear(state, now))

    async def fail_warned(
        self,
        task_id: int,
        state: TaskState,
        failure: FailTask,
        keys: Sequence[str],
        now: datetime,
        fence: Fence | None = None,
    ) -> TaskState:
        """The platform warned the run's accounts: the task fails with the warning and each account
        rests (longer for each repeat), atomically. The task's state after."""
        after: list[TaskState] = []

        async def decide_now(attempt: int) -> Decision:
            known = state if attempt == 0 else await self.tasks.load(task_id)
            failed = decide(known, failure)
            after[:] = [evolve(known, failed[0])]
            appends = [StreamAppend(task_stream(task_id), known.version, failed)]
            defaults = (await self.load_defaults()).limits
            for key in keys:
                account: AccountState = await self.accounts.load(key)
                cooldowns = effective(account.limits, defaults, UTC).cooldown_hours
                restricted = decide_restrict(account, failure.reason, now, cooldowns, task_id)
                appends.append(StreamAppend(account_stream(key), account.version, restricted))
            return Decision(appends, (), fence)

        await run_command(self.store, decide_now, f"task {task_id} and its accounts")
        return after[0]
