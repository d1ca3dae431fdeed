"""TikTok's create flow: into the editor (shared from the gallery, or + then Upload), on to the
post screen, caption and product link, Post, and the upload until it is published (the editor's
sound and volumes are in sounds.py)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from devices.errors import ScriptFailed
from devices.ui.navigation import Navigation
from devices.ui.screen import Element
from devices.ui.session import RETRIES, AppSession
from devices.ui.tiktok.accounts import Accounts
from devices.ui.tiktok.gallery import Gallery


@dataclass
class Create:
    """Making a post from files pushed to the phone."""

    session: AppSession
    navigation: Navigation
    gallery: Gallery
    accounts: Accounts

    async def open_editor_by_share(self, remotes: list[str], kind: str) -> None:
        """Share the files to the app from the gallery (a SEND intent): the editor opens with them."""
        session = self.session
        session.changed()
        uris = ["file://" + remote for remote in remotes]
        mime = "video/*" if kind == "video" else "image/*"
        if len(uris) == 1:
            extra = ["android.intent.action.SEND", "-t", mime, "--eu", "android.intent.extra.STREAM", uris[0]]
        else:
            extra = [
                "android.intent.action.SEND_MULTIPLE",
                "-t",
                mime,
                "--eua",
                "android.intent.extra.STREAM",
                ",".join(uris),
            ]
        output, code = await session.shell("am", "start", "-p", session.package, "-a", *extra)
        if code != 0 or "Error" in output:
            raise ScriptFailed(f"sharing to {session.app_name} failed: {output.strip()[-120:]}")
        await self._expect_editor()

    async def open_camera(self) -> None:
        """The + (Create) tab."""
        await self.navigation.go_home()
        await self.session.tap_until("tab_create", "camera_upload", what="the camera", button="the Create button")

    async def open_editor_from_gallery(self, remotes: list[str]) -> None:
        """From the camera: Upload, pick the files, Next."""
        session = self.session
        await session.tap_until(
            "camera_upload", "gallery_tile", "gallery_empty", what="the gallery", button="the Upload button"
        )
        await self.gallery.pick(remotes)
        await session.tap_until(
            "next", "editor_volume", what="the video editor", button="the Next button of the gallery"
        )
        await self._expect_editor()

    async def _expect_editor(self) -> None:
        session = self.session
        missing = (await session.look()).containing(session.sel.label("media_missing"))
        if missing is not None:
            raise ScriptFailed(f"{session.app_name} could not load the media: {missing.label}")
        await session.expect("editor_volume", what="the video editor")

    async def to_composer(self) -> None:
        """From the editor, Next to the post screen."""
        self.session.changed()
        await self.session.tap_until(
            "next", "caption_input", "post_button", what="the post screen", button="the Next button of the editor"
        )

    async def write_caption(self, caption: str) -> None:
        """Type the caption (the description)."""
        session = self.session
        _, field = await session.expect("caption_input", what="the description field")
        await session.type_into(field, caption)
        after = await session.find("caption_input")
        if after is not None and after.text not in (caption, after.hint) and caption not in after.text:
            raise ScriptFailed(f"the caption did not take: the field reads {after.text[:60]!r}")

    async def set_product_link(self, on: bool) -> bool:
        """Turn the Add product link switch on or off; whether it was changed."""
        session = self.session
        switch = await session.find("product_link")
        if switch is None:
            if on:
                raise ScriptFailed(f"the post screen on {session.serial} has no Add product link switch")
            return False
        if switch.checked == on:
            return False
        after: Element | None = switch
        for _ in range(RETRIES):
            await session.tap(after)  # type: ignore[arg-type]
            after = await session.find("product_link")
            if after is None or after.checked == on:
                break
        if after is None or after.checked != on:
            raise ScriptFailed("the Add product link switch did not change")
        return True

    async def publish(self) -> None:
        """Post (and Publish now where the version asks)."""
        session = self.session
        session.changed()
        shown, confirm = await session.tap_until(
            "post_button", "publish_now", "upload_banner", "tab_home", what="the upload", button="the Post button"
        )
        if shown == "publish_now":
            await session.tap_until(confirm, "upload_banner", "tab_home", what="the upload")

    async def wait_upload(self, timeout_s: float, caption: str) -> str:
        """Wait until the app says the post is published; ScriptFailed after `timeout_s` run seconds."""
        # The notice can vanish unseen (a tap, such as dismissing a dialog, clears it): then the
        # profile, which lists published posts by caption, tells.
        session = self.session
        deadline = time.monotonic() + timeout_s * session.clock.time_scale
        attempt, quiet, uploading_seen, on_profile = 0, 0, False, False
        while True:
            screen = await session.look(fresh=True)
            notices = screen.matching(session.sel["upload_banner"])
            if any(session.mentions(n, "upload_failed") for n in notices):
                raise ScriptFailed(f"the upload failed: {notices[0].label}")
            if any(session.mentions(n, "upload_done") for n in notices):
                return "published"
            uploading = any(session.mentions(n, "uploading") for n in notices)
            uploading_seen |= uploading
            quiet = 0 if uploading else quiet + 1
            if quiet >= 2:
                if not on_profile:
                    screen, on_profile = await self.accounts.open_own_profile(), True
                if caption and any(caption in (e.desc, e.text) for e in screen.elements):
                    return "published (on the profile)"
                if not caption and uploading_seen:
                    return "published (the upload notice is gone)"
            attempt += 1
            if attempt >= 2 and time.monotonic() >= deadline:
                raise ScriptFailed(f"upload did not finish in {timeout_s:g} s")
            await session.clock.sleep(session.poll_s)
