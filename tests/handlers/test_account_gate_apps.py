"""The scheduler's account gate: a device-mode task acts for its phone's accounts of its own app only, so a rest
of the phone's TikTok account holds no Instagram task (and the other way round)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from service.account_gate import AccountGate
from service.events import AccountRegistered, AccountRestricted, encode_event
from service.store.records import RecordedEvent

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def recorded(position: int, stream: str, event) -> RecordedEvent:
    return RecordedEvent(
        position, stream, 1, type(event).__struct_config__.tag, encode_event(event), NOW.isoformat(), event
    )


def gate_with_two_apps() -> AccountGate:
    gate = AccountGate(UTC)
    gate.feed(
        recorded(
            1, "account-tt_anna", AccountRegistered(username="tt_anna", serial="A", package="com.zhiliaoapp.musically")
        )
    )
    gate.feed(
        recorded(
            2, "account-ig_anna", AccountRegistered(username="ig_anna", serial="A", package="com.instagram.android")
        )
    )
    gate.feed(recorded(3, "account-other", AccountRegistered(username="other", serial="A", package="com.example.app")))
    return gate


def test_a_device_mode_task_acts_for_its_apps_accounts_on_the_phone():
    gate = gate_with_two_apps()
    gate.track(1, "follow", None, "instagram")
    gate.track(2, "follow", None, "tiktok")
    gate.track(3, "follow", "tt_anna", "tiktok")
    assert gate.accounts_of(1, "A") == ["ig_anna", "other"]  # an app droidledger does not drive counts for any
    assert gate.accounts_of(2, "A") == ["other", "tt_anna"]
    assert gate.accounts_of(3, "A") == ["tt_anna"]


def test_a_rest_of_the_tiktok_account_holds_no_instagram_task():
    gate = gate_with_two_apps()
    until = (NOW + timedelta(hours=1)).isoformat()
    gate.feed(
        recorded(
            4,
            "account-tt_anna",
            AccountRestricted(reason="rate limited by TikTok", at=NOW.isoformat(), until=until, strike=1, task_id=9),
        )
    )
    gate.track(1, "follow", None, "instagram")
    gate.track(2, "follow", None, "tiktok")
    assert gate.hold_for(1, "A", NOW) is None
    hold = gate.hold_for(2, "A", NOW)
    assert hold is not None and hold.kind == "restricted" and "tt_anna" in hold.reason
