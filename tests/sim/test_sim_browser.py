"""Opening a URL: Chrome shows web addresses, TikTok links open the app as deep links do (Chrome without the app)."""

from __future__ import annotations

from running_farm import APP, RunningFarm, tap

CHROME = "com.android.chrome"
URL_BAR = "com.android.chrome:id/url_bar"


def test_open_url_shows_the_page_in_chrome_and_back_returns_to_the_app(farm: RunningFarm) -> None:
    serial = farm.serials[5]
    d = farm.fresh(serial)
    d.open_url("https://example.org/path?q=1")
    assert d.app_current()["package"] == CHROME and d.info["currentPackageName"] == CHROME
    assert d(resourceId=URL_BAR).get_text() == "example.org/path?q=1"
    assert d(className="android.webkit.WebView").child(text="https://example.org/path?q=1").exists
    assert farm.phone_state(serial)["screen"] == "browser"
    assert CHROME in d.shell("ps -A").output.split()
    d.press("back")  # the tab opened for the intent closes: the app that was in front comes back
    assert d.app_current()["package"] == APP and farm.phone_state(serial)["screen"] == "home"
    d.adb_device.open_browser("example.com")  # adbutils: the same intent
    assert d(resourceId=URL_BAR).get_text() == "example.com"


def test_a_tiktok_link_opens_the_app_on_it_and_chrome_without_the_app(farm: RunningFarm) -> None:
    serial = farm.serials[5]
    d = farm.fresh(serial)
    d.open_url("https://www.tiktok.com/@mia.lopez.link")
    assert d.app_current()["package"] == APP and farm.phone_state(serial)["screen"] == "profile"
    assert d(text="@mia.lopez.link").exists
    farm.set_faults(f"app={serial}:missing")
    try:
        d.open_url("https://www.tiktok.com/@mia.lopez.link")
        assert d.app_current()["package"] == CHROME
        assert d(resourceId=URL_BAR).get_text() == "tiktok.com/@mia.lopez.link"
    finally:
        farm.set_faults(f"app={serial}:installed")
    result = d.shell(
        [
            "am",
            "start",
            "-a",
            "android.intent.action.VIEW",
            "-d",
            "https://www.tiktok.com/@mia.lopez.link",
            "-p",
            CHROME,
        ]
    )  # told which app: Chrome, though the app handles the link
    assert result.exit_code == 0 and d.app_current()["package"] == CHROME


def test_chrome_from_the_launcher_and_typing_an_address(farm: RunningFarm) -> None:
    serial = farm.serials[5]
    d = farm.device(serial)
    d.app_stop(CHROME)
    d.press("home")
    tap(d, text="Chrome", packageName="com.google.android.apps.nexuslauncher")
    assert d.app_current()["package"] == CHROME and d(text="New tab").exists
    assert d(resourceId="android:id/content", packageName=CHROME).exists
    tap(d, resourceId=URL_BAR)
    d(resourceId=URL_BAR).set_text("example.net/hello")
    d.press("enter")
    assert d(className="android.webkit.WebView").child(text="https://example.net/hello").exists
    d.press("back")
    assert d(text="New tab").exists  # the page before, in the same tab
    d.app_stop(CHROME)
    assert d.app_current()["package"] == "com.google.android.apps.nexuslauncher"
    assert farm.phone_state(serial)["browser"] == {"running": False, "url": None}
