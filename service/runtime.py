"""What a running server holds: settings, the store, the handlers, the caches, the phones."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any

from service.api.cache import PollCache
from service.api.log_feed import LogFeed
from service.clock import Clock, SystemClock, system_zone
from service.handlers.accounts import AccountHandlers
from service.handlers.devices import DeviceHandlers
from service.handlers.safety import SafetyHandlers
from service.handlers.tasks import TaskHandlers
from service.idempotency import IdempotencyKeys
from service.requests.files import FilePolicy
from service.screens import Screens
from service.settings import Settings
from service.store.interface import EventStore


@dataclass
class Runtime:
    """Built at start-up by the app's lifespan; routes read it."""

    settings: Settings
    store: EventStore
    clock: Clock = field(default_factory=SystemClock)
    farm: Any = None  # devices.sim.farm.VirtualFarm when `serve --sim N`
    scheduler: Any = None  # service.scheduling.scheduler.Scheduler, once phones run tasks
    agent: Any = None  # devices.agent.agent.Agent, the agent in this process (none with --agents N or --no-agent)
    agent_processes: Any = None  # service.agent_processes.AgentProcesses with --agents N
    crashed: bool = False  # a part died for good: the server stops and exits 1

    def __post_init__(self) -> None:
        self.tasks = TaskHandlers(self.store)
        self.accounts = AccountHandlers(self.store)
        self.devices = DeviceHandlers(self.store)
        self.safety = SafetyHandlers(self.store)
        self._zone = self.settings.tz or system_zone()
        self.cache = PollCache(lambda: self.store.position)
        self.feed = LogFeed(self.store)  # the event stream's and the long-poll's
        self.response_codes: Counter[int] = Counter()  # responses by envelope code, for /metrics
        self.idempotency = IdempotencyKeys(self.store, self.clock)
        self.screens = Screens(self.store, lambda: self.agent)
        self.files = FilePolicy(
            data_dir=self.settings.data_dir.resolve(),
            material_roots=tuple(p.resolve() for p in self.settings.material_roots),
            restricted=not self.settings.loopback_only,
        )

    @property
    def tz(self) -> tzinfo:
        """`--tz`, else the system's zone."""
        return self._zone
