"""Files onto the phone for an app to pick: copied into a gallery folder, indexed by the media scanner."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from devices.ui.session import AppSession

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
SCAN = "android.intent.action.MEDIA_SCANNER_SCAN_FILE"


@dataclass
class PhoneMedia:
    """The phone's gallery, as any app's picker lists it."""

    session: AppSession

    async def push(self, files: list[Path], prefix: str, folder: str) -> list[str]:
        """Copy files to a folder of the phone and have the media scanner index them; their paths there."""
        driver = self.session.driver
        remotes = [f"{folder}/{prefix}{i}_{_UNSAFE.sub('_', Path(f).name)}" for i, f in enumerate(files)]
        for local, remote in zip(files, remotes, strict=False):
            await driver.push(local, remote)
        scans = " ; ".join(f"am broadcast -a {SCAN} -d {shlex.quote('file://' + remote)}" for remote in remotes)
        await driver.shell(scans)
        return remotes
