"""AppSession: looking at and touching one app on one phone, cheaply.

One `dump_hierarchy` gives a Screen, kept until the next action; elements are found in it
client-side and tapped by coordinates, so a step costs one dump and one click instead of an
`exist` RPC per selector tried. Waiting polls the dump with `clock.sleep`, which --time-scale
compresses. Every fresh dump goes through the session's Interruptions (interruptions.py): a
dialog is dismissed, a rate-limit or error message ends the step with its text.

Elements are asked for by name (`tab_home`, `profile_follow`); the app's selectors file
(devices/selectors/) says how each name is found in the installed version. Every part of an
app (devices/ui/navigation.py, devices/ui/tiktok/profiles.py, ...) holds one session.
"""

from __future__ import annotations

import shlex
import time
from typing import Any

from devices.errors import ScriptFailed
from devices.selectors import AppSelectors, Selectors
from devices.ui.interruptions import Interruptions
from devices.ui.screen import Element, Screen

POLL_S = 0.5  # between two dumps while waiting (run seconds, scaled)
WAIT_S = 10.0  # how long an expected screen may take to show (run seconds, scaled)
MAX_DIALOGS = 4  # dialogs dismissed in a row before giving up on a screen
RETRIES = 4  # taps tried when the screen does not react (a dialog popped up over it)


def bare_username(username: str) -> str:
    """A username as compared: no @, no spaces, lower case."""
    return username.strip().lstrip("@").strip().lower()


