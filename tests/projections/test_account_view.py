"""The account registry view, driven through the account handlers."""

from __future__ import annotations

import pytest

from service.domain.account import AccountNotFound
from service.handlers.accounts import AccountHandlers


async def accounts(store) -> list[tuple]:
    return await store.fetchall("SELECT key, username, serial, package FROM accounts ORDER BY key")


async def test_a_registered_account_is_listed_under_its_compared_name(open_store):
    async with open_store() as store:
        await AccountHandlers(store).register("@Alice", "phone-1")
        assert await accounts(store) == [("alice", "@Alice", "phone-1", "com.zhiliaoapp.musically")]


async def test_registering_an_account_again_moves_it(open_store):
    async with open_store() as store:
        handlers = AccountHandlers(store)
        await handlers.register("@Alice", "phone-1")
        await handlers.register("alice", "phone-2", "com.ss.android.ugc.trill")
        assert await accounts(store) == [("alice", "alice", "phone-2", "com.ss.android.ugc.trill")]
        assert [r.type for r in await store.read_stream("account-alice")] == [
            "account-registered",
            "account-registered",
        ]


async def test_registering_an_account_exactly_as_it_is_records_nothing(open_store):
    async with open_store() as store:
        handlers = AccountHandlers(store)
        await handlers.register("@Alice", "phone-1")
        state = await handlers.register("@Alice", "phone-1")
        assert (state.version, state.serial) == (1, "phone-1")
        assert store.position == 1


async def test_a_removed_account_leaves_the_registry(open_store):
    async with open_store() as store:
        handlers = AccountHandlers(store)
        await handlers.register("@Alice", "phone-1")
        await handlers.register("bob", "phone-1")
        await handlers.remove("ALICE")
        assert await accounts(store) == [("bob", "bob", "phone-1", "com.zhiliaoapp.musically")]
        with pytest.raises(AccountNotFound, match="account alice not found"):
            await handlers.remove("@alice")


async def test_replacing_a_phones_accounts_registers_moves_and_removes_in_one_commit(open_store):
    async with open_store() as store:
        handlers = AccountHandlers(store)
        await handlers.register("alice", "phone-1")
        await handlers.register("bob", "phone-1")
        await handlers.register("carol", "phone-2")
        commits = store.stats.commits
        await handlers.replace_on_device("phone-1", ["bob", "Carol", "dave"])
        assert store.stats.commits == commits + 1
        assert await accounts(store) == [
            ("bob", "bob", "phone-1", "com.zhiliaoapp.musically"),
            ("carol", "Carol", "phone-1", "com.zhiliaoapp.musically"),
            ("dave", "dave", "phone-1", "com.zhiliaoapp.musically"),
        ]
