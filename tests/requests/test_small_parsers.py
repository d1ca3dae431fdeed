"""The small parsers: task list and events queries, task ids, batch delete, accounts."""

from __future__ import annotations

import pytest

from service.errors import ApiError
from service.requests import (
    AccountBody,
    EventsQuery,
    TaskListQuery,
    account_key,
    parse_account,
    parse_events_query,
    parse_task_batch,
    parse_task_id,
    parse_task_list_query,
)


def refusal(call, *args) -> tuple[int, str]:  # noqa: ANN001
    with pytest.raises(ApiError) as caught:
        call(*args)
    return int(caught.value.code), caught.value.message


# --- GET /task -------------------------------------------------------------------------


def test_the_task_list_defaults_to_the_first_page_of_twenty() -> None:
    assert parse_task_list_query({}) == TaskListQuery(page=1, page_size=20)
    assert parse_task_list_query({"status": "", "page": "", "other": "x"}) == TaskListQuery()


def test_the_task_list_reads_every_filter() -> None:
    params = {
        "status": "3",
        "serial": "emulator-5554",
        "script_name": "post",
        "source": "api",
        "page": "4",
        "page_size": "100",
    }
    assert parse_task_list_query(params) == TaskListQuery(
        status=3, serial="emulator-5554", script_name="post", source="api", page=4, page_size=100
    )
    assert parse_task_list_query(params).offset == 300


def test_a_far_page_is_allowed_and_its_offset_fits_in_64_bits() -> None:
    query = parse_task_list_query({"page": "9223372036854775807", "page_size": "100"})
    assert query.offset == 2**63 - 1


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"page": "-1"}, 'page must be a whole number at least 1, got "-1"'),
        ({"page": "0"}, 'page must be a whole number at least 1, got "0"'),
        ({"page": "1.0"}, 'page must be a whole number at least 1, got "1.0"'),
        ({"page": "+2"}, 'page must be a whole number at least 1, got "+2"'),
        ({"page": "١"}, 'page must be a whole number at least 1, got "١"'),
        ({"page": "9" * 30}, f'page must be a whole number at least 1, got "{"9" * 30}"'),
        ({"page_size": "101"}, 'page_size must be a whole number between 1 and 100, got "101"'),
        ({"page_size": "0"}, 'page_size must be a whole number between 1 and 100, got "0"'),
        ({"status": "4"}, 'status must be a whole number between 0 and 3, got "4"'),
        ({"status": "pending"}, 'status must be a whole number between 0 and 3, got "pending"'),
        ({"source": "cli"}, 'source must be one of ui, api, got "cli"'),
        ({"serial": "a\x00b"}, "serial must not contain NUL characters"),
        ({"script_name": "\ud800"}, "script_name must not contain unpaired surrogates"),
    ],
)
def test_bad_task_list_parameters_are_named(params: dict, message: str) -> None:
    assert refusal(parse_task_list_query, params) == (40001, message)


def test_sql_looking_filters_are_plain_text() -> None:
    assert parse_task_list_query({"serial": "' OR 1=1 --"}).serial == "' OR 1=1 --"


def test_a_repeated_parameter_given_as_a_list_counts_by_its_last_value() -> None:
    assert parse_task_list_query({"page": ["1", "3"]}).page == 3


# --- GET /events -----------------------------------------------------------------------


def test_events_default_to_the_first_hundred() -> None:
    assert parse_events_query({}) == EventsQuery(after=0, limit=100)
    assert parse_events_query({"after": "120", "limit": "1000"}) == EventsQuery(after=120, limit=1000)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"limit": "0"}, 'limit must be a whole number between 1 and 1000, got "0"'),
        ({"limit": "1001"}, 'limit must be a whole number between 1 and 1000, got "1001"'),
        ({"after": "-1"}, 'after must be a whole number at least 0, got "-1"'),
        ({"after": "9223372036854775808"}, 'after must be a whole number at least 0, got "9223372036854775808"'),
    ],
)
def test_bad_events_parameters_are_named(params: dict, message: str) -> None:
    assert refusal(parse_events_query, params) == (40001, message)


