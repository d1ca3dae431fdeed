"""Whatever a client sends, the parsers answer with an ApiError or a value — nothing else."""

from __future__ import annotations

import json
import random
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.errors import ApiError
from service.requests import (
    FilePolicy,
    fan_out,
    parse_account,
    parse_create_task,
    parse_events_query,
    parse_task_batch,
    parse_task_id,
    parse_task_list_query,
    resolve_spintax,
)
from service.requests.scripts import account_warmup, comment, follow, post

POLICIES = [
    FilePolicy(data_dir=Path("/nonexistent-data-dir")),
    FilePolicy(data_dir=Path("/tmp"), material_roots=(Path("/nonexistent-root"),), restricted=True),
]
NOW = datetime(2026, 11, 27, 23, 59, tzinfo=ZoneInfo("Asia/Kolkata"))
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    | st.sampled_from(
        [
            "",
            "@",
            "  ",
            "14:30",
            "custom",
            "useSound",
            "localFolder",
            "sequential",
            "../etc/passwd",
            "https://vm.tiktok.com/ZM1/",
            "a\x00b",
            "{a|{b|c}",
            "'; DROP TABLE events; --",
        ]
    )
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)

CONFIG_KEYS = sorted({*post.FIELDS, *follow.FIELDS, *account_warmup.FIELDS, *comment.FIELDS, "unknown"})
TOP_KEYS = [
    "serials",
    "usernames",
    "script_name",
    "script_config",
    "enable_multi_account",
    "min_interval",
    "max_interval",
    "start_time",
    "unknown",
]
URL = "https://www.tiktok.com/@u/video/1"
GOOD = st.sampled_from(
    [
        0,
        1,
        2,
        50,
        10.5,
        True,
        False,
        "share",
        "useSound",
        "custom",
        "random",
        "sequential",
        "direct",
        "search",
        "reel",
        "story",
        "materialLibrary",
        "localFolder",
        ["@a", "b"],
        "x,\ny",
        URL,
        [URL, URL],
        "{Hi|Hello}\nthere",
        {"api_key": "sk-1", "temperature": 1},
        [],
        {},
    ]
)
configs = st.dictionaries(st.sampled_from(CONFIG_KEYS), GOOD | GOOD | json_values, max_size=5)
top_values = {
    "script_name": st.sampled_from(
        ["post", "follow", "unfollow", "account_warmup", "comment", "match_account", "like", ""]
    )
    | json_values,
    "script_config": configs | json_values,
    "serials": st.lists(st.sampled_from(["a", "b", " c ", "", "s\x00"]), min_size=1, max_size=4) | json_values,
    "usernames": st.lists(st.sampled_from(["x", "@X", "y", "z", "@"]), min_size=1, max_size=3) | json_values,
    "min_interval": st.integers(0, 20) | json_values,
    "max_interval": st.integers(0, 20) | json_values,
    "start_time": st.sampled_from(["14:30", "00:00", "", "25:00"]) | json_values,
}


@st.composite
def plausible_bodies(draw: st.DrawFn) -> dict:
    """Known keys in any order, mostly plausible values, now and then anything at all."""
    optional = draw(st.sets(st.sampled_from(TOP_KEYS[4:])))
    keys = draw(st.permutations([*TOP_KEYS[:4], *optional]))
    mode = draw(st.sampled_from(["serials", "usernames", "both", "neither"]))
    keys = [key for key in keys if key not in ("serials", "usernames") or mode in (key, "both")]
    return {key: draw(top_values.get(key, json_values)) for key in keys}


def answers_or_refuses(call, *args) -> None:  # noqa: ANN001
    try:
        call(*args)
    except ApiError:
        pass


def create_and_fan_out(body: bytes, policy: FilePolicy) -> None:
    request = parse_create_task(body, policy)
    tasks = fan_out(
        request,
        accounts_by_device={"a": ["x", "y"]},
        device_of_account={"x": "a", "y": "a"},
        now=NOW,
        rng=random.Random(0),
    )
    assert len(tasks) >= 1


@FAST
@given(st.binary(max_size=300), st.sampled_from(POLICIES))
def test_any_bytes_are_answered_or_refused(body: bytes, policy: FilePolicy) -> None:
    answers_or_refuses(create_and_fan_out, body, policy)
    answers_or_refuses(parse_task_batch, body)
    answers_or_refuses(parse_account, body)


@FAST
@given(json_values, st.sampled_from(POLICIES))
def test_any_json_value_is_answered_or_refused(value: object, policy: FilePolicy) -> None:
    body = json.dumps(value).encode()
    answers_or_refuses(create_and_fan_out, body, policy)
    answers_or_refuses(parse_task_batch, body)
    answers_or_refuses(parse_account, body)


@settings(max_examples=300, deadline=None)
@given(plausible_bodies(), st.sampled_from(POLICIES))
def test_any_body_of_known_keys_is_answered_or_refused(body: dict, policy: FilePolicy) -> None:
    answers_or_refuses(create_and_fan_out, json.dumps(body).encode(), policy)


@FAST
@given(
    st.dictionaries(
        st.sampled_from(["status", "serial", "script_name", "source", "page", "page_size", "after", "limit", "x"]),
        st.text(max_size=25),
    )
)
def test_any_query_is_answered_or_refused(params: dict[str, str]) -> None:
    answers_or_refuses(parse_task_list_query, params)
    answers_or_refuses(parse_events_query, params)


@FAST
@given(st.text(max_size=30))
def test_any_task_id_is_a_number_or_not_found(raw: str) -> None:
    try:
        assert parse_task_id(raw) >= 1
    except ApiError as error:
        assert int(error.code) == 40401


@FAST
@given(st.text(alphabet="{|}ab ", max_size=40), st.integers(0, 2**32))
def test_spintax_never_fails_and_leaves_brace_free_text_alone(text: str, seed: int) -> None:
    resolved = resolve_spintax(text, random.Random(seed))
    assert isinstance(resolved, str)
    if "{" not in text:
        assert resolved == text
