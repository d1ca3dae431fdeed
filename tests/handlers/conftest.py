"""What every handler test starts from: the in-memory store, and the task commands over it."""

from __future__ import annotations

import pytest

from service.handlers.tasks import TaskHandlers
from tests.support.fake_store import FakeEventStore


@pytest.fixture
def store() -> FakeEventStore:
    return FakeEventStore()


@pytest.fixture
def tasks(store: FakeEventStore) -> TaskHandlers:
    return TaskHandlers(store)
