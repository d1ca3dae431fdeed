"""`--shard i/N`: an agent takes the phones whose serial hashes to i among N (stable across runs
and machines, so N agents on one adb server split its phones without talking)."""

from __future__ import annotations

import zlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Shard:
    """The i-th of N shares."""

    index: int
    count: int

    def __str__(self) -> str:
        """`i/N`, or "" for every phone (how the log and GET /agent show it)."""
        return "" if self.count == 1 else f"{self.index}/{self.count}"

    def takes(self, serial: str) -> bool:
        """Whether the serial is in this share."""
        return zlib.crc32(serial.encode()) % self.count == self.index


EVERY_PHONE = Shard(0, 1)


def parse_shard(text: str) -> Shard:
    """`i/N` with 0 ≤ i < N (ValueError otherwise)."""
    try:
        index, count = (int(part) for part in text.split("/"))
    except ValueError:
        raise ValueError(f"--shard {text!r}: give i/N, e.g. 0/2") from None
    if not (count >= 1 and 0 <= index < count):
        raise ValueError(f"--shard {text!r}: i must be 0 to N-1")
    return Shard(index, count)
