"""Fixtures of the device tests: one virtual farm per test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from phone_runs import TIME_SCALE, Farm, start_farm

from devices.driver import allow_adb_server_start


@pytest.fixture(scope="session", autouse=True)
def no_adb_server_spawned() -> None:
    """As `serve` does when it starts the phones: adbutils never spawns an adb server over the farm's port."""
    allow_adb_server_start(False)


@pytest.fixture(scope="module")
def farm() -> Iterator[Farm]:
    """Six phones with two accounts each; in-app waits 100 times faster; no faults."""
    yield from start_farm(devices=6, accounts_per_device=2, time_scale=TIME_SCALE, seed=0)
