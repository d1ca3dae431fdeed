"""What every app of the farm does the same way: a back stack of screens (sheets drawn over the
screen below), a dialog over them, the focused text field, and the touches that go to the front
screen. An app keeps `stack`, `dialog`, `running`, `visible`, `accounts` and `current`, and may
follow the view (`sync_view`, called after every change of what shows)."""

from __future__ import annotations

from collections.abc import Callable

from devices.sim.app.screen import Screen


class ScreenStackApp:
    """The back stack, the dialog and text input of an app's process."""

    stack: list[Screen]
    dialog: str | None
    running: bool
    visible: bool

    @property
    def account(self):
        """The account signed in now."""
        return self.accounts[self.current]

    @property
    def top(self) -> Screen:
        """The screen (or sheet) in front."""
        return self.stack[-1]

    def screen_name(self) -> str:
        """The front screen's name, as the farm's state shows it."""
        return self.top.name if self.stack else "none"

    def _base_index(self) -> int:
        """The index of the screen the front sheets are drawn over."""
        return max(i for i, s in enumerate(self.stack) if not s.sheet or i == 0)

    def sync_view(self) -> None:
        """What shows changed (an app that follows it, e.g. for watch time, overrides this)."""

    # -- visibility ----------------------------------------------------------------------------------
    def show(self) -> None:
        """The app is seen again (the lock screen went away)."""
        self.visible = True
        self.sync_view()

    def hide(self) -> None:
        """The app went to the background (Home key, another app)."""
        self.visible = False
        self.sync_view()

    # -- navigation ----------------------------------------------------------------------------------
    def push(self, screen: Screen) -> None:
        """Open a screen (or a sheet) in front."""
        self.stack.append(screen)
        self.sync_view()

    def pop(self) -> None:
        """Close the front screen."""
        if len(self.stack) > 1:
            self.stack.pop()
        self.sync_view()

    def back(self) -> bool:
        """The Back key or arrow; False when the app has nothing to close and goes to the background."""
        if self.dialog is not None:
            self.dialog = None
            return True
        if len(self.stack) <= 1:
            return False
        self.pop()
        return True

    def interrupt(self, kind: str) -> None:
        """An interrupting dialog appears over the app (while it is seen)."""
        if self.running and self.visible:
            self.dialog = kind

    # -- text input and touches ----------------------------------------------------------------------
    def focused(self) -> Screen | None:
        """The screen whose text field has focus, if a field has."""
        return self.top if self.stack and self.top.focus is not None and self.dialog is None else None

    def edit(self, change: Callable[[str], str]) -> bool:
        """Change the focused field's text; False if no field has focus."""
        screen = self.focused()
        if screen is None:
            return False
        screen.fields[screen.focus] = change(screen.fields.get(screen.focus, ""))
        return True

    def focus_field(self, name: str) -> None:
        """Give a field of the front screen the focus (tapping it)."""
        self.top.focus = name

    def set_field(self, name: str, text: str) -> None:
        """UiObject.setText on a field of the front screen: its text replaced, and the focus."""
        self.top.fields[name] = text
        self.top.focus = name

    def submit(self) -> None:
        """Enter / the IME action on the focused field."""
        if self.dialog is None and self.stack:
            self.top.submit(self)

    def swipe(self, direction: str) -> None:
        """A swipe over the app."""
        if self.dialog is None and self.stack:
            self.top.swipe(self, direction)
            self.sync_view()
