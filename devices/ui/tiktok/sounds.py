"""TikTok's sounds for a post: a sound's page (post way useSound), the editor's sound picker and
its Volume panel."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from devices.errors import ScriptFailed
from devices.ui.navigation import Navigation
from devices.ui.screen import Element, Screen
from devices.ui.session import RETRIES, AppSession
from devices.ui.tiktok.search import Search


def choose_row(rows: list[Element], wanted: str | None, pick: Callable[[int], int] | None = None) -> Element | None:
    """The row titled `wanted` (else one containing it, else the first); without `wanted`, row `pick(len)`."""
    if not rows:
        return None
    if wanted:
        key = wanted.casefold()
        return (
            next((r for r in rows if r.text.casefold() == key), None)
            or next((r for r in rows if key in r.text.casefold()), None)
            or rows[0]
        )
    return rows[pick(len(rows)) if pick else 0]


@dataclass
class Sounds:
    """Choosing a sound and setting the volumes."""

    session: AppSession
    navigation: Navigation
    search: Search

    async def open_page(self, sound: str) -> str:
        """A sound's page, by URL or by searching its name, then Use this sound; returns the sound's title."""
        session = self.session
        if sound.startswith(("http://", "https://")):
            await self.navigation.open_url(sound)
            title = sound
        else:
            await self.search.submit(sound)
            screen = await self.search.show_tab("search_tab_sounds")
            row = choose_row(self._rows(screen), sound)
            if row is None:
                raise ScriptFailed(f"no sound found for {sound!r}")
            title = row.text
            await session.tap_until(row, "use_this_sound", what=f"the page of the sound {title!r}")
        await session.tap_until(
            "use_this_sound", "camera_upload", what="the camera", button="the Use this sound button"
        )
        return title

    def _chosen(self, screen: Screen, title: str) -> bool:
        """Whether the picker marks the row of `title` selected (a picker that marks none is checked
        after Done, by the editor showing the sound's title)."""
        return any(
            r.text == title and (r.selected or any(a.selected for a in screen.ancestors(r))) for r in self._rows(screen)
        )

    def _rows(self, screen: Screen) -> list[Element]:
        titles = screen.find_all(self.session.sel["sound_row_title"])
        if titles or self.session.sel.known_version:
            return titles
        # Without ids: the rows below the search field, each titled by its first text.
        field = next((e for e in screen.elements if e.cls.endswith("EditText")), None)
        return [t for row in screen.rows(after=field) if (t := screen.first_text(row)) is not None]

    async def add(self, keyword: str | None, wait_s: float, pick: Callable[[int], int] | None = None) -> str:
        """In the editor: Add sound, search `keyword` (else a recommended one), wait for it to load, Done."""
        session = self.session
        session.changed()
        _, field = await session.tap_until(
            "editor_add_sound", "sound_search", what="the sound picker", button="the Add sound button"
        )
        if keyword:
            await session.type_into(field, keyword)
            for _ in range(RETRIES):
                button = await session.find("search_button")
                await (session.tap(button) if button is not None else session.press("enter"))
                if self._rows(await session.look()):
                    break
        row = choose_row(self._rows(await session.look()), keyword, pick)
        if row is None:
            raise ScriptFailed(f"no sound found for {keyword!r}" if keyword else "the sound picker lists no sounds")
        title = row.text
        for _ in range(RETRIES):
            await session.tap(row)
            if not await session.wait_gone("sound_loading", wait_s):
                raise ScriptFailed(f"the sound {title!r} did not load in {wait_s:g} s")
            if self._chosen(await session.look(), title):
                break
        await session.tap_until(
            "done", "editor_volume", what="the video editor", button="the Done button of the sound picker"
        )
        added = await session.find("editor_add_sound")
        if added is not None and title not in added.label:
            raise ScriptFailed(f"the sound {title!r} was not added (the editor shows {added.label!r})")
        return title

    async def set_volumes(self, original: int, added: int | None) -> str:
        """In the editor: Volume, the two bars set by a tap at the right fraction, Done."""
        session = self.session
        session.changed()
        await session.tap_until("editor_volume", "volume_bar", what="the volume bars", button="the Volume button")
        for _ in range(RETRIES):
            done = await self._set_bars(await session.look(), original, added)
            wrong = self._wrong_bars(await session.look(), original, added)
            if not wrong:
                break
        if wrong:
            raise ScriptFailed(f"the volume did not take: {wrong}")
        await session.tap_until(
            "done", "editor_volume", what="the video editor", button="the Done button of the volume panel"
        )
        return "/".join(done)

    def _bars(self, screen: Screen, original: int, added: int | None) -> list[tuple[Element, int]]:
        bars = screen.find_all(self.session.sel["volume_bar"])
        labelled = {
            s: next((b for b in bars if self.session.labelled(b, s)), None) for s in ("original_sound", "added_sound")
        }
        first, second = (bars + [None, None])[:2]
        pairs = [(labelled["original_sound"] or first, original), (labelled["added_sound"] or second, added)]
        return [(bar, value) for bar, value in pairs if bar is not None and value is not None and bar.enabled]

    async def _set_bars(self, screen: Screen, original: int, added: int | None) -> list[str]:
        done = []
        for bar, value in self._bars(screen, original, added):
            left, top, right, bottom = bar.bounds
            x = min(right - 1, left + round(value / 100 * (right - left)))
            await self.session.tap_point(x, (top + bottom) // 2)
            done.append(str(value))
        return done

    def _wrong_bars(self, screen: Screen, original: int, added: int | None) -> str:
        """Bars whose shown value (when they show one) is not the one asked for."""
        return ", ".join(
            f"{bar.text} instead of {value}"
            for bar, value in self._bars(screen, original, added)
            if bar.text.isdigit() and int(bar.text) != value
        )
