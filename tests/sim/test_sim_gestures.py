"""Gestures last as long on a virtual phone as on a real one (a farm at time scale 1: phone time is real time)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from running_farm import RunningFarm, running_farm


@pytest.fixture(scope="module")
def real_time_farm() -> Iterator[RunningFarm]:
    with running_farm(devices=1, time_scale=1.0) as running:
        yield running


def seconds_taken(gesture: Callable[[], object]) -> float:
    began = time.monotonic()
    gesture()
    return time.monotonic() - began


def test_uiautomator2_gestures_take_their_duration_then_act(real_time_farm: RunningFarm) -> None:
    farm = real_time_farm
    serial = farm.serials[0]
    d = farm.fresh(serial)
    w, h = d.window_size()
    first = d(textStartsWith="@").get_text()
    assert seconds_taken(lambda: d.swipe(w // 2, h * 3 // 4, w // 2, h // 4, duration=0.4)) >= 0.4  # 80 steps
    assert d(textStartsWith="@").get_text() != first  # the swipe still moves the feed on, once done
    assert seconds_taken(lambda: d.swipe(w // 2, h * 3 // 4, w // 2, h // 4, steps=60)) >= 0.3
    assert (
        seconds_taken(lambda: d.swipe_points([(w // 2, h * 3 // 4), (w // 2, h // 2), (w // 2, h // 4)], 0.15)) >= 0.3
    )
    assert (
        seconds_taken(lambda: d.drag(w // 2, h * 3 // 4, w // 2, h // 4, duration=0.2)) >= 0.2 + 0.5
    )  # long press first
    assert seconds_taken(lambda: d(description="Home").drag_to(description="Inbox", duration=0.1)) >= 0.1 + 0.5
    assert seconds_taken(lambda: d(description="Profile").long_click(duration=0.3)) >= 0.3
    assert farm.phone_state(serial)["screen"] == "own_profile"  # a long click on a tab opens it, as a tap does


def test_adb_input_swipe_lasts_its_duration_or_300_ms(real_time_farm: RunningFarm) -> None:
    d = real_time_farm.client.device(real_time_farm.serials[0])
    assert seconds_taken(lambda: d.swipe(500, 1800, 500, 600, duration=0.5)) >= 0.5
    assert seconds_taken(lambda: d.shell("input swipe 500 1800 500 600")) >= 0.3
