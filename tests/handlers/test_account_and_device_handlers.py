"""Account and device commands against the in-memory store."""

from __future__ import annotations

import pytest

from service.domain.account import AccountNotFound
from service.events import AccountRegistered, AccountRemoved, DeviceActorRestarted, DeviceConnected, DeviceDisconnected
from service.handlers.accounts import AccountHandlers
from service.handlers.devices import DeviceHandlers
from service.handlers.runner import MAX_CONFLICT_RETRIES, Contention
from service.store.records import ConcurrencyError


async def test_registering_an_account_again_on_another_phone_moves_it(store):
    accounts = AccountHandlers(store)
    await accounts.register("@Alice", "P1")
    moved = await accounts.register("alice", "P2")
    assert (moved.username, moved.serial) == ("alice", "P2")
    assert [type(e) for e in store.events_of("account-alice")] == [AccountRegistered, AccountRegistered]
    await accounts.register("alice", "P2")  # already so: nothing recorded
    assert len(store.events_of("account-alice")) == 2


async def test_forgetting_an_unknown_account_is_not_found(store):
    with pytest.raises(AccountNotFound):
        await AccountHandlers(store).remove("nobody")


async def test_a_phones_accounts_become_exactly_those_signed_in(store):
    accounts = AccountHandlers(store)
    await accounts.register("a", "P1")
    await accounts.register("b", "P1")
    await accounts.register("c", "P2")
    await accounts.replace_on_device("P1", ["b", "d"])
    assert [(row.username, row.serial) for row in await store.views.accounts()] == [
        ("b", "P1"),
        ("c", "P2"),
        ("d", "P1"),
    ]
    assert isinstance(store.events_of("account-a")[-1], AccountRemoved)
    assert len(store.appends[-1]) == 2  # a removed and d registered, in one append


async def test_an_account_command_that_keeps_conflicting_is_contention_not_a_crash(store):
    store.fail_next_appends(MAX_CONFLICT_RETRIES, ConcurrencyError([("account-alice", 0, 1)]))
    with pytest.raises(Contention):
        await AccountHandlers(store).register("alice", "P1")


async def test_a_phone_is_recorded_only_when_what_adb_says_changes(store):
    devices = DeviceHandlers(store)
    assert [type(e) for e in await devices.observed("P1", "device", "Pixel 7")] == [DeviceConnected]
    assert await devices.observed("P1", "device", "Pixel 7") == []
    assert [type(e) for e in await devices.gone("P1", "unplugged")] == [DeviceDisconnected]
    assert await devices.gone("P1", "unplugged") == []
    await devices.actor_restarted("P1", "RuntimeError: " + "x" * 1000)
    restarted = store.events_of("device-P1")[-1]
    assert isinstance(restarted, DeviceActorRestarted) and len(restarted.reason) == 500


async def test_a_device_command_that_keeps_conflicting_is_contention_not_a_crash(store):
    store.fail_next_appends(MAX_CONFLICT_RETRIES, ConcurrencyError([("device-P1", 0, 1)]))
    with pytest.raises(Contention):
        await DeviceHandlers(store).observed("P1", "device")
