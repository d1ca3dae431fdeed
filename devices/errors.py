"""What can go wrong with a phone, as droidledger names it.

adbutils and uiautomator2 exceptions are translated into these at one boundary (the driver),
re-raised `from` the original. Every `reason` is a sentence a person understands; it becomes
the `reason` of the task's `failed` event.

    DeviceError                 something went wrong with a phone
    ├── DeviceGone              the phone left adb, or its connection broke ("device disconnected")
    ├── DeviceTimeout           a call took longer than its timeout (the phone is reconnected)
    ├── DeviceNotReady          the phone cannot run automation now (locked, u2 server won't start)
    ├── AppProblem              the app is missing, in another language, or cannot be driven
    └── ScriptFailed            a step could not do its job (user not found, upload stuck, ...)
        └── AccountWarned       the platform warned the account (rate limited, action blocked): it must rest
"""

from __future__ import annotations


class DeviceError(Exception):
    """Something went wrong with a phone; `reason` says what, for a person."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class DeviceGone(DeviceError):
    """The phone is no longer reachable through adb."""


class DeviceTimeout(DeviceError):
    """A device call did not return in time; its connections are closed and it is reconnected."""


class DeviceNotReady(DeviceError):
    """The phone is connected but cannot run automation (screen lock, uiautomator2 server)."""


class AppProblem(DeviceError):
    """The app to drive is missing, in a language we have no selectors for, or unusable."""


class ScriptFailed(DeviceError):
    """A step of a script could not do its job."""


class AccountWarned(ScriptFailed):
    """The app showed the platform's warning to the signed-in account (rate limited, "Too many
    attempts", action blocked, temporarily banned): the account rests before it acts again."""
