"""What the phone needs from an app it runs (the TikTok app, Chrome): its lifecycle, its windows, and the input
that reaches it while it is in front."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from devices.sim.hierarchy import Node


class AppProcess(Protocol):
    """An app the phone can start, show, hide, stop, draw and send input to."""

    package: str
    running: bool

    def launch(self) -> None:
        """Start it, or bring it back as it was, seen."""

    def stop(self) -> None:
        """Kill its process (force-stop)."""

    def show(self) -> None:
        """It is seen again."""

    def hide(self) -> None:
        """It went behind (another app, the home screen, the lock screen)."""

    def activity(self) -> str:
        """The activity in front."""

    def screen_name(self) -> str:
        """What the farm's state calls the screen it shows."""

    def windows(self) -> list[Node]:
        """Its windows, bottom to top."""

    def back(self) -> bool:
        """The Back key; False when it has nothing left to close (its task goes behind)."""

    def before_input(self) -> None:
        """A touch or a key is coming (notices that go away at the next touch)."""

    def sync_view(self) -> None:
        """A touch or a key was handled."""

    def swipe(self, direction: str) -> None:
        """A swipe up, down, left or right over it."""

    def focus_field(self, name: str) -> None:
        """A text field was tapped."""

    def set_field(self, name: str, text: str) -> None:
        """UiObject.setText on a text field (it gets the focus)."""

    def edit(self, change: Callable[[str], str]) -> bool:
        """Change the focused field's text; False when no field has focus."""

    def submit(self) -> None:
        """Enter (or the IME's action) on the focused field."""
