"""The limits a body sets (PUT /limits, PUT /account/{username}/limits, serve --limits): every problem a
40001 naming the field, the first in body order."""

from __future__ import annotations

import json

import pytest

from service.domain.limits import Limits, parse_window
from service.errors import ApiError
from service.requests.limits import parse_limits, parse_limits_body


def parsed(body: dict) -> Limits:
    return parse_limits_body(json.dumps(body).encode())


def refused(body) -> str:
    with pytest.raises(ApiError) as caught:
        parse_limits_body(json.dumps(body).encode())
    assert caught.value.code == 40001
    return caught.value.message


def test_the_issues_example_reads_as_given():
    assert parsed(
        {
            "daily": {"follow": 30, "comment": 10},
            "working_hours": ["09:00-12:30", "18:00-23:00"],
            "timezone": "Europe/Paris",
        }
    ) == Limits(
        daily={"follow": 30, "comment": 10},
        working_hours=(parse_window("09:00-12:30"), parse_window("18:00-23:00")),
        timezone="Europe/Paris",
    )


def test_left_out_fields_fall_back_and_null_in_daily_means_no_limit():
    assert parsed({}) == Limits()
    assert parsed({"daily": {"like": None}, "working_hours": [], "timezone": None, "cooldown_hours": [2, 8]}) == Limits(
        daily={"like": None}, working_hours=(), cooldown_hours=(2.0, 8.0)
    )


@pytest.mark.parametrize(
    "body, message",
    [
        (
            {"daily": {"likes": 3}},
            "daily.likes is not an action: choose follow, unfollow, like, comment, post, collect",
        ),
        ({"daily": {"follow": -1}}, "daily.follow must be between 0 and 100000, got -1"),
        ({"daily": {"follow": 2.5}}, "daily.follow must be an integer, got 2.5"),
        ({"daily": {"follow": True}}, "daily.follow must be an integer, got true"),
        ({"daily": {"follow": "30"}}, 'daily.follow must be an integer, got "30"'),
        ({"daily": [30]}, "daily must be an object of actions, got an array"),
        ({"working_hours": ["9-12"]}, 'working_hours[0] must look like "09:00-12:30", got "9-12"'),
        ({"working_hours": ["18:00-23:00", "12:00-09:00"]}, "working_hours[1] must end after it starts"),
        (
            {"working_hours": ["09:00-12:30", "12:00-13:00"]},
            "working_hours[1] (12:00-13:00) overlaps working_hours[0] (09:00-12:30)",
        ),
        ({"working_hours": "09:00-17:00"}, 'working_hours must be an array, got "09:00-17:00"'),
        ({"timezone": "Mars/Olympus"}, 'timezone must be an IANA time zone such as Europe/Paris, got "Mars/Olympus"'),
        ({"timezone": "../../etc/passwd"}, "timezone must be an IANA time zone"),
        ({"timezone": 1}, "timezone must be a string, got 1"),
        ({"cooldown_hours": [6, 1]}, "cooldown_hours[1] must not be shorter than cooldown_hours[0]"),
        ({"cooldown_hours": []}, "cooldown_hours must list at least one duration"),
        ({"cooldown_hours": [0]}, "cooldown_hours[0] must be greater than 0"),
        ({"daly": {"follow": 3}}, "daly is not a limit: use daily, working_hours, timezone, cooldown_hours"),
    ],
)
def test_bad_input_is_refused_naming_the_field(body, message):
    assert refused(body).startswith(message)


def test_the_first_problem_in_body_order_is_reported():
    assert refused({"timezone": "Nowhere", "daily": {"follow": -1}}).startswith("timezone")
    assert refused({"daily": {"follow": -1}, "timezone": "Nowhere"}).startswith("daily.follow")
    assert refused({"unknown": 1, "timezone": "Nowhere"}).startswith("unknown is not a limit")


def test_a_body_that_is_not_an_object_is_refused():
    assert refused([]) == "the body must be a JSON object, got an array"


def test_a_toml_table_reads_with_its_path_named():
    with pytest.raises(ApiError, match=r"^limits\.daily\.follow must be between 0 and 100000, got -5$"):
        parse_limits({"daily": {"follow": -5}}, "limits")
