"""Preparation: before a task, the screen on and unlocked, the app installed, of a known version,
in a language we drive, in front, at home.

App-neutral: it needs the app's package and selectors file, and the phone's keyguard, which is
Android's own (the AOSP ids `keyguard_*`, `lock_icon`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from devices.errors import AppProblem, DeviceNotReady
from devices.ui.language import check_language, speaks_driven_language
from devices.ui.navigation import Navigation
from devices.ui.screen import Screen
from devices.ui.session import AppSession

SYSTEM_UI = "com.android.systemui"
_VERSION = re.compile(r"versionName=(\S+)")


def is_locked(screen: Screen) -> bool:
    """Whether the keyguard is what the dump shows."""
    return any(
        e.package == SYSTEM_UI and (":id/keyguard" in e.rid or e.rid.endswith(":id/lock_icon")) for e in screen.elements
    )


@dataclass
class Preparation:
    """Readies one phone and its app for a task."""

    session: AppSession
    navigation: Navigation

    async def prepare(self) -> list[str]:
        """Ready the phone for a task; returns warnings (an app version we have no selectors for)."""
        session = self.session
        await self.wake_and_unlock()
        version = await self.installed_version()
        warnings = []
        if not session.selectors.knows(version):
            warnings.append(
                f"{session.app_name} {version} on {session.serial} is a version droidledger has no"
                f" selectors for; using those of {session.selectors.newest} (labels first)"
            )
        session.sel = session.selectors.resolve(version)
        with session.interruptions.from_earlier_tasks():
            await self.navigation.launch()
            first = await session.look()
            if not speaks_driven_language(session.selectors, first):
                await check_language(session, first)
            await self.navigation.go_home()
            screen = await session.look()
            await check_language(session, screen)
            if session.interruptions.shows_message(screen, session.sel):
                # A toast left by an earlier task (real ones fade; a touch clears them).
                home = screen.find(session.sel["tab_home"])
                if home is not None:
                    await session.tap(home)
        return warnings

    async def wake_and_unlock(self) -> None:
        """Turn the screen on and swipe a swipe lock away."""
        session = self.session
        info = await session.driver.info()
        if not info.get("screenOn", True):
            await session.driver.wake()
        elif info.get("currentPackageName") != SYSTEM_UI:
            return
        screen = await session.look(fresh=True)
        if not is_locked(screen):
            return
        width, height = await session.screen_size()
        session.changed()
        await session.driver.swipe(width // 2, height * 9 // 10, width // 2, height // 4, steps=20)
        if is_locked(await session.look(fresh=True)):
            raise DeviceNotReady(
                f"the screen of {session.serial} stays locked after a swipe: droidledger unlocks"
                " swipe locks only, not a PIN, pattern or password"
            )

    async def installed_version(self) -> str:
        """The app's versionName; AppProblem when it is not installed."""
        session = self.session
        output, _ = await session.shell("dumpsys", "package", session.package)
        found = _VERSION.search(output)
        if found is None:
            raise AppProblem(f"{session.app_name} ({session.package}) is not installed on {session.serial}")
        return found.group(1)
