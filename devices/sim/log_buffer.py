"""A phone's log (what `logcat` reads): timestamped lines with a process id, a priority and a tag. Besides what
`log` writes, the system writes a line every half second, as a phone's log is never quiet for long (a client
following logcat reads a line at a time and notices that it should stop only when the next one comes)."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import dataclass

PRIORITIES = "VDIWEF"  # verbose, debug, info, warn, error, fatal (S, silent, filters everything out)
CAPACITY = 1024  # lines kept, the oldest dropped first (a real main buffer holds ~256 KiB, a few thousand)
CHATTER_S = 0.5  # the system writes a line this often
SYSTEM_SERVER_PID = 612
_CHATTER = (
    ("I", "WifiHAL", "Get link layer stats"),
    (
        "D",
        "BatteryService",
        "Processing new values: info={.chargerUsbOnline = true, .batteryLevel = 87, "
        ".batteryTemperatureTenthsCelsius = 281}",
    ),
    ("D", "ConnectivityService", "NetworkAgentInfo [WIFI () - 100] validation passed"),
    ("V", "AlarmManager", "Triggering alarm #0: 3 ELAPSED_WAKEUP when=+59s0ms com.android.systemui"),
)


@dataclass(frozen=True, slots=True)
class LogLine:
    """One log entry."""

    seq: int
    wall_time: float
    pid: int
    tid: int
    priority: str
    tag: str
    message: str


class LogBuffer:
    """The main log buffer: written by `log` and the system, cleared by `logcat -c`, followed by `logcat`.
    The system's lines are added when someone looks (catch_up), with the times they were due."""

    def __init__(self) -> None:
        self.lines: deque[LogLine] = deque(maxlen=CAPACITY)
        self._seq = 0
        self._chatter_at = time.time()
        self._appended = asyncio.Event()

    def _append(self, wall_time: float, pid: int, priority: str, tag: str, message: str) -> None:
        self._seq += 1
        self.lines.append(LogLine(self._seq, wall_time, pid, pid, priority, tag, message))

    def _appended_now(self) -> None:
        self._appended.set()
        self._appended = asyncio.Event()

    def catch_up(self) -> None:
        """Add the system's lines due by now."""
        due = int((time.time() - self._chatter_at) / CHATTER_S)
        if due <= 0:
            return
        for step in range(max(0, due - CAPACITY), due):
            priority, tag, message = _CHATTER[(self._seq + step) % len(_CHATTER)]
            self._append(self._chatter_at + (step + 1) * CHATTER_S, SYSTEM_SERVER_PID, priority, tag, message)
        self._chatter_at += due * CHATTER_S
        self._appended_now()

    def next_line_in(self) -> float:
        """Seconds until the system's next line is due."""
        return max(0.0, self._chatter_at + CHATTER_S - time.time())

    def write(self, pid: int, priority: str, tag: str, message: str) -> None:
        """Append a line now (one per line of a multi-line message, as liblog does)."""
        self.catch_up()
        for text in message.split("\n"):
            self._append(time.time(), pid, priority, tag, text)
        self._appended_now()

    def clear(self) -> None:
        """Drop every line."""
        self.catch_up()
        self.lines.clear()

    def after(self, seq: int) -> list[LogLine]:
        """The lines appended after line number `seq` (the system's due ones included)."""
        self.catch_up()
        return [line for line in self.lines if line.seq > seq]

    async def wait_appended(self) -> None:
        """Until the next line is appended."""
        await self._appended.wait()
