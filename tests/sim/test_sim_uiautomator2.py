"""The uiautomator2 side through the real library: connect, device info, selectors, xpath, waits, typing."""

from __future__ import annotations

import time

import pytest
import uiautomator2 as u2
from lxml import etree
from running_farm import APP, RunningFarm, tap


def test_connect_pushes_the_jar_and_launches_the_server_once(farm: RunningFarm) -> None:
    serial = farm.serials[4]
    d = farm.device(serial)
    phone = farm.phone_state(serial)
    assert (phone["u2_server"], phone["u2_launches"]) == (True, 1)
    assert d.shell("toybox md5sum /data/local/tmp/u2.jar").output.startswith("d4f2cb5299dfd894a40fdde067b56bc9")
    again = u2.connect(farm.client.device(serial))  # a second client finds it running
    assert again.info["sdkInt"] == farm.farm.phone(serial).model.sdk
    assert farm.phone_state(serial)["u2_launches"] == 1


def test_device_info_window_size_and_current_app(farm: RunningFarm) -> None:
    serial = farm.serials[4]
    d = farm.fresh(serial)
    model = farm.farm.phone(serial).model
    assert d.window_size() == (model.width, model.height)
    assert d.info["currentPackageName"] == APP and d.info["screenOn"] is True
    assert d.app_current()["package"] == APP
    assert d.device_info["model"] == model.model
    assert d.app_info(APP)["versionName"] == "34.1.2"
    d.press("home")
    assert d.app_current()["package"] == "com.google.android.apps.nexuslauncher"
    assert farm.phone_state(serial)["screen"] == "launcher"


def test_dump_is_xml_with_a_root_and_xpath_finds_the_tabs(farm: RunningFarm) -> None:
    d = farm.fresh(farm.serials[4])
    xml = d.dump_hierarchy()
    root = etree.fromstring(xml.encode())
    assert root.tag == "hierarchy" and len(root)
    assert d.xpath('//android.widget.FrameLayout[@content-desc="Profile"]').exists
    assert d.xpath("Home").exists  # text, content-desc or resource-id
    assert d.adb_device.dump_hierarchy().startswith("<?xml")  # the `uiautomator dump` + RECV path


def test_selector_fields_instance_child_and_sibling(farm: RunningFarm) -> None:
    d = farm.fresh(farm.serials[4])
    assert d(descriptionStartsWith="Like video").exists
    assert d(descriptionMatches=r"Read or add comments\. .* comments").exists
    assert d(className="android.widget.Button", description="Follow").exists
    assert d(resourceIdMatches=r"com\.zhiliaoapp\.musically:id/.*", descriptionContains="Favourites").exists
    assert d(className="android.widget.TextView", text="For You", selected=True).exists
    tabs = d(className="android.widget.TextView", resourceId=d(text="For You").info["resourceName"])
    assert tabs.count == 4 and tabs[1].get_text() == "For You"
    assert d(description="Profile").child(text="Profile").exists
    assert d(description="Home").sibling(description="Inbox").exists
    assert not d(description="Home").sibling(text="Explore").exists
    assert d(description="Home").info["selected"] is True
    assert len(d(clickable=True, className="android.widget.FrameLayout", packageName=APP)) >= 5


def test_waits_honour_their_timeout_and_a_missing_element_fails_fast(farm: RunningFarm) -> None:
    d = farm.fresh(farm.serials[4])
    started = time.monotonic()
    assert d(text="Nothing like this").wait(timeout=0.3) is False
    assert d(description="Home").wait_gone(timeout=0.2) is False
    with pytest.raises(u2.UiObjectNotFoundError):
        d(text="Nothing like this").click(timeout=0.2)
    with pytest.raises(u2.UiObjectNotFoundError):
        d(text="Nothing like this").info
    assert time.monotonic() - started < 3


def test_wait_returns_as_soon_as_the_element_appears(farm: RunningFarm) -> None:
    d = farm.fresh(farm.serials[4])
    tap(d, description="Search")
    assert d(className="android.widget.EditText").wait(timeout=2)
    d.press("back")
    assert d(description="Search").wait(timeout=2)


def test_typing_through_the_clipboard_fills_the_focused_field(farm: RunningFarm) -> None:
    d = farm.fresh(farm.serials[5])
    assert not d.is_input_ime_installed()
    tap(d, description="Search")
    field = d(className="android.widget.EditText", focused=True)
    assert field.get_text() == "Search"  # the hint shows while empty
    d.send_keys("latte art ☕")
    assert field.get_text() == "latte art ☕"
    d.clear_text()
    assert field.get_text() == "Search"
    field.set_text("cold brew")
    d.press("enter")
    assert d(text="Videos", className="android.widget.TextView").wait(timeout=2)
    assert farm.account(farm.serials[5])["searches"][-1] == "cold brew"


def test_typing_through_the_adb_keyboard_broadcast(farm: RunningFarm) -> None:
    serial = farm.serials[6]
    d = farm.fresh(serial)
    d.set_input_ime(True)  # pushes the bundled APK and installs it
    assert d.is_input_ime_installed() and d.current_ime() == "com.github.uiautomator/.AdbKeyboard"
    tap(d, description="Search")
    d.send_keys("façade 🌍")
    assert d(focused=True).get_text() == "façade 🌍"
    d.send_action("search")
    assert farm.account(serial)["searches"][-1] == "façade 🌍"
    assert farm.phone_state(serial)["ime"] == "com.github.uiautomator/.AdbKeyboard"


def test_swipe_up_shows_the_next_video_and_screenshot_is_an_image(farm: RunningFarm) -> None:
    d = farm.fresh(farm.serials[4])
    first = d(resourceId=d(textStartsWith="@").info["resourceName"]).get_text()
    d.swipe_ext("up", scale=0.6)
    assert d(textStartsWith="@").get_text() != first
    image = d.screenshot()
    assert image.size == d.window_size()
    assert d.adb_device.screenshot(error_ok=False).size == image.size  # `screencap -p` on the shell
