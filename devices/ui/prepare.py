"""Before a task: the screen on and unlocked, the app installed, in a language we drive, in front, at home."""

from __future__ import annotations

import re

from devices.errors import AppProblem, DeviceNotReady
from devices.ui.screen import Screen
from devices.ui.session import AppSession

SYSTEM_UI = "com.android.systemui"
_VERSION = re.compile(r"versionName=(\S+)")
BACK_PRESSES = 4


def is_locked(screen: Screen) -> bool:
    """Whether the keyguard (AOSP ids `keyguard_*`, `lock_icon`) is what the dump shows."""
    return any(e.package == SYSTEM_UI and (":id/keyguard" in e.rid or e.rid.endswith(":id/lock_icon"))
               for e in screen.elements)


class Preparation(AppSession):
    """prepare(), launch() and go_home()."""

    async def prepare(self) -> list[str]:
        """Ready the phone for a task; returns warnings (an app version we have no selectors for)."""
        await self.wake_and_unlock()
        version = await self.installed_version()
        warnings = []
        if not self.app.knows(version):
            warnings.append(f"{self.app.app} {version} on {self.serial} is a version droidledger has no selectors for;"
                            f" using those of {self.app.newest} (labels first)")
        self.version = version
        self.sel = self.app.resolve(version)
        self._messages_are_stale = True
        try:
            await self.launch()
            first = await self.look()
            if not self._speaks_driven_language(first):
                await self.check_language(first)
            await self.go_home()
            screen = await self.look()
            await self.check_language(screen)
            if self.stale_message(screen):
                # A toast left by an earlier task (real ones fade; a touch clears them).
                home = screen.find(self.sel["tab_home"])
                if home is not None:
                    await self.tap(home)
        finally:
            self._messages_are_stale = False
        return warnings

    async def wake_and_unlock(self) -> None:
        """Turn the screen on and swipe a swipe lock away."""
        info = await self.driver.info()
        if not info.get("screenOn", True):
            await self.driver.wake()
        elif info.get("currentPackageName") != SYSTEM_UI:
            return
        screen = await self.look(fresh=True)
        if not is_locked(screen):
            return
        width, height = await self.screen_size()
        self.changed()
        await self.driver.swipe(width // 2, height * 9 // 10, width // 2, height // 4, steps=20)
        if is_locked(await self.look(fresh=True)):
            raise DeviceNotReady(f"the screen of {self.serial} stays locked after a swipe: droidledger unlocks"
                                 " swipe locks only, not a PIN, pattern or password")

    async def installed_version(self) -> str:
        """The app's versionName; AppProblem when it is not installed."""
        output, _ = await self.shell("dumpsys", "package", self.package)
        found = _VERSION.search(output)
        if found is None:
            raise AppProblem(f"{self.app.app} ({self.package}) is not installed on {self.serial}")
        return found.group(1)

    async def launch(self) -> None:
        """Start the app, or bring it to the front as the launcher would."""
        self.changed()
        output, _ = await self.shell("monkey", "-p", self.package, "-c", "android.intent.category.LAUNCHER", "1")
        if "No activities found" in output or "aborted" in output:
            raise AppProblem(f"{self.app.app} ({self.package}) could not be started on {self.serial}")

    async def restart(self) -> None:
        """Stop the app and start it afresh (it opens on the home feed)."""
        self.changed()
        await self.shell("am", "force-stop", self.package)
        await self.launch()

    async def go_home(self) -> None:
        """The home feed with the bottom bar: back out of whatever is open, restart the app as a last resort."""
        tapped = 0
        for _ in range(BACK_PRESSES + 4):
            screen = await self.look(fresh=True)
            if self.package not in screen.packages():
                await self.launch()
                continue
            home = screen.find(self.sel["tab_home"])
            if home is not None:
                if home.selected or tapped >= 2:
                    return
                await self.tap(home)
                tapped += 1
                continue
            await self.press("back")
        await self.restart()
        if (await self.look(fresh=True)).find(self.sel["tab_home"]) is None:
            await self.check_language(await self.look())
            raise AppProblem(f"{self.app.app} on {self.serial} does not show its home screen")

    def _speaks_driven_language(self, screen: Screen) -> bool:
        found = dict(self.app.recognised(screen.texts()))
        best = max(found, key=found.__getitem__, default=None)
        return best is None or best in self.app.drives

    async def check_language(self, screen: Screen) -> None:
        """AppProblem naming the language when the screen is not in one the selectors drive."""
        found = self.app.recognised(screen.texts())
        if found and found[0][0] in self.app.drives:
            return
        driven = ", ".join(self.app.languages[code].name for code in self.app.drives)
        if found:
            name = self.app.languages[found[0][0]].name
            raise AppProblem(f"{self.app.app} on {self.serial} is in {name}; droidledger drives it in {driven}"
                             f" only: set the app's language to {driven}")
        locale, _ = await self.shell("getprop", "persist.sys.locale")
        raise AppProblem(f"{self.app.app} on {self.serial} shows none of the labels droidledger knows"
                         f" (the phone's language is {locale.strip() or 'unknown'}); droidledger drives it in"
                         f" {driven} only")
