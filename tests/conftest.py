"""The suite's two tiers: `make check` runs every test not marked `slow`; `make test` runs all.

Whole folders are slow by what they do: real server processes (e2e), long reliability runs,
and the virtual farm driven through adbutils and uiautomator2 (devices, sim).
"""

from __future__ import annotations

from pathlib import Path

import pytest

SLOW_FOLDERS = frozenset({"e2e", "reliability", "devices", "sim", "board"})
TESTS = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        relative = Path(item.path).relative_to(TESTS)
        if relative.parts[0] in SLOW_FOLDERS:
            item.add_marker(pytest.mark.slow)