class AppSession:
    """One app on one phone: the driver, the clock, the app's selectors (`sel`: the installed
    version's), the timing of waits, and the dialogs dismissed."""

    def __init__(
        self, driver: Any, clock: Any, selectors: AppSelectors, *, wait_s: float = WAIT_S, poll_s: float = POLL_S
    ) -> None:
        self.driver = driver
        self.clock = clock
        self.selectors = selectors
        self.package = selectors.package
        self.sel: Selectors = selectors.resolve(None)  # the installed version's, once prepared
        self.wait_s = wait_s
        self.poll_s = poll_s
        self.interruptions = Interruptions(selectors.app)
        self._screen: Screen | None = None
        self._parsed: Screen | None = None  # the last dump parsed: a poll often sees the same screen again

    @property
    def serial(self) -> str:
        """The phone's serial."""
        return self.driver.serial

    @property
    def app_name(self) -> str:
        """The app's name as people know it ("TikTok")."""
        return self.selectors.app

    # -- seeing ------------------------------------------------------------------------------------
    async def look(self, *, fresh: bool = False) -> Screen:
        """The screen as it is now (the last dump unless something was done since, or `fresh`)."""
        if self._screen is not None and not fresh:
            return self._screen
        screen = await self._dump()
        for dismissed in range(MAX_DIALOGS + 1):
            if self.interruptions.known_clear(screen, self.sel):
                break
            self.interruptions.check_messages(screen, self.sel)
            button = None if dismissed == MAX_DIALOGS else self.interruptions.dismissal(screen, self.sel)
            if button is None:
                if dismissed < MAX_DIALOGS:
                    self.interruptions.note_clear(screen, self.sel)
                break
            await self.driver.click(*button.center)
            screen = await self._dump()
        self._screen = screen
        return screen

    async def _dump(self) -> Screen:
        """A fresh dump, parsed (or the last one's parse again, when the phone shows the very same hierarchy)."""
        xml = await self.driver.dump_hierarchy()
        if self._parsed is None or self._parsed.xml != xml:
            self._parsed = Screen.parse(xml)
        return self._parsed

    async def find(self, name: str) -> Element | None:
        """The element `name` on the current screen, if a finger can reach it."""
        return (await self.look()).find(self.sel[name])

    async def wait_for(
        self, *names: str, timeout_s: float | None = None, stop_on_dialog: bool = False
    ) -> tuple[str, Element] | None:
        """The first of `names` to show up within `timeout_s` run seconds, or None (at once, with
        `stop_on_dialog`, when a dialog had to be dismissed: it may have eaten the last tap)."""
        deadline = time.monotonic() + (self.wait_s if timeout_s is None else timeout_s) * self.clock.time_scale
        attempt, dialogs = 0, self.interruptions.count
        while True:
            screen = await self.look(fresh=attempt > 0)
            for name in names:
                element = screen.find(self.sel[name])
                if element is not None:
                    return name, element
            if stop_on_dialog and self.interruptions.count > dialogs:
                return None
            attempt += 1
            if attempt >= 2 and time.monotonic() >= deadline:
                return None
            await self.clock.sleep(self.poll_s)

    async def expect(self, *names: str, what: str, timeout_s: float | None = None) -> tuple[str, Element]:
        """Like wait_for, but a ScriptFailed saying `what` did not show up."""
        found = await self.wait_for(*names, timeout_s=timeout_s)
        if found is None:
            raise ScriptFailed(f"{what} did not show up on {self.serial}")
        return found

    async def wait_gone(self, name: str, timeout_s: float) -> bool:
        """Whether element `name` is (or goes) away within `timeout_s` run seconds."""
        deadline = time.monotonic() + timeout_s * self.clock.time_scale
        attempt = 0
        while True:
            if not (await self.look(fresh=attempt > 0)).matching(self.sel[name]):
                return True
            attempt += 1
            if attempt >= 2 and time.monotonic() >= deadline:
                return False
            await self.clock.sleep(self.poll_s)

    # -- touching ----------------------------------------------------------------------------------
    def changed(self) -> None:
        """The screen is about to change: the next look dumps again."""
        self._screen = None

    async def tap(self, element: Element) -> None:
        """Tap an element at its centre."""
        self.changed()
        await self.driver.click(*element.center)

    async def double_tap(self, element: Element) -> None:
        """Two taps in quick succession at an element's centre (Instagram likes media so)."""
        self.changed()
        await self.driver.double_click(*element.center)

    async def tap_point(self, x: int, y: int) -> None:
        """Tap a point."""
        self.changed()
        await self.driver.click(x, y)

    async def tap_on(self, name: str, *, what: str, timeout_s: float | None = None) -> Element:
        """Wait for element `name` and tap it; ScriptFailed naming `what` if it never shows."""
        _, element = await self.expect(name, what=what, timeout_s=timeout_s)
        await self.tap(element)
        return element

    async def tap_until(
        self, target: str | Element, *shows: str, what: str, button: str | None = None, timeout_s: float | None = None
    ) -> tuple[str, Element]:
        """Tap `target` (an element name or an element) until one of `shows` is on screen, tapping
        again while the target is still there (a dialog popping up can take a tap, and its own
        button may be where the tap lands). ScriptFailed saying `what` did not show up."""
        for attempt in range(RETRIES):
            if isinstance(target, Element):
                element = target
            else:
                _, element = await self.expect(target, what=button or f"the {target} button")
            await self.tap(element)
            found = await self.wait_for(*shows, timeout_s=timeout_s, stop_on_dialog=attempt < RETRIES - 1)
            if found is not None:
                return found
            if not await self._still_there(target, element):
                break
        raise ScriptFailed(f"{what} did not show up on {self.serial}")

    async def _still_there(self, target: str | Element, element: Element) -> bool:
        screen = await self.look()
        if isinstance(target, str):
            return screen.find(self.sel[target]) is not None
        return any(
            e.label == element.label and e.bounds == element.bounds and screen.reachable(e) for e in screen.elements
        )

    async def tap_flips(self, name: str, state: str, *, what: str) -> Element | None:
        """Tap element `name` until its label reads `state` (a few tries); the element after."""
        _, element = await self.expect(name, what=f"the {what} button")
        after: Element | None = element
        for _ in range(RETRIES):
            await self.tap(after)  # type: ignore[arg-type]
            after = await self.find(name)
            if after is None or self.labelled(after, state):
                break
        return after

    async def type_into(self, element: Element, text: str) -> None:
        """Put `text` in a field (focus it with a tap first when needed), replacing what it held."""
        for attempt in range(RETRIES):
            if attempt or not element.focused:
                await self.tap(element)
            self.changed()
            if await self.driver.set_focused_text(text):
                return
            await self.look(fresh=True)  # a dialog may have taken the tap; it is dismissed here
        raise ScriptFailed(f"could not type into the {element.hint or element.desc or 'text'} field")

    async def press(self, key: str) -> None:
        """Press a key (back, enter, home)."""
        self.changed()
        await self.driver.press(key)

    async def swipe_up(self) -> None:
        """Swipe from the lower to the upper part of the screen (the next video)."""
        width, height = await self.screen_size()
        self.changed()
        await self.driver.swipe(width // 2, height * 3 // 4, width // 2, height // 4, steps=10)

    async def screen_size(self) -> tuple[int, int]:
        """Width and height, from the outermost node of the last dump."""
        screen = await self.look()
        if screen.elements:
            left, top, right, bottom = screen.elements[0].bounds
            if right > left and bottom > top:
                return right, bottom
        info = await self.driver.info()
        return info["displayWidth"], info["displayHeight"]

    async def shell(self, *args: str) -> tuple[str, int]:
        """Run a command on the phone, given as arguments (quoted for the phone's shell)."""
        return await self.driver.shell(" ".join(shlex.quote(arg) for arg in args))

    # -- reading labels ----------------------------------------------------------------------------
    def labelled(self, element: Element | None, state: str) -> bool:
        """Whether an element's text or content-desc starts with one of the words of `state`."""
        if element is None:
            return False
        return any(element.label.startswith(word) for word in self.sel.label(state))

    def mentions(self, element: Element | None, state: str) -> bool:
        """Whether an element's text or content-desc contains one of the words of `state`."""
        if element is None:
            return False
        return any(word in element.text or word in element.desc for word in self.sel.label(state))
