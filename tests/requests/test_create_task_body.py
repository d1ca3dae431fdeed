"""POST /task bodies: readability, precedence, top-level fields and hostile input."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest

from service.errors import ApiError
from service.requests import CreateTaskRequest, FilePolicy, parse_create_task

POLICY = FilePolicy(data_dir=Path("/nonexistent-data-dir"))
FOLLOW = {"script_name": "follow", "script_config": {"target_user": "@alice"}}


def create(body: dict | bytes) -> CreateTaskRequest:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return parse_create_task(raw, POLICY)


def refusal(body: dict | bytes) -> tuple[int, str]:
    with pytest.raises(ApiError) as caught:
        create(body)
    return int(caught.value.code), caught.value.message


# --- unreadable bodies -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"", "the body is empty"),
        (b"   ", "the body is empty"),
        (b"{", "the body is not valid JSON"),
        (b"{} []", "the body is not valid JSON"),
        (b"\xff\xfe{}", "the body is not valid UTF-8 (byte 0)"),
        (b'{"script_name": "\xed\xa0\x80"}', "the body is not valid UTF-8 (byte 17)"),
        (b'{"script_name": "\\ud800"}', "the body is not valid JSON"),
        (b'{"serials": ["\\udc00x"]}', "the body is not valid JSON"),
        (b"[" * 5000 + b"]" * 5000, "nested too deeply"),
        (b'{"a": ' * 5000 + b"1" + b"}" * 5000, "nested too deeply"),
        (b'{"min_interval": NaN}', "the body is not valid JSON"),
        (b'{"min_interval": Infinity}', "the body is not valid JSON"),
        (b'{"min_interval": -Infinity}', "the body is not valid JSON"),
        (b'{"min_interval": ' + b"9" * 5000 + b"}", "the body is not valid JSON"),
        (b"[]", "the body must be a JSON object, got an array"),
        (b'"post"', 'the body must be a JSON object, got "post"'),
        (b"null", "the body must be a JSON object, got null"),
        (b"42", "the body must be a JSON object, got 42"),
    ],
)
def test_an_unreadable_body_is_a_40001_saying_why(body: bytes, says: str) -> None:
    code, message = refusal(body)
    assert code == 40001
    assert says in message


def test_a_body_may_come_as_any_bytes_like_object() -> None:
    raw = json.dumps({"serials": ["s1"], **FOLLOW}).encode()
    assert parse_create_task(bytearray(raw), POLICY) == parse_create_task(memoryview(raw), POLICY)


def test_a_utf8_byte_order_mark_is_skipped() -> None:
    body = b"\xef\xbb\xbf" + json.dumps({"serials": ["s1"], **FOLLOW}).encode()
    assert create(body).serials == ("s1",)


# --- precedence ------------------------------------------------------------------------


@pytest.mark.parametrize("script_name", [None, "", "   "])
def test_a_missing_null_or_blank_script_name_is_40002(script_name: str | None) -> None:
    body = {"serials": "not a list", "script_config": 5}
    if script_name is not None:
        body["script_name"] = script_name
    assert refusal(body) == (40002, "script_name is required")
    assert refusal({**body, "script_name": None}) == (40002, "script_name is required")


@pytest.mark.parametrize("script_name", ["like", "message", "super_marketing", "profile", "scrape_user"])
def test_a_coming_soon_script_is_40003_even_with_bad_fields(script_name: str) -> None:
    code, message = refusal({"serials": 5, "script_name": script_name, "min_interval": -1})
    assert code == 40003
    assert f'"{script_name}" is coming soon' in message


@pytest.mark.parametrize("script_name", ["Post", "dance", "post;DROP TABLE events", "a\x00b"])
def test_an_unknown_script_is_40003_naming_the_supported_ones(script_name: str) -> None:
    code, message = refusal({"serials": 5, "script_name": script_name})
    assert code == 40003
    assert "is not supported; use one of post, follow, unfollow, account_warmup, comment" in message


def test_a_script_name_that_is_not_a_string_is_a_40001_at_its_place() -> None:
    assert refusal({"script_name": 5, "serials": 7}) == (40001, "script_name must be a string, got 5")
    assert refusal({"serials": 7, "script_name": 5})[1] == "serials must be an array, got 7"


def test_the_script_name_is_trimmed() -> None:
    assert create({"serials": ["s"], **FOLLOW, "script_name": " follow "}).script_name == "follow"


def test_the_first_offending_field_in_body_order_wins() -> None:
    first_serials = {"serials": [""], "min_interval": "5", **FOLLOW}
    first_interval = {"min_interval": "5", "serials": [""], **FOLLOW}
    assert refusal(first_serials)[1] == 'serials[0] must be a non-empty string, got ""'
    assert refusal(first_interval)[1] == 'min_interval must be an integer, got "5"'


def test_body_order_holds_inside_script_config_too() -> None:
    config = {"like_probable": 140, "min_duration": "x"}
    backwards = {"min_duration": "x", "like_probable": 140}
    body = {"serials": ["s"], "script_name": "account_warmup"}
    assert refusal({**body, "script_config": config})[1] == (
        "script_config.like_probable must be between 0 and 100, got 140"
    )
    assert refusal({**body, "script_config": backwards})[1] == ('script_config.min_duration must be a number, got "x"')


def test_a_bad_script_config_before_a_bad_top_level_field_wins() -> None:
    body = {"script_name": "follow", "script_config": {}, "serials": 3}
    assert refusal(body)[1] == "script_config needs at least one target: target_users or target_user"


def test_a_rule_is_reported_at_the_last_field_it_involves() -> None:
    body = {"max_interval": 1, "min_interval": 5, "serials": [""], **FOLLOW}
    assert refusal(body)[1] == "max_interval (1) must not be less than min_interval (5)"
    body = {"max_interval": 1, "serials": [""], "min_interval": 5, **FOLLOW}
    assert refusal(body)[1] == 'serials[0] must be a non-empty string, got ""'


def test_a_missing_field_is_reported_after_every_present_one() -> None:
    assert refusal({"script_name": "follow", "serials": [5]})[1] == ("serials[0] must be a non-empty string, got 5")
    assert refusal({"script_name": "follow", "serials": ["s"]})[1] == (
        "script_config is required: an object, {} when nothing is needed"
    )


# --- top-level fields ------------------------------------------------------------------


def test_defaults_of_the_top_level_fields() -> None:
    request = create({"serials": ["s1"], **FOLLOW})
    assert request == CreateTaskRequest(
        serials=("s1",),
        usernames=None,
        script_name="follow",
        config={"access_method": "direct"},
        targets=("@alice",),
        secrets={},
        enable_multi_account=False,
        min_interval=0,
        max_interval=0,
        start_time=None,
    )


def test_serials_and_usernames_are_trimmed_and_kept_in_order_with_duplicates() -> None:
    assert create({"serials": [" b ", "a", "b"], **FOLLOW}).serials == ("b", "a", "b")
    request = create({"usernames": ["@Bob ", "carol"], **FOLLOW})
    assert (request.usernames, request.serials) == (("@Bob", "carol"), None)


@pytest.mark.parametrize(
    ("serials", "message"),
    [
        ("s1", 'serials must be an array, got "s1"'),
        ({"a": 1}, "serials must be an array, got an object"),
        (["s1", "", "s3"], 'serials[1] must be a non-empty string, got ""'),
        (["s1", "s2", "   "], 'serials[2] must be a non-empty string, got "   "'),
        (["s1", None], "serials[1] must be a non-empty string, got null"),
        ([["s1"]], "serials[0] must be a non-empty string, got an array"),
        (["x" * 257], "serials[0] must be at most 256 characters long"),
    ],
)
def test_bad_serials_are_named(serials: object, message: str) -> None:
    assert refusal({"serials": serials, **FOLLOW}) == (40001, message)


def test_a_lone_at_sign_is_not_a_username() -> None:
    assert refusal({"usernames": ["@"], **FOLLOW})[1] == (
        'usernames[0] must name someone after its optional "@", got "@"'
    )


def test_serials_and_usernames_together_are_refused() -> None:
    body = {"serials": ["s"], "usernames": ["u"], **FOLLOW}
    assert refusal(body)[1] == "give serials (device mode) or usernames (account mode), not both"


@pytest.mark.parametrize("lines", [{}, {"serials": []}, {"serials": None}, {"serials": [], "usernames": []}])
def test_neither_serials_nor_usernames_is_refused(lines: dict) -> None:
    assert refusal({**lines, **FOLLOW})[1] == (
        "serials (device mode) or usernames (account mode) is required, with one entry or more"
    )


def test_an_empty_list_beside_the_other_mode_counts_as_absent() -> None:
    assert create({"serials": [], "usernames": ["u"], **FOLLOW}).usernames == ("u",)


def test_at_most_a_thousand_serials() -> None:
    assert create({"serials": [f"s{i}" for i in range(1000)], **FOLLOW}).serials[-1] == "s999"
    assert refusal({"serials": [f"s{i}" for i in range(1001)], **FOLLOW})[1] == (
        "serials has 1,001 entries; at most 1,000 are allowed"
    )
    assert refusal({"usernames": ["u"] * 1001, **FOLLOW})[1] == (
        "usernames has 1,001 entries; at most 1,000 are allowed"
    )


@pytest.mark.parametrize("config", [None, "{}", [], 0])
def test_script_config_must_be_an_object(config: object) -> None:
    body = {"serials": ["s"], "script_name": "match_account", "script_config": config}
    expected = (
        "script_config is required: an object, {} when nothing is needed"
        if config is None
        else f"script_config must be an object, got {json.dumps(config)}"
        if not isinstance(config, list)
        else "script_config must be an object, got an array"
    )
    assert refusal(body)[1] == expected


def test_match_account_takes_an_empty_config_and_drops_unknown_keys() -> None:
    body = {"serials": ["s"], "script_name": "match_account", "script_config": {"x": 1}}
    assert create(body).config == {}


def test_unknown_top_level_keys_are_ignored() -> None:
    assert create({"serials": ["s"], **FOLLOW, "priority": "high", "x": None}).serials == ("s",)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"min_interval": 5}, (5, 5)),
        ({"max_interval": 7}, (7, 7)),
        ({"min_interval": 2, "max_interval": 9}, (2, 9)),
        ({"min_interval": 3.0, "max_interval": None}, (3, 3)),
    ],
)
def test_one_interval_alone_gives_the_other_its_value(given: dict, expected: tuple) -> None:
    request = create({"serials": ["s"], **FOLLOW, **given})
    assert (request.min_interval, request.max_interval) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("5", 'min_interval must be an integer, got "5"'),
        (True, "min_interval must be an integer, got true"),
        (2.5, "min_interval must be an integer, got 2.5"),
        (-1, "min_interval must be between 0 and 10080, got -1"),
        (10081, "min_interval must be between 0 and 10080, got 10081"),
        (2**70, "min_interval must be a 64-bit integer, got 1180591620717411303424"),
        (1e300, "min_interval must be a 64-bit integer, got 1e+300"),
        ([5], "min_interval must be an integer, got an array"),
    ],
)
def test_bad_intervals_are_named(value: object, message: str) -> None:
    assert refusal({"serials": ["s"], **FOLLOW, "min_interval": value})[1] == message


def test_enable_multi_account_is_a_boolean_used_in_device_mode_only() -> None:
    assert create({"serials": ["s"], **FOLLOW, "enable_multi_account": True}).enable_multi_account
    assert not create({"usernames": ["u"], **FOLLOW, "enable_multi_account": True}).enable_multi_account
    assert refusal({"serials": ["s"], **FOLLOW, "enable_multi_account": 1})[1] == (
        "enable_multi_account must be true or false, got 1"
    )


@pytest.mark.parametrize(
    ("given", "expected"),
    [("00:00", (0, 0)), ("09:05", (9, 5)), ("23:59", (23, 59)), (" 14:30\n", (14, 30)), ("", None)],
)
def test_start_time_is_hh_mm_on_the_24_hour_clock(given: str, expected: tuple | None) -> None:
    assert create({"serials": ["s"], **FOLLOW, "start_time": given}).start_time == expected


@pytest.mark.parametrize(
    "given", ["24:00", "9:05", "12:60", "12:5", "12:30:00", "1230", "noon", "١٢:٣٠", "12:30 pm", 1230]
)
def test_any_other_start_time_is_refused(given: object) -> None:
    message = refusal({"serials": ["s"], **FOLLOW, "start_time": given})[1]
    assert message.startswith("start_time must be a")


# --- hostile input ---------------------------------------------------------------------


def test_nul_characters_are_refused_in_any_kept_string() -> None:
    assert refusal({"serials": ["a\x00b"], **FOLLOW})[1] == "serials[0] must not contain NUL characters"
    body = {"serials": ["s"], "script_name": "post", "script_config": {"captions": "hi\x00"}}
    assert refusal(body)[1] == "script_config.captions must not contain NUL characters"


def test_sql_looking_strings_are_plain_text() -> None:
    evil = "'; DROP TABLE events; --"
    request = create({"serials": [evil], "script_name": "follow", "script_config": {"target_user": evil}})
    assert request.serials == (evil,)
    assert request.targets == ("'; DROP TABLE events; --",)


def test_numbers_beyond_a_float_are_refused_by_field() -> None:
    body = b'{"serials": ["s"], "script_name": "account_warmup", "script_config": {"like_probable": 1e400}}'
    assert refusal(body)[1] == "script_config.like_probable must be a finite number, got 1e400"
    body = b'{"serials": ["s"], "min_interval": -1E+999, "script_name": "follow"}'
    assert refusal(body)[1] == "min_interval must be a finite number, got -1E+999"


def test_a_repeated_key_keeps_its_last_value() -> None:
    body = b'{"serials": ["a"], "serials": ["b"], "script_name": "follow", "script_config": {"target_user": "x"}}'
    assert create(body).serials == ("b",)


def test_a_secret_never_shows_in_the_repr() -> None:
    body = {
        "serials": ["s"],
        "script_name": "account_warmup",
        "script_config": {"generate_by_chatgpt": True, "chatgpt_settings": {"api_key": "sk-canary"}},
    }
    request = create(body)
    assert request.secrets == {"chatgpt_api_key": "sk-canary"}
    assert "sk-canary" not in repr(request)
    assert "sk-canary" not in msgspec.json.encode(request.config).decode()
