"""The shared farm of the sim tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from running_farm import RunningFarm, running_farm


@pytest.fixture(scope="session")
def farm() -> Iterator[RunningFarm]:
    """The shared farm: 10 phones with 2 accounts each, in-app waits 20x faster, no faults."""
    with running_farm(devices=10, accounts_per_device=2, time_scale=0.05, seed=0) as running:
        yield running
