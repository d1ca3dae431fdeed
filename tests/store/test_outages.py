"""StoreOutage: background work waits out a store that is away, but a conflict or a fenced-off
append is an answer, not an outage, and propagates at once."""

from __future__ import annotations

import logging

import pytest

from service.store.outages import StoreOutage
from service.store.records import ConcurrencyError, FencedOff, StoreError

log = logging.getLogger("test")


def failing(*errors: Exception):
    calls = []

    async def operation():
        calls.append(1)
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]
        return "done"

    return operation, calls


async def test_a_store_away_is_waited_out_and_said_once_each_way(caplog):
    operation, calls = failing(StoreError("down"), StoreError("still down"))
    with caplog.at_level(logging.INFO, logger="test"):
        assert await StoreOutage("the job", log).retry(operation) == "done"
    assert len(calls) == 3
    assert [r.getMessage() for r in caplog.records] == [
        "the job waits for the database: down",
        "the job goes on: the database answers again",
    ]


@pytest.mark.parametrize("answer", [ConcurrencyError([("task-1", 3, 4)]), FencedOff("the phone is not yours")])
async def test_a_conflict_or_a_fence_propagates_at_once(answer):
    operation, calls = failing(answer)
    with pytest.raises(type(answer)):
        await StoreOutage("the job", log).retry(operation)
    assert len(calls) == 1


async def test_after_the_patience_the_last_error_propagates():
    operation, calls = failing(*[StoreError(f"down {n}") for n in range(10)])
    with pytest.raises(StoreError, match="down 2"):
        await StoreOutage("the job", log).retry(operation, give_up_after_s=0.25)
    assert len(calls) == 3  # waited 0.1 + 0.2 s, then gave up
