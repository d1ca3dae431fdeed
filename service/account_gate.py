"""What the scheduler knows of account safety, kept in memory from the log as its queues are:
the limits, what each account did per quarter hour, the rests, which accounts live on which
phone, and each pending task's script and account. `hold_for` asks the pure domain
(service/domain/admission.py) whether a task may start now; `feed` says whose standing an
event may have eased (their held tasks are looked at again).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime, tzinfo

from projections.actions_view import BUCKET_S, bucket_of
from projections.queries import PendingTask
from service.domain.account import account_key
from service.domain.admission import Hold, Restriction, Standing, hold_for, standing
from service.domain.apps import TIKTOK, app_of_package
from service.domain.limits import Limits, effective, limits_from
from service.events import LIMITS_STREAM
from service.standings import DAY_SPAN
from service.store.interface import EventStore
from service.store.records import RecordedEvent

EVERY_ACCOUNT = "*"  # in what `feed` returns: the defaults or the registry changed
_ACCOUNT = "account-"


class AccountGate:
    """May this task start now for its accounts? Answered from memory, at dispatch."""

    def __init__(self, server_zone: tzinfo) -> None:
        self.zone = server_zone
        self.defaults: Limits | None = None
        self.own: dict[str, Limits] = {}
        self.rests: dict[str, Restriction] = {}
        self.done: dict[str, Counter] = defaultdict(Counter)  # key -> (action, bucket) -> n
        self.names: dict[str, str] = {}  # key -> username as given
        self.on_phone: dict[str, set[str]] = defaultdict(set)  # serial -> keys
        self.app_of: dict[str, str | None] = {}  # key -> the app the account lives in (None: a package not driven)
        self.tasks: dict[int, tuple[str, str | None, str]] = {}  # pending task -> (script, username, app)
        self._memo: tuple[datetime | None, dict[str, Standing]] = (None, {})
        self._pruned_at = 0  # the bucket counts were last pruned at (unix time)

    async def load(self, store: EventStore, pending: Iterable[PendingTask], now: datetime) -> None:
        """What the views hold now (the scheduler then follows the log from their position)."""
        views = store.views
        self.defaults = await views.default_limits()
        self.own = await views.account_limits()
        self.rests = {
            key: Restriction(rest.reason, datetime.fromisoformat(rest.until))
            for key, rest in (await views.restrictions()).items()
        }
        for row in await views.accounts():
            self._register(row.key, row.username, row.serial, row.package)
        for count in await views.action_counts(None, bucket_of(now - DAY_SPAN), bucket_of(now + DAY_SPAN) + BUCKET_S):
            self.done[count.key][(count.action, count.bucket)] += count.n
        for task in pending:
            self.track(task.task_id, task.script_name, task.username, task.app)

    def track(self, task_id: int, script_name: str, username: str | None, app: str = TIKTOK) -> None:
        """A task is pending."""
        self.tasks[task_id] = (script_name, username, app)

    def forget(self, task_id: int) -> None:
        """The task is no longer pending."""
        self.tasks.pop(task_id, None)

    def feed(self, recorded: RecordedEvent) -> set[str]:
        """Learn from one event; the accounts (EVERY_ACCOUNT: all) whose held tasks to look at again."""
        kind, stream = recorded.type, recorded.stream_id
        if kind == "step-completed":
            event = recorded.event
            if event.actions and event.accounts:
                bucket = bucket_of(datetime.fromisoformat(recorded.recorded_at))
                for key in event.accounts:
                    for action in event.actions:
                        self.done[key][(action, bucket)] += 1
                self._memo = (None, {})
                if bucket - self._pruned_at >= 3600:
                    self._prune(bucket)
            return set()  # counts only grow: they free nobody
        if kind == "default-limits-set" and stream == LIMITS_STREAM:
            event = recorded.event
            self.defaults = limits_from(event.daily, event.working_hours, event.timezone, event.cooldown_hours)
            return self._changed(EVERY_ACCOUNT)
        if not stream.startswith(_ACCOUNT):
            return set()
        key, event = stream[len(_ACCOUNT) :], recorded.event
        match kind:
            case "account-registered":
                self._unregister(key)
                self._register(key, event.username, event.serial, event.package)
                return self._changed(EVERY_ACCOUNT)  # device-mode tasks of both phones act for others now
            case "account-removed":
                self._unregister(key)
                return self._changed(EVERY_ACCOUNT)
            case "limits-set":
                self.own[key] = limits_from(event.daily, event.working_hours, event.timezone, event.cooldown_hours)
            case "account-restricted":
                self.rests[key] = Restriction(event.reason, datetime.fromisoformat(event.until))
            case "restriction-cleared":
                self.rests.pop(key, None)
            case _:
                return set()
        return self._changed(key)

    def _changed(self, key: str) -> set[str]:
        self._memo = (None, {})
        return {key}

    def _register(self, key: str, username: str, serial: str, package: str) -> None:
        self.names[key] = username
        self.on_phone[serial].add(key)
        self.app_of[key] = app_of_package(package)

    def _unregister(self, key: str) -> None:
        self.names.pop(key, None)
        self.app_of.pop(key, None)
        for keys in self.on_phone.values():
            keys.discard(key)

    def accounts_of(self, task_id: int, serial: str) -> list[str]:
        """The keys of the accounts a task acts for: its own, or its phone's in the task's app (device mode)."""
        _, username, app = self.tasks.get(task_id, ("", None, TIKTOK))
        if username:
            return [account_key(username)]
        return sorted(key for key in self.on_phone.get(serial, ()) if self.app_of.get(key) in (app, None))

    def hold_for(self, task_id: int, serial: str, now: datetime) -> Hold | None:
        """Why the task may not start now for its accounts, or None."""
        script, username, _ = self.tasks.get(task_id, ("", None, TIKTOK))
        keys = self.accounts_of(task_id, serial)
        return hold_for(script, [self._standing(key, self.names.get(key, username or key), now) for key in keys], now)

    def _standing(self, key: str, username: str, now: datetime) -> Standing:
        moment, known = self._memo
        if moment != now:
            known = {}
            self._memo = (now, known)
        if key not in known:
            limits = effective(self.own.get(key), self.defaults, self.zone)
            done = ((bucket, action, n) for (action, bucket), n in self.done[key].items())
            known[key] = standing(key, username, limits, done, self.rests.get(key), now)
        return known[key]

    def _prune(self, now: int) -> None:
        """Forget counts older than any account's today (`now`: unix time)."""
        oldest = now - int(DAY_SPAN.total_seconds())
        for counts in self.done.values():
            for old in [entry for entry in counts if entry[1] < oldest]:
                del counts[old]
        self._pruned_at = now
