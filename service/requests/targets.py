"""Targets of follow, unfollow and comment: a list, or one string split on newlines or commas.

The list (`target_users`, `target_post_urls`) wins over the string when it has at least one
entry. Each target is trimmed and kept otherwise as given (a leading `@` stays); empty
pieces of a split string are skipped; duplicates are kept (each is a task).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from service.errors import ApiError, invalid
from service.requests.fields import Reading
from service.requests.values import array, name, text

MAX_TARGETS = 10_000
_SEPARATORS = re.compile(r"[\r\n,]+")

user = name(256, at_sign=True)
users = array(user, MAX_TARGETS)


def split(path: str, value: object) -> list[str]:
    """A string of targets separated by newlines or commas, as a list of trimmed pieces."""
    pieces = [piece.strip() for piece in _SEPARATORS.split(text(path, value))]
    found = [piece for piece in pieces if piece]
    if len(found) > MAX_TARGETS:
        raise invalid(f"{path} has {len(found):,} targets; at most {MAX_TARGETS:,} are allowed")
    return found


def choose(
    reading: Reading,
    path: str,
    plural: str,
    singular: str,
    each: Callable[[str, str], str],
) -> tuple[str, ...]:
    """The targets of a config: `plural` if it has any, else `singular` split.

    `each(field_path, target)` checks one target and returns it; a problem is reported at
    the field it came from. No target at all is reported at the later of the two fields.
    """
    values = reading.values
    if values.get(plural):
        key, found = plural, values[plural]
        paths = [f"{path}.{plural}[{index}]" for index in range(len(found))]
    else:
        key, found = singular, values.get(singular, [])
        paths = [f"{path}.{reading.sent_as.get(singular, singular)}" for _ in found]
    try:
        checked = tuple(each(at, target) for at, target in zip(paths, found, strict=False))
    except ApiError as error:
        reading.fail(reading.positions[key], error.message)
        return ()
    if not checked:
        reading.fail(
            reading.at(plural, singular),
            f"{path} needs at least one target: {plural} or {singular}",
        )
    return checked
