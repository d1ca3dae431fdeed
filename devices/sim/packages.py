"""The packages installed on a phone, as `pm` and `dumpsys package` tell them: the system's, the TikTok and Instagram
apps when installed, the AdbKeyboard IME once uiautomator2 installed it."""

from __future__ import annotations

import zlib
from dataclasses import dataclass

from devices.sim.app.instagram.parts import ACTIVITY as INSTAGRAM_ACTIVITY
from devices.sim.app.instagram.parts import PACKAGE as INSTAGRAM_PACKAGE
from devices.sim.app.instagram.parts import VERSION as INSTAGRAM_VERSION
from devices.sim.app.instagram.parts import VERSION_CODE as INSTAGRAM_VERSION_CODE
from devices.sim.app.ui import ACTIVITIES, PACKAGE, version_code
from devices.sim.chrome import CHROME_ACTIVITY, CHROME_PACKAGE
from devices.sim.phone import ADB_KEYBOARD, Phone
from devices.sim.system_ui import LAUNCHER_ACTIVITY, LAUNCHER_PACKAGE, SYSTEMUI_PACKAGE

IME_PACKAGE = ADB_KEYBOARD.split("/")[0]
SYSTEM_INSTALL_TIME = "2024-03-01 09:10:02"  # the first boot
APP_INSTALL_TIME, APP_UPDATE_TIME = "2024-03-01 09:12:44", "2024-06-18 21:03:10"


@dataclass(frozen=True, slots=True)
class Package:
    """One installed package."""

    name: str
    version_name: str
    version_code: int
    uid: int
    apk: str  # the path `pm path` prints
    system: bool
    launcher_activity: str | None = None
    first_install: str = SYSTEM_INSTALL_TIME
    last_update: str = SYSTEM_INSTALL_TIME

    @property
    def code_path(self) -> str:
        """The folder of the APK (the framework's own APK for `android`)."""
        return self.apk if self.name == "android" else self.apk.rsplit("/", 1)[0]


def _app_folder(name: str) -> str:
    token = f"{zlib.crc32(name.encode()):08x}"
    return f"/data/app/~~{token}{token[::-1]}==/{name}-{token[2:]}{token[:2]}=="


def _system(phone: Phone) -> list[Package]:
    release, sdk = phone.model.release, phone.model.sdk
    return [
        Package("android", release, sdk, 1000, "/system/framework/framework-res.apk", True),
        Package(SYSTEMUI_PACKAGE, release, sdk, 10091, "/system_ext/priv-app/SystemUIGoogle/SystemUIGoogle.apk", True),
        Package(
            LAUNCHER_PACKAGE,
            release,
            sdk,
            10088,
            "/system_ext/priv-app/NexusLauncherRelease/NexusLauncherRelease.apk",
            True,
            LAUNCHER_ACTIVITY,
        ),
        Package(
            CHROME_PACKAGE, "120.0.6099.144", 609914434, 10109, "/product/app/Chrome/Chrome.apk", True, CHROME_ACTIVITY
        ),
        Package(
            "com.android.settings",
            release,
            sdk,
            1000,
            "/system_ext/priv-app/SettingsGoogle/SettingsGoogle.apk",
            True,
            "com.android.settings.Settings",
        ),
        Package(
            "com.android.vending",
            "39.5.22-31 [0] [PR] 598394327",
            83952230,
            10117,
            "/product/priv-app/Phonesky/Phonesky.apk",
            True,
            "com.android.vending.AssetBrowserActivity",
        ),
        Package(
            "com.google.android.inputmethod.latin",
            "13.6.08.586704578-release-arm64-v8a",
            136082380,
            10135,
            "/product/app/LatinIMEGooglePrebuilt/LatinIMEGooglePrebuilt.apk",
            True,
        ),
        Package(
            "com.google.android.permissioncontroller",
            f"{sdk} system image",
            sdk * 10_000_000 + 813020,
            10146,
            "/apex/com.android.permission/priv-app/GooglePermissionController/GooglePermissionController.apk",
            True,
        ),
        Package("com.android.shell", release, sdk, 2000, "/system/priv-app/Shell/Shell.apk", True),
    ]


def installed(phone: Phone) -> dict[str, Package]:
    """The installed packages by name, in `pm list packages` order."""
    packages = _system(phone)
    if phone.app_installed:
        packages.append(
            Package(
                PACKAGE,
                phone.app_version,
                version_code(phone.app_version),
                10120,
                _app_folder(PACKAGE) + "/base.apk",
                False,
                ACTIVITIES["launcher"],
                APP_INSTALL_TIME,
                APP_UPDATE_TIME,
            )
        )
    if phone.instagram_installed:
        packages.append(
            Package(
                INSTAGRAM_PACKAGE,
                INSTAGRAM_VERSION,
                INSTAGRAM_VERSION_CODE,
                10121,
                _app_folder(INSTAGRAM_PACKAGE) + "/base.apk",
                False,
                INSTAGRAM_ACTIVITY,
                APP_INSTALL_TIME,
                APP_UPDATE_TIME,
            )
        )
    if ADB_KEYBOARD in phone.input.imes:
        installed_at = phone.install_times.get(IME_PACKAGE, APP_INSTALL_TIME)
        packages.append(
            Package(
                IME_PACKAGE,
                "2.4.0",
                20400,
                10150,
                _app_folder(IME_PACKAGE) + "/base.apk",
                False,
                first_install=installed_at,
                last_update=installed_at,
            )
        )
    return {p.name: p for p in packages}