# --- task ids --------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "number"), [("1", 1), ("42", 42), ("007", 7), ("9223372036854775807", 2**63 - 1)])
def test_a_task_id_is_a_positive_64_bit_integer(raw: str, number: int) -> None:
    assert parse_task_id(raw) == number


@pytest.mark.parametrize("raw", ["abc", "0", "-1", "1.5", " 1", "9223372036854775808", "1" * 400, "", "١"])
def test_anything_else_names_no_task_so_it_is_not_found(raw: str) -> None:
    code, message = refusal(parse_task_id, raw)
    assert code == 40401
    assert message.startswith("task ") and message.endswith(" not found")


def test_batch_delete_reads_the_ids_once_each_in_order() -> None:
    assert parse_task_batch(b'{"task_ids": [3, 1, 3, 2.0], "dry_run": true}') == (3, 1, 2)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{}", "task_ids is required: an array of task ids"),
        (b'{"task_ids": null}', "task_ids is required: an array of task ids"),
        (b'{"task_ids": "1,2"}', 'task_ids must be an array of task ids, got "1,2"'),
        (b'{"task_ids": []}', "task_ids must hold at least one task id"),
        (b'{"task_ids": [1, 0]}', "task_ids[1] must be at least 1, got 0"),
        (b'{"task_ids": [1, -5]}', "task_ids[1] must be at least 1, got -5"),
        (b'{"task_ids": ["1"]}', 'task_ids[0] must be an integer, got "1"'),
        (b'{"task_ids": [true]}', "task_ids[0] must be an integer, got true"),
        (b'{"task_ids": [1.5]}', "task_ids[0] must be an integer, got 1.5"),
        (b'{"task_ids": [1180591620717411303424]}', "task_ids[0] must be a 64-bit integer, got 1180591620717411303424"),
        (b'{"task_ids": [1e400]}', "task_ids[0] must be a finite number, got 1e400"),
        (b"[1, 2]", "the body must be a JSON object, got an array"),
        (b"{", "the body is not valid JSON: Input data was truncated"),
    ],
)
def test_bad_batch_deletes_are_named(body: bytes, message: str) -> None:
    assert refusal(parse_task_batch, body) == (40001, message)


def test_at_most_ten_thousand_ids_in_a_batch() -> None:
    assert len(parse_task_batch(b'{"task_ids": [' + b",".join([b"1"] * 10_000) + b"]}")) == 1
    body = b'{"task_ids": [' + b",".join([b"1"] * 10_001) + b"]}"
    assert refusal(parse_task_batch, body) == (40001, "task_ids has 10,001 entries; at most 10,000 are allowed")


# --- accounts --------------------------------------------------------------------------


def test_an_account_defaults_to_the_tiktok_app_and_keeps_the_username_as_given() -> None:
    assert parse_account(b'{"username": " @Alice ", "serial": "s1"}') == AccountBody(
        username="@Alice", serial="s1", package="com.zhiliaoapp.musically"
    )
    body = b'{"username": "bob", "serial": "s1", "package": "com.ss.android.ugc.trill"}'
    assert parse_account(body).package == "com.ss.android.ugc.trill"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"serial": "s1"}', "username is required"),
        (b'{"username": "a"}', "serial is required"),
        (b'{"username": "@", "serial": "s1"}', 'username must name someone after its optional "@", got "@"'),
        (b'{"username": 5, "serial": ""}', "username must be a non-empty string, got 5"),
        (b'{"serial": "", "username": 5}', 'serial must be a non-empty string, got ""'),
        (
            b'{"username": "a", "serial": "s", "package": "tiktok"}',
            'package must be an Android package name, got "tiktok"',
        ),
        (b'{"username": "a\\u0000", "serial": "s"}', "username must not contain NUL characters"),
    ],
)
def test_bad_accounts_are_named_in_body_order(body: bytes, message: str) -> None:
    assert refusal(parse_account, body) == (40001, message)


@pytest.mark.parametrize(
    ("username", "key"),
    [("@Alice", "alice"), ("alice", "alice"), ("@@alice", "@alice"), ("STRASSE", "strasse"), ("Straße", "strasse")],
)
def test_usernames_compare_without_one_leading_at_and_case_folded(username: str, key: str) -> None:
    assert account_key(username) == key
