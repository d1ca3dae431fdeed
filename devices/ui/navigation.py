"""Navigation: the app started, in front, at its home screen, or at a URL.

App-neutral: it needs the app's package and one element, `tab_home` (the home tab of the
bottom bar, selected when home shows).
"""

from __future__ import annotations

from dataclasses import dataclass

from devices.errors import AppProblem, ScriptFailed
from devices.ui.language import check_language
from devices.ui.session import AppSession

BACK_PRESSES = 4


@dataclass
class Navigation:
    """Getting around one app on one phone."""

    session: AppSession

    async def launch(self) -> None:
        """Start the app, or bring it to the front as the launcher would."""
        session = self.session
        session.changed()
        output, _ = await session.shell("monkey", "-p", session.package, "-c", "android.intent.category.LAUNCHER", "1")
        if "No activities found" in output or "aborted" in output:
            raise AppProblem(f"{session.app_name} ({session.package}) could not be started on {session.serial}")

    async def restart(self) -> None:
        """Stop the app and start it afresh (it opens on its home screen)."""
        self.session.changed()
        await self.session.shell("am", "force-stop", self.session.package)
        await self.launch()

    async def go_home(self) -> None:
        """The home screen with the bottom bar: back out of whatever is open, restart the app as a last resort."""
        session = self.session
        tapped = 0
        for _ in range(BACK_PRESSES + 4):
            screen = await session.look(fresh=True)
            if session.package not in screen.packages():
                await self.launch()
                continue
            home = screen.find(session.sel["tab_home"])
            if home is not None:
                if home.selected or tapped >= 2:
                    return
                await session.tap(home)
                tapped += 1
                continue
            await session.press("back")
        await self.restart()
        if (await session.look(fresh=True)).find(session.sel["tab_home"]) is None:
            await check_language(session, await session.look())
            raise AppProblem(f"{session.app_name} on {session.serial} does not show its home screen")

    async def open_url(self, url: str) -> None:
        """Open a URL in the app with a VIEW intent."""
        session = self.session
        session.changed()
        output, code = await session.shell(
            "am", "start", "-a", "android.intent.action.VIEW", "-d", url, "-p", session.package
        )
        if code != 0 or "Error" in output:
            raise ScriptFailed(f"{session.app_name} did not open {url}: {output.strip()[-120:]}")
