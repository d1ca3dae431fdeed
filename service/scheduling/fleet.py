"""The phones as the scheduler sees them, folded from the log: adb's state, the agent incarnation
that owns each one, which agents are alive, what each phone runs or was given, which are paused."""

from __future__ import annotations

from dataclasses import dataclass, field

from projections.agent_view import AgentRow
from projections.device_view import DeviceRow
from service.events import agent_name_of, serial_of
from service.store.records import RecordedEvent


@dataclass
class Fleet:
    """Who can take a task now."""

    online: set[str] = field(default_factory=set)  # adb says `device`
    owners: dict[str, tuple[str, str]] = field(default_factory=dict)  # serial -> (agent, incarnation), not lost
    alive: dict[str, str] = field(default_factory=dict)  # agent name -> its live incarnation
    paused: set[str] = field(default_factory=set)
    running: dict[str, int] = field(default_factory=dict)  # serial -> task id started there
    dispatched: dict[int, str] = field(default_factory=dict)  # task id -> serial, given but not started

    def load(self, devices: list[DeviceRow], agents: list[AgentRow], dispatched: dict[int, str]) -> None:
        """The state at start, from the views."""
        self.online = {d.serial for d in devices if d.online}
        self.owners = {d.serial: (d.agent, d.incarnation) for d in devices if d.agent and not d.agent_lost}
        self.alive = {a.name: a.incarnation for a in agents if a.state == "alive"}
        self.paused = {d.serial for d in devices if d.paused}
        self.running = {d.serial: d.current_task_id for d in devices if d.current_task_id}
        self.dispatched = dict(dispatched)

    def owner(self, serial: str) -> tuple[str, str] | None:
        """The live incarnation that owns the phone, if any."""
        owner = self.owners.get(serial)
        return owner if owner is not None and self.alive.get(owner[0]) == owner[1] else None

    def busy(self, serial: str) -> bool:
        """The phone runs a task, or was given one that has not started."""
        return serial in self.running or serial in self.dispatched.values()

    def can_take(self, serial: str) -> tuple[str, str] | None:
        """The owner to give the phone's next task to, if the phone may take one now."""
        if serial not in self.online or serial in self.paused or self.busy(serial):
            return None
        return self.owner(serial)

    @property
    def in_use(self) -> int:
        """Phones running or given a task: what device_limit counts, across every agent."""
        return len(self.running) + len(set(self.dispatched.values()) - set(self.running))

    def feed(self, recorded: RecordedEvent) -> None:
        """Fold one device or agent event (task events are the scheduler's)."""
        kind, event = recorded.type, recorded.event
        if (serial := serial_of(recorded.stream_id)) is not None:
            if kind in ("device-connected", "device-state-changed"):
                (self.online.add if event.state == "device" else self.online.discard)(serial)
            elif kind == "device-disconnected":
                self.online.discard(serial)
            elif kind == "device-claimed":
                self.owners[serial] = (event.agent, event.incarnation)
            elif kind in ("device-released", "device-agent-lost"):
                self.owners.pop(serial, None)
            elif kind == "device-paused":
                self.paused.add(serial)
            elif kind == "device-resumed":
                self.paused.discard(serial)
        elif (name := agent_name_of(recorded.stream_id)) is not None:
            if kind == "agent-started":
                self.alive[name] = event.incarnation
            elif kind in ("agent-stopped", "agent-lost") and self.alive.get(name) == event.incarnation:
                del self.alive[name]
