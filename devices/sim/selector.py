"""uiautomator UiSelector matching over a Snapshot: the masked fields, instance, index, child and sibling chains."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from devices.sim.hierarchy import Snapshot

Test = Callable[[Snapshot, int], bool]


@lru_cache(maxsize=512)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.DOTALL)


def _text_tests(key: str, value: Any, attr: str) -> Test:
    value = str(value)
    if key.endswith("Contains"):
        return lambda s, i: value in getattr(s.nodes[i], attr)
    if key.endswith("Matches"):
        regex = _regex(value)
        return lambda s, i: regex.fullmatch(getattr(s.nodes[i], attr)) is not None
    if key.endswith("StartsWith"):
        return lambda s, i: getattr(s.nodes[i], attr).startswith(value)
    return lambda s, i: getattr(s.nodes[i], attr) == value


def _flag_test(attr: str, value: Any) -> Test:
    wanted = bool(value)
    return lambda s, i: getattr(s.nodes[i], attr) == wanted


_FLAGS = {
    "checkable": "checkable",
    "checked": "checked",
    "clickable": "clickable",
    "longClickable": "long_clickable",
    "scrollable": "scrollable",
    "enabled": "enabled",
    "focusable": "focusable",
    "focused": "focused",
    "selected": "selected",
}
_TEXTS = {
    "text": "text",
    "textContains": "text",
    "textMatches": "text",
    "textStartsWith": "text",
    "description": "desc",
    "descriptionContains": "desc",
    "descriptionMatches": "desc",
    "descriptionStartsWith": "desc",
    "className": "cls",
    "classNameMatches": "cls",
    "resourceId": "rid",
    "resourceIdMatches": "rid",
}


def _tests(selector: dict[str, Any]) -> list[Test]:
    tests: list[Test] = []
    for key, value in selector.items():
        if key in _TEXTS:
            tests.append(_text_tests(key, value, _TEXTS[key]))
        elif key in _FLAGS:
            tests.append(_flag_test(_FLAGS[key], value))
        elif key == "packageName":
            tests.append(lambda s, i, v=str(value): s.packages[i] == v)
        elif key == "packageNameMatches":
            tests.append(lambda s, i, r=_regex(str(value)): r.fullmatch(s.packages[i]) is not None)  # noqa: B008
        elif key == "index":
            tests.append(lambda s, i, v=int(value): s.indexes[i] == v)
    return tests


def _filter(snapshot: Snapshot, candidates: list[int], selector: dict[str, Any]) -> list[int]:
    tests = _tests(selector)
    found = [i for i in candidates if all(test(snapshot, i) for test in tests)]
    if "instance" in selector:
        wanted = int(selector["instance"])
        return found[wanted : wanted + 1]
    return found


def find(snapshot: Snapshot, selector: dict[str, Any]) -> list[int]:
    """Positions of the nodes a selector designates, in document order."""
    matches = _filter(snapshot, list(range(len(snapshot.nodes))), selector)
    relations = selector.get("childOrSibling") or []
    subselectors = selector.get("childOrSiblingSelector") or []
    for relation, subselector in zip(relations, subselectors, strict=False):
        candidates: set[int] = set()
        for position in matches:
            if relation == "child":
                candidates.update(snapshot.descendants(position))
            else:
                parent = snapshot.parents[position]
                scope = snapshot.descendants(parent) if parent >= 0 else range(len(snapshot.nodes))
                candidates.update(p for p in scope if p != position)
        matches = _filter(snapshot, sorted(candidates), subselector)
    return matches


def describe(selector: dict[str, Any]) -> str:
    """The selector as uiautomator prints it in errors, e.g. UiSelector[TEXT=Follow]."""
    fields = [
        f"{k.upper()}={v}" for k, v in selector.items() if k not in ("mask", "childOrSibling", "childOrSiblingSelector")
    ]
    return "UiSelector[" + ", ".join(fields) + "]"
