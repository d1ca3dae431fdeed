"""Reading a JSON object field by field, and reporting its first problem in body order.

Every known key is checked in the order the client sent it; `null` counts as absent and
unknown keys are skipped. A rule that involves several fields (min ≤ max, "required when")
is reported at the position of the last of them present in the body, and at the end when
one of them is missing. The problem with the lowest position wins; at equal positions, a
field's own problem wins over a rule. A repeated key keeps its last value at the position
of its first occurrence (that is how the decoded dict orders it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from service.errors import ApiError, invalid
from service.requests.values import Check, show


class Reading:
    """The valid values of one object, where each key sat, and the problems found so far."""

    __slots__ = ("values", "positions", "size", "problems", "sent_as")

    def __init__(self, size: int) -> None:
        self.values: dict[str, Any] = {}
        self.positions: dict[str, int] = {}
        self.size = size
        self.problems: list[tuple[int, str]] = []
        self.sent_as: dict[str, str] = {}  # canonical key -> the alias the client used

    def at(self, *keys: str) -> int:
        """Where a rule about these keys is reported: the last present one, or the end."""
        return max(self.positions.get(key, self.size) for key in keys)

    def fail(self, position: int, message: str) -> None:
        """Record a problem at a position."""
        self.problems.append((position, message))

    def recheck(self, key: str, check: Callable[[Any], Any]) -> None:
        """Run a further check on a valid field; a problem is reported at that field."""
        if key not in self.values:
            return
        try:
            self.values[key] = check(self.values[key])
        except ApiError as error:
            del self.values[key]
            self.fail(self.positions[key], error.message)

    def raise_first(self) -> None:
        """Raise the problem that comes first in body order, if any."""
        if self.problems:
            raise invalid(min(self.problems, key=lambda problem: problem[0])[1])


def read_object(
    path: str,
    raw: Any,
    checks: Mapping[str, Check],
    aliases: Mapping[str, str] | None = None,
) -> Reading:
    """Check each known, non-null key of `raw` in body order; `path` prefixes field names.

    `aliases` maps an alias key to its canonical key; when both are given the canonical
    key's value is used (both are still checked).
    """
    if not isinstance(raw, dict):
        raise invalid(f"{path} must be an object, got {show(raw)}")
    prefix = f"{path}." if path else ""
    reading = Reading(len(raw))
    for position, (key, value) in enumerate(raw.items()):
        check = checks.get(key)
        if check is None or value is None:
            continue
        reading.positions[key] = position
        try:
            reading.values[key] = check(prefix + key, value)
        except ApiError as error:
            reading.fail(position, error.message)
    for alias, canonical in (aliases or {}).items():
        if alias in reading.positions and canonical not in reading.positions:
            reading.positions[canonical] = reading.positions[alias]
            reading.sent_as[canonical] = alias
            if alias in reading.values:
                reading.values[canonical] = reading.values[alias]
        reading.values.pop(alias, None)
        reading.positions.pop(alias, None)
    return reading
