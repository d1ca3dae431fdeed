"""Making a post: media onto the phone, into the editor (share, + button or a sound's page), caption
and product link, Post, and the upload (the sound and volumes are in sounds.py)."""

from __future__ import annotations

import re
import shlex
import time
from pathlib import Path
from devices.errors import ScriptFailed
from devices.ui.screen import Element
from devices.ui.session import RETRIES
from devices.ui.sounds import Sounds

MEDIA_FOLDER = "/sdcard/DCIM/droidledger"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
SCAN = "android.intent.action.MEDIA_SCANNER_SCAN_FILE"


class Create(Sounds):
    """The create flow."""

    async def push_media(self, files: list[Path], prefix: str, folder: str = MEDIA_FOLDER) -> list[str]:
        """Copy files to the phone's gallery folder and have the media scanner index them; their paths there."""
        remotes = [f"{folder}/{prefix}{i}_{_UNSAFE.sub('_', Path(f).name)}" for i, f in enumerate(files)]
        for local, remote in zip(files, remotes):
            await self.driver.push(local, remote)
        scans = " ; ".join(f"am broadcast -a {SCAN} -d {shlex.quote('file://' + remote)}" for remote in remotes)
        await self.driver.shell(scans)
        return remotes

    async def open_editor_by_share(self, remotes: list[str], kind: str) -> None:
        """Share the files to the app from the gallery (a SEND intent): the editor opens with them."""
        self.changed()
        uris = ["file://" + remote for remote in remotes]
        mime = "video/*" if kind == "video" else "image/*"
        if len(uris) == 1:
            extra = ["android.intent.action.SEND", "-t", mime, "--eu", "android.intent.extra.STREAM", uris[0]]
        else:
            extra = ["android.intent.action.SEND_MULTIPLE", "-t", mime, "--eua", "android.intent.extra.STREAM", ",".join(uris)]
        output, code = await self.shell("am", "start", "-p", self.package, "-a", *extra)
        if code != 0 or "Error" in output:
            raise ScriptFailed(f"sharing to {self.app.app} failed: {output.strip()[-120:]}")
        await self._expect_editor()

    async def open_camera(self) -> None:
        """The + (Create) tab."""
        await self.go_home()
        await self.tap_until("tab_create", "camera_upload", what="the camera", button="the Create button")

    async def open_editor_from_gallery(self, remotes: list[str]) -> None:
        """From the camera: Upload, pick the files, Next."""
        await self.tap_until("camera_upload", "gallery_tile", "gallery_empty", what="the gallery",
                             button="the Upload button")
        await self.pick_media(remotes)
        await self.tap_until("next", "editor_volume", what="the video editor", button="the Next button of the gallery")
        await self._expect_editor()

    async def to_composer(self) -> None:
        """From the editor, Next to the post screen."""
        self.changed()
        await self.tap_until("next", "caption_input", "post_button", what="the post screen",
                             button="the Next button of the editor")

    async def write_caption(self, caption: str) -> None:
        """Type the caption (the description)."""
        _, field = await self.expect("caption_input", what="the description field")
        await self.type_into(field, caption)
        after = await self.find("caption_input")
        if after is not None and after.text not in (caption, after.hint) and caption not in after.text:
            raise ScriptFailed(f"the caption did not take: the field reads {after.text[:60]!r}")

    async def set_product_link(self, on: bool) -> bool:
        """Turn the Add product link switch on or off; whether it was changed."""
        switch = await self.find("product_link")
        if switch is None:
            if on:
                raise ScriptFailed(f"the post screen on {self.serial} has no Add product link switch")
            return False
        if switch.checked == on:
            return False
        after: Element | None = switch
        for _ in range(RETRIES):
            await self.tap(after)  # type: ignore[arg-type]
            after = await self.find("product_link")
            if after is None or after.checked == on:
                break
        if after is None or after.checked != on:
            raise ScriptFailed("the Add product link switch did not change")
        return True

    async def publish(self) -> None:
        """Post (and Publish now where the version asks)."""
        self.changed()
        shown, confirm = await self.tap_until("post_button", "publish_now", "upload_banner", "tab_home",
                                              what="the upload", button="the Post button")
        if shown == "publish_now":
            await self.tap_until(confirm, "upload_banner", "tab_home", what="the upload")

    async def wait_upload(self, timeout_s: float, caption: str) -> str:
        """Wait until the app says the post is published; ScriptFailed after `timeout_s` run seconds."""
        # The notice can vanish unseen (a tap, such as dismissing a dialog, clears it): then the
        # profile, which lists published posts by caption, tells.
        deadline = time.monotonic() + timeout_s * self.clock.time_scale
        attempt, quiet, uploading_seen, on_profile = 0, 0, False, False
        while True:
            screen = await self.look(fresh=True)
            notices = screen.matching(self.sel["upload_banner"])
            if any(self.mentions(n, "upload_failed") for n in notices):
                raise ScriptFailed(f"the upload failed: {notices[0].label}")
            if any(self.mentions(n, "upload_done") for n in notices):
                return "published"
            uploading = any(self.mentions(n, "uploading") for n in notices)
            uploading_seen |= uploading
            quiet = 0 if uploading else quiet + 1
            if quiet >= 2:
                if not on_profile:
                    screen, on_profile = await self.open_own_profile(), True
                if caption and any(caption in (e.desc, e.text) for e in screen.elements):
                    return "published (on the profile)"
                if not caption and uploading_seen:
                    return "published (the upload notice is gone)"
            attempt += 1
            if attempt >= 2 and time.monotonic() >= deadline:
                raise ScriptFailed(f"upload did not finish in {timeout_s:g} s")
            await self.clock.sleep(self.poll_s)
