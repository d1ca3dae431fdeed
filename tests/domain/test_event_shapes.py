"""Stored events keep decoding as the code grows: rows written by earlier versions, without the
fields added since, decode with those fields' defaults; the tags are the stored `type` values."""

from __future__ import annotations

import msgspec
import pytest

from service.events import (
    AccountRegistered,
    StepCompleted,
    TaskCreated,
    TaskFailed,
    TaskRetried,
    TaskStarted,
    decode_event,
    encode_event,
    event_type,
)

# As the first releases wrote them: before `source`/`start_time`, `app` (a task without it is TikTok's), `steps`,
# `due_at`, `package`, a step's `actions` and `accounts`.
OLD_ROWS = [
    (
        b'{"type":"created","serial":"P1","username":null,"script_name":"post","script_config":{"a":1}}',
        TaskCreated(
            serial="P1", script_name="post", script_config={"a": 1}, source="api", start_time=None, app="tiktok"
        ),
    ),
    (b'{"type":"started","attempt":1,"serial":"P1","seed":42}', TaskStarted(attempt=1, serial="P1", seed=42, steps=0)),
    (b'{"type":"retried","attempt":2}', TaskRetried(attempt=2, automatic=False, due_at=None)),
    (b'{"type":"failed","attempt":1,"reason":"boom"}', TaskFailed(attempt=1, step=None, reason="boom", artifacts=[])),
    (
        b'{"type":"step-completed","attempt":1,"index":2,"name":"follow","detail":"followed @x","duration_ms":9}',
        StepCompleted(attempt=1, index=2, name="follow", detail="followed @x", duration_ms=9, actions=[], accounts=[]),
    ),
    (
        b'{"type":"account-registered","username":"Bob","serial":"P1"}',
        AccountRegistered(username="Bob", serial="P1", package="com.zhiliaoapp.musically"),
    ),
]


@pytest.mark.parametrize(("stored", "event"), OLD_ROWS, ids=[row[1].__class__.__name__ for row in OLD_ROWS])
def test_a_row_written_before_later_fields_decodes_with_their_defaults(stored, event):
    assert decode_event(stored) == event


def test_every_tag_is_the_stored_type_and_round_trips():
    for _, event in OLD_ROWS:
        stored = encode_event(event)
        assert msgspec.json.decode(stored)["type"] == event_type(event)
        assert decode_event(stored) == event


def test_an_unknown_type_is_refused_not_guessed():
    with pytest.raises(msgspec.ValidationError):
        decode_event(b'{"type":"task-created","serial":"P1"}')
