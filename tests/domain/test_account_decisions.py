"""The account aggregate: given its events, registering or removing decides exactly these events."""

from __future__ import annotations

import pytest

from service.domain.account import (
    TIKTOK_PACKAGE,
    AccountNotFound,
    account_key,
    decide_register,
    decide_remove,
    fold,
)
from service.events import AccountRegistered, AccountRemoved

ON_PHONE_1 = AccountRegistered(username="@Alice", serial="phone-1")


def register_after(history, username, serial, package=TIKTOK_PACKAGE):
    return decide_register(fold("alice", history), username, serial, package)


def test_registering_a_new_account_records_it_on_the_phone_with_the_tiktok_package():
    assert register_after((), "@Alice", "phone-1") == [
        AccountRegistered(username="@Alice", serial="phone-1", package="com.zhiliaoapp.musically")
    ]


def test_registering_an_account_exactly_as_it_is_records_nothing():
    assert register_after((ON_PHONE_1,), "@Alice", "phone-1") == []


def test_registering_an_account_on_another_phone_moves_it():
    assert register_after((ON_PHONE_1,), "@Alice", "phone-2") == [
        AccountRegistered(username="@Alice", serial="phone-2")
    ]


def test_registering_an_account_under_another_package_records_the_package():
    assert register_after((ON_PHONE_1,), "@Alice", "phone-1", "com.ss.android.ugc.trill") == [
        AccountRegistered(username="@Alice", serial="phone-1", package="com.ss.android.ugc.trill")
    ]


def test_registering_an_account_spelled_differently_records_the_new_spelling():
    assert register_after((ON_PHONE_1,), "alice", "phone-1") == [AccountRegistered(username="alice", serial="phone-1")]


def test_registering_a_removed_account_registers_it_again():
    assert register_after((ON_PHONE_1, AccountRemoved()), "@Alice", "phone-1") == [ON_PHONE_1]


def test_removing_a_registered_account_forgets_it():
    assert decide_remove(fold("alice", (ON_PHONE_1,))) == [AccountRemoved()]


@pytest.mark.parametrize("history", [(), (ON_PHONE_1, AccountRemoved())], ids=["never-registered", "removed"])
def test_removing_an_unknown_account_is_refused(history):
    with pytest.raises(AccountNotFound, match="account alice not found"):
        decide_remove(fold("alice", history))


def test_the_folded_account_is_where_it_was_last_registered():
    state = fold("alice", (ON_PHONE_1, AccountRegistered(username="alice", serial="phone-2", package="p")))
    assert (state.version, state.registered, state.username, state.serial, state.package) == (
        2,
        True,
        "alice",
        "phone-2",
        "p",
    )


@pytest.mark.parametrize(
    "username, key",
    [
        ("alice", "alice"),
        ("@Alice", "alice"),
        ("  @ALICE ", "alice"),
        ("Straße", "strasse"),
        ("@@bob", "@bob"),
    ],
)
def test_usernames_are_compared_without_the_leading_at_and_case_insensitively(username, key):
    assert account_key(username) == key
