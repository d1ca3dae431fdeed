"""What pops up over an app: dialogs, dismissed and noted, and the app's messages that end a step.

Every fresh dump of the session passes here. A dialog whose title asks for a media permission
(one of the `allow_for` words) is allowed; any other is dismissed by its dismiss button, else
its close icon. A rate-limit or error message ends the step with its text, except while the
phone is being prepared, when a message on screen is an earlier task's. A rate limit and an
"action blocked" dialog are the platform's warnings to the account (AccountWarned: the account
rests). The element names are the same for every app: dialog_title, dialog_dismiss,
dialog_close, permission_allow, rate_limit, action_blocked and app_error (and, when the app has it,
dialog_body: the text under an action block's title, added to the reason).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

from devices.errors import AccountWarned, ScriptFailed
from devices.selectors import Selectors
from devices.ui.screen import Element, Screen


class Interruptions:
    """The dialogs dismissed in one app on one phone: the latest 50, and those not yet reported."""

    def __init__(self, app_name: str) -> None:
        self.app_name = app_name
        self.dismissed: deque[str] = deque(maxlen=50)
        self.count = 0
        self._unreported: list[str] = []  # dismissed since the last take()
        self._earlier_tasks = False  # while preparing, a message on screen is an old task's
        self._clear: tuple[Screen, Selectors, bool] | None = None  # the last screen found free of messages and dialogs

    def check_messages(self, screen: Screen, sel: Selectors) -> None:
        """AccountWarned with the text of a rate limit or an action block on screen; ScriptFailed with
        an error message's."""
        if self._earlier_tasks:
            return
        limited = screen.matching(sel["rate_limit"])
        if limited:
            raise AccountWarned(f"rate limited by {self.app_name}: {limited[0].label}")
        blocked = screen.matching(sel["action_blocked"])
        if blocked:
            body = screen.find(sel.elements.get("dialog_body", ()))
            said = blocked[0].label
            if body is not None and body.label != said:
                said += f" … {body.label}"
            raise AccountWarned(f"action blocked by {self.app_name}: {said}")
        error = screen.matching(sel["app_error"])
        if error:
            raise ScriptFailed(f"{self.app_name} says: {error[0].label}")

    def known_clear(self, screen: Screen, sel: Selectors) -> bool:
        """Whether this very screen was already found free of messages and dialogs, with the same selectors
        and rule (a poll that dumps the same hierarchy again gets the same parse: nothing to look at twice)."""
        clear = self._clear
        return clear is not None and clear[0] is screen and clear[1] is sel and clear[2] == self._earlier_tasks

    def note_clear(self, screen: Screen, sel: Selectors) -> None:
        """`screen` passed check_messages and had no dialog to dismiss."""
        self._clear = (screen, sel, self._earlier_tasks)

    def shows_message(self, screen: Screen, sel: Selectors) -> bool:
        """Whether a rate-limit, action-blocked or error message shows."""
        return any(screen.matching(sel[name]) for name in ("rate_limit", "action_blocked", "app_error"))

    @contextmanager
    def from_earlier_tasks(self) -> Iterator[None]:
        """Within it, messages on screen are an earlier task's: they fail nothing."""
        self._earlier_tasks = True
        try:
            yield
        finally:
            self._earlier_tasks = False

    def dismissal(self, screen: Screen, sel: Selectors) -> Element | None:
        """The button that dismisses the dialog on screen, noted as dismissed; None without a dialog."""
        title = screen.find(sel["dialog_title"])
        if title is not None and any(word in title.label.lower() for word in sel.label("allow_for")):
            button = screen.find(sel["permission_allow"])
        else:
            button = screen.find(sel["dialog_dismiss"])
        if button is None and title is not None:
            button = screen.find(sel["dialog_close"])
        if button is None:
            return None
        self.dismissed.append(f"{title.label if title else 'dialog'} ({button.label or 'close'})")
        self._unreported.append(self.dismissed[-1])
        self.count += 1
        return button

    def take(self) -> list[str]:
        """The dialogs dismissed since the last call, for the detail of the step that met them."""
        taken, self._unreported = self._unreported, []
        return taken
