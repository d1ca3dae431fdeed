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
from devices.ui.session import RETRIES
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
        await self.tap_until("tab_create", "camera_upload", what="the camera", button="the Create button")

    async def open_editor_from_gallery(self, remotes: list[str]) -> None:
        """From the camera: Upload, pick the files, Next."""
        await self.tap_until("camera_upload", "gallery_tile", "gallery_empty", what="the gallery",
                             button="the Upload button")
        await self.pick_media(remotes)
        await self.tap_until("next", "editor_volume", what="the video editor", button="the Next button of the gallery")
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
            await self.tap_until(row, "use_this_sound", what=f"the page of the sound {title!r}")
        await self.tap_until("use_this_sound", "camera_upload", what="the camera", button="the Use this sound button")
        return title

    def _sound_chosen(self, screen: Screen, title: str) -> bool:
        """Whether the picker marks the row of `title` selected (a picker that marks none is checked
        after Done, by the editor showing the sound's title)."""
        return any(r.text == title and (r.selected or any(a.selected for a in screen.ancestors(r)))
                   for r in self._sound_rows(screen))

    def _sound_rows(self, screen: Screen) -> list[Element]:
        titles = screen.find_all(self.sel["sound_row_title"])
        if titles or self.sel.known_version:
            return titles
        # Without ids: the rows below the search field, each titled by its first text.
        field = next((e for e in screen.elements if e.cls.endswith("EditText")), None)
        return [t for row in screen.rows(after=field) if (t := screen.first_text(row)) is not None]

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
        _, field = await self.tap_until("editor_add_sound", "sound_search", what="the sound picker",
                                        button="the Add sound button")
        if keyword:
            await self.type_into(field, keyword)
            for _ in range(RETRIES):
                button = await self.find("search_button")
                await (self.tap(button) if button is not None else self.press("enter"))
                if self._sound_rows(await self.look()):
                    break
        row = self._choose_row(self._sound_rows(await self.look()), keyword, pick)
        if row is None:
            raise ScriptFailed(f"no sound found for {keyword!r}" if keyword else "the sound picker lists no sounds")
        title = row.text
        for _ in range(RETRIES):
            await self.tap(row)
            if not await self.wait_gone("sound_loading", wait_s):
                raise ScriptFailed(f"the sound {title!r} did not load in {wait_s:g} s")
            if self._sound_chosen(await self.look(), title):
                break
        await self.tap_until("done", "editor_volume", what="the video editor", button="the Done button of the sound picker")
        added = await self.find("editor_add_sound")
        if added is not None and title not in added.label:
            raise ScriptFailed(f"the sound {title!r} was not added (the editor shows {added.label!r})")
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
        await self.tap_until("editor_volume", "volume_bar", what="the volume bars", button="the Volume button")
        for _ in range(RETRIES):
            done = await self._set_bars(await self.look(), original, added)
            wrong = self._wrong_bars(await self.look(), original, added)
            if not wrong:
                break
        if wrong:
            raise ScriptFailed(f"the volume did not take: {wrong}")
        await self.tap_until("done", "editor_volume", what="the video editor", button="the Done button of the volume panel")
        return "/".join(done)

    def _bars(self, screen: Screen, original: int, added: int | None) -> list[tuple[Element, int]]:
        bars = screen.find_all(self.sel["volume_bar"])
        labelled = {s: next((b for b in bars if self.labelled(b, s)), None) for s in ("original_sound", "added_sound")}
        first, second = (bars + [None, None])[:2]
        pairs = [(labelled["original_sound"] or first, original), (labelled["added_sound"] or second, added)]
        return [(bar, value) for bar, value in pairs if bar is not None and value is not None and bar.enabled]

    async def _set_bars(self, screen: Screen, original: int, added: int | None) -> list[str]:
        done = []
        for bar, value in self._bars(screen, original, added):
            left, top, right, bottom = bar.bounds
            await self.tap_point(min(right - 1, left + round(value / 100 * (right - left))), (top + bottom) // 2)
            done.append(str(value))
        return done

    def _wrong_bars(self, screen: Screen, original: int, added: int | None) -> str:
        """Bars whose shown value (when they show one) is not the one asked for."""
        return ", ".join(f"{bar.text} instead of {value}" for bar, value in self._bars(screen, original, added)
                         if bar.text.isdigit() and int(bar.text) != value)

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
