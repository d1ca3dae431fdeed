"""The apps' tasks in front of the home screen, as Android stacks them: starting an app brings its task to the
front; Home sends every task behind the home screen; Back at an app's root, or a force-stop, takes its task away
and the one below shows again (or the home screen)."""

from __future__ import annotations

from devices.sim.app_process import AppProcess


class Tasks:
    """The modelled apps by package, and the order of their tasks in front of the home screen (front last)."""

    def __init__(self, apps: dict[str, AppProcess]) -> None:
        self.apps = apps
        self.order: list[str] = []

    def front(self) -> AppProcess | None:
        """The app in front (None: the home screen)."""
        return self.apps[self.order[-1]] if self.order else None

    def bring_to_front(self, package: str) -> None:
        """An app's task comes to the front; the one that was there goes behind it."""
        app, current = self.apps[package], self.front()
        if current is not None and current is not app:
            current.hide()
        if package in self.order:
            self.order.remove(package)
        self.order.append(package)

    def take_away(self, package: str, seen: bool) -> None:
        """An app's task leaves the screen; if it was in front, the one below shows again (`seen`: the screen is on
        and unlocked)."""
        was_front = self.front() is self.apps[package]
        if package in self.order:
            self.order.remove(package)
        below = self.front()
        if was_front and below is not None and seen:
            below.show()

    def go_home(self) -> None:
        """Home: every task goes behind the home screen."""
        current = self.front()
        if current is not None:
            current.hide()
        self.order.clear()
