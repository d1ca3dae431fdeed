"""Making a post: media onto the phone, into the editor (share, + button or a sound's page), sound and
volumes, caption and product link, Post, and the upload."""

from __future__ import annotations

import re
import shlex
import time
from pathlib import Path
from typing import Callable

from devices.errors import ScriptFailed
from devices.ui.screen import Element, Screen
from devices.ui.videos import Videos

MEDIA_FOLDER = "/sdcard/DCIM/droidledger"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
SCAN = "android.intent.action.MEDIA_SCANNER_SCAN_FILE"


class Create(Videos):
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
        await self.tap_on("tab_create", what="the Create button")
        await self.expect("camera_upload", what="the camera")

    async def open_editor_from_gallery(self, remotes: list[str]) -> None:
        """From the camera: Upload, pick the files, Next."""
        await self.tap_on("camera_upload", what="the Upload button")
        await self.pick_media(remotes)
        await self.tap_on("next", what="the Next button of the gallery")
        await self._expect_editor()

    async def _expect_editor(self) -> None:
        missing = (await self.look()).containing(self.sel.label("media_missing"))
        if missing is not None:
            raise ScriptFailed(f"{self.app.app} could not load the media: {missing.label}")
        await self.expect("editor_volume", what="the video editor")

    async def open_sound_page(self, sound: str) -> str:
        """A sound's page, by URL or by searching its name; returns the sound's title."""
        if sound.startswith(("http://", "https://")):
            await self.open_url(sound)
            title = sound
        else:
            await self.search(sound)
            screen = await self.search_tab("search_tab_sounds")
            row = self._choose_row(self._sound_rows(screen), sound)
            if row is None:
                raise ScriptFailed(f"no sound found for {sound!r}")
            title = row.text
            await self.tap(row)
        await self.tap_on("use_this_sound", what="the Use this sound button")
        await self.expect("camera_upload", what="the camera")
        return title

    def _sound_rows(self, screen: Screen) -> list[Element]:
        return screen.find_all(self.sel["sound_row_title"])

    @staticmethod
    def _choose_row(rows: list[Element], wanted: str | None, pick: Callable[[int], int] | None = None) -> Element | None:
        if not rows:
            return None
        if wanted:
            key = wanted.casefold()
            return (next((r for r in rows if r.text.casefold() == key), None)
                    or next((r for r in rows if key in r.text.casefold()), None) or rows[0])
        return rows[pick(len(rows)) if pick else 0]

    async def add_sound(self, keyword: str | None, wait_s: float, pick: Callable[[int], int] | None = None) -> str:
        """In the editor: Add sound, search `keyword` (else a recommended one), wait for it to load, Done."""
        self.changed()
        await self.tap_on("editor_add_sound", what="the Add sound button")
        _, field = await self.expect("sound_search", what="the sound picker")
        if keyword:
            await self.type_into(field, keyword)
            button = await self.find("search_button")
            await (self.tap(button) if button is not None else self.press("enter"))
        row = self._choose_row(self._sound_rows(await self.look()), keyword, pick)
        if row is None:
            raise ScriptFailed(f"no sound found for {keyword!r}" if keyword else "the sound picker lists no sounds")
        title = row.text
        await self.tap(row)
        if not await self.wait_gone("sound_loading", wait_s):
            raise ScriptFailed(f"the sound {title!r} did not load in {wait_s:g} s")
        await self.tap_on("done", what="the Done button of the sound picker")
        await self._expect_editor()
        return title

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

    async def set_volumes(self, original: int, added: int | None) -> str:
        """In the editor: Volume, the two bars set by a tap at the right fraction, Done."""
        self.changed()
        await self.tap_on("editor_volume", what="the Volume button")
        await self.expect("volume_bar", what="the volume bars")
        screen = await self.look()
        bars = screen.find_all(self.sel["volume_bar"])
        by_label = {state: next((b for b in bars if self.labelled(b, state)), None) for state in ("original_sound", "added_sound")}
        first, second = (bars + [None, None])[:2]
        targets = [(by_label["original_sound"] or first, original), (by_label["added_sound"] or second, added)]
        done = []
        for bar, value in targets:
            if bar is None or value is None or not bar.enabled:
                continue
            left, top, right, bottom = bar.bounds
            x = min(right - 1, left + round(value / 100 * (right - left)))
            await self.tap_point(x, (top + bottom) // 2)
            done.append(str(value))
        await self.tap_on("done", what="the Done button of the volume panel")
        await self._expect_editor()
        return "/".join(done)

    async def to_composer(self) -> None:
        """From the editor, Next to the post screen."""
        self.changed()
        await self.tap_on("next", what="the Next button of the editor")
        await self.expect("caption_input", "post_button", what="the post screen")

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
        await self.tap(switch)
        after = await self.find("product_link")
        if after is None or after.checked != on:
            raise ScriptFailed("the Add product link switch did not change")
        return True

    async def publish(self) -> None:
        """Post (and Publish now where the version asks)."""
        self.changed()
        await self.tap_on("post_button", what="the Post button")
        confirm = await self.find("publish_now")
        if confirm is not None:
            await self.tap(confirm)

    async def wait_upload(self, timeout_s: float, caption: str) -> str:
        """Wait until the app says the post is published; ScriptFailed after `timeout_s` run seconds."""
        deadline = time.monotonic() + timeout_s * self.clock.time_scale
        attempt, quiet, checked_profile = 0, 0, False
        while True:
            screen = await self.look(fresh=True)
            notices = screen.matching(self.sel["upload_banner"])
            if any(self.mentions(n, "upload_failed") for n in notices):
                raise ScriptFailed(f"the upload failed: {notices[0].label}")
            if any(self.mentions(n, "upload_done") for n in notices):
                return "published"
            quiet = 0 if any(self.mentions(n, "uploading") for n in notices) else quiet + 1
            if quiet >= 2 and not checked_profile:
                checked_profile = True
                if await self._on_profile(caption):
                    return "published (on the profile)"
            attempt += 1
            if attempt >= 2 and time.monotonic() >= deadline:
                raise ScriptFailed(f"upload did not finish in {timeout_s:g} s")
            await self.clock.sleep(self.poll_s)

    async def _on_profile(self, caption: str) -> bool:
        screen = await self.open_own_profile()
        tiles = screen.find_all(self.sel["video_tile"])
        return bool(caption) and any(caption in (t.desc + t.text) for t in tiles)
