"""PhoneApp: one app on one phone, as a task run drives it, and the parts every app has.

An app is a set of parts over one AppSession. The app-neutral ones are built here: Navigation
(launch, home, URLs), Preparation (screen, lock, install, version, language) and PhoneMedia
(files into the gallery). An app adds its own flows, each a small object holding the session
(devices/ui/tiktok/: search, profiles, accounts, feed, comments, gallery, sounds, create), and
names one of them `accounts`, which switches the signed-in account.

A new app plugs in as:
  1. devices/selectors/<app>.json: its package, versions' ids and labels, with the elements
     the app-neutral parts use (tab_home; dialog_title, dialog_dismiss, dialog_close,
     permission_allow, rate_limit, action_blocked, app_error; the label allow_for);
  2. devices/ui/<app>/: a PhoneApp subclass whose __init__ builds its flows, under the names
     the scripts call (`profiles.open`, `profiles.follow`, `feed.like`, `comments.write`, ...);
  3. devices/phones.py: its name in APPS (service/domain/apps.py names the apps a task may run on);
     a task's run then asks the phone's session for it by the task's `app`.
"""

from __future__ import annotations

from typing import Any, Protocol

from devices.selectors import AppSelectors
from devices.ui.media import PhoneMedia
from devices.ui.navigation import Navigation
from devices.ui.prepare import Preparation
from devices.ui.session import AppSession


class SwitchesAccounts(Protocol):
    """The part of an app that makes an account the signed-in one."""

    async def switch(self, username: str) -> str:
        """Make `username` the current account; the detail of what happened."""


class PhoneApp:
    """The session, the app-neutral parts, and what the task runner asks of every app."""

    accounts: SwitchesAccounts  # built by each app

    def __init__(self, driver: Any, clock: Any, selectors: AppSelectors, **timing: float) -> None:
        self.session = AppSession(driver, clock, selectors, **timing)
        self.navigation = Navigation(self.session)
        self.preparation = Preparation(self.session, self.navigation)
        self.media = PhoneMedia(self.session)

    async def prepare(self) -> list[str]:
        """Ready the phone and the app for a task; warnings for the `prepare` step's detail."""
        return await self.preparation.prepare()

    async def switch_account(self, username: str) -> str:
        """Make `username` the current account (the `switch-account` step)."""
        return await self.accounts.switch(username)

    def take_dismissed(self) -> list[str]:
        """The dialogs dismissed since the last call, for the detail of the step that met them."""
        return self.session.interruptions.take()
